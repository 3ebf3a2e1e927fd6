using System.Text;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// A directory only its owner can change, and the secrets in it. The AppHost keeps the PostgreSQL superuser's password
/// and the servers' data in one: whoever could write there, or plant a link there, could choose that password or make
/// us write through the link. So a directory is created 0700, an existing one is used only if it is a real directory
/// (not a link) of the expected owner that nobody else can write, and nothing inside is written through a link.
/// </summary>
public static class PrivateDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const uint TypeMask = 0xF000;
    private const uint DirectoryType = 0x4000;
    private const uint RegularFileType = 0x8000;
    private const uint LinkType = 0xA000;
    private const uint GroupOrOtherWrite = 0b000_010_010;
    private const uint PermissionMask = 0b111_111_111;
    private const uint StickyBit = 0b001_000_000_000;
    private const UnixFileMode ParentMode = DirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and its missing parents) as ours with mode 0700, or checks the existing one.</summary>
    /// <exception cref="DistributedApplicationException">It exists and is not safe to use; the message says why.</exception>
    /// <param name="giveTo">
    /// Another user the directory belongs to instead: one we create is given to that user and group (we must be root),
    /// and an existing one must be theirs.
    /// </param>
    public static void Ensure(string path, (uint User, uint Group)? giveTo = null)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Path.GetDirectoryName(path) is { } parent)
        {
            // Readable by others: as root, the postgres user must pass through to its cluster's directory beside ours.
            Directory.CreateDirectory(parent, ParentMode);
            if (ProblemWithParents(path) is { } parentProblem)
            {
                throw new DistributedApplicationException(
                    $"Refusing to use the local data directory {path}: {parentProblem}, so that user could replace it. " +
                    $"Choose another with {InfrastructureSettings.DataDirectoryKey}.");
            }
        }

        // mkdir fails when the name exists, a link included: what we create is ours from its first moment, and what
        // someone else made first is judged below, never given away to the owner we expect.
        if (LibC.TryMakeDirectory(path, DirectoryMode) && giveTo is var (user, group))
        {
            LibC.ChangeOwner(path, user, group);
        }

        if (ProblemWith(path, giveTo?.User ?? LibC.EffectiveUserId) is { } problem)
        {
            throw new DistributedApplicationException(
                $"Refusing to use the local data directory {path}: {problem}. It holds the PostgreSQL superuser's password and the servers' data, " +
                $"so it must be a directory only its owner can write. Delete or fix it, or choose another with {InfrastructureSettings.DataDirectoryKey}.");
        }
    }

    /// <summary>Why <paramref name="path"/> is not a directory of <paramref name="owner"/> that only they can write; null when it is.</summary>
    public static string? ProblemWith(string path, uint owner)
    {
        if (LibC.LStat(path) is not var (actualOwner, mode))
        {
            return "it does not exist";
        }

        return (mode & TypeMask) switch
        {
            LinkType => "it is a symbolic link (a link is never followed there)",
            not DirectoryType => "it is not a directory",
            _ when actualOwner != owner => $"it is owned by user {actualOwner}, not by user {owner}",
            _ when (mode & GroupOrOtherWrite) != 0 => $"its group or other users can write it (mode {Octal(mode)})",
            _ => null,
        };
    }

    /// <summary>
    /// Why someone other than root or us could rename or replace <paramref name="path"/>: a directory above it that
    /// another user owns, or that others can write without the sticky bit (/tmp has it), or a link above it that
    /// another user owns; null when none. A link's target is not checked further.
    /// </summary>
    public static string? ProblemWithParents(string path)
    {
        var us = LibC.EffectiveUserId;
        for (var parent = Path.GetDirectoryName(Path.GetFullPath(path)); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (LibC.LStat(parent) is not var (owner, mode))
            {
                continue;
            }

            if (owner != 0 && owner != us)
            {
                return $"{parent} above it is owned by user {owner}";
            }

            if ((mode & TypeMask) == DirectoryType && (mode & GroupOrOtherWrite) != 0 && (mode & StickyBit) == 0)
            {
                return $"{parent} above it can be written by its group or other users (mode {Octal(mode)}) and has no sticky bit";
            }
        }

        return null;
    }

    /// <summary>
    /// Refuses when any part of <paramref name="path"/> below <paramref name="directory"/> is a link (parts that do
    /// not exist yet are fine: they will be made, not followed).
    /// </summary>
    public static void RefuseLinks(string directory, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var relative = Path.GetRelativePath(directory, path);
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ArgumentException($"{path} is not inside {directory}.", nameof(path));
        }

        var current = directory;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (LibC.LStat(current) is var (_, mode) && (mode & TypeMask) == LinkType)
            {
                throw new DistributedApplicationException($"Refusing to use {current}: it is a symbolic link, and nothing in {directory} is written or read through a link. Delete it.");
            }
        }
    }

    /// <summary>
    /// The text of a secret file we wrote before, or null when there is none. One we did not write (not a regular file
    /// of ours with mode 0600, or a link) is refused, not trusted.
    /// </summary>
    public static string? ReadSecret(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }

        if (LibC.LStat(path) is not var (owner, mode))
        {
            return null;
        }

        var problem = (mode & TypeMask) switch
        {
            LinkType => "it is a symbolic link",
            not RegularFileType => "it is not a regular file",
            _ when owner != LibC.EffectiveUserId => $"it is owned by user {owner}, not by user {LibC.EffectiveUserId}",
            _ when (mode & PermissionMask) != (uint)SecretMode => $"its mode is {Octal(mode)}, not 0600",
            _ => null,
        };
        return problem is null
            ? File.ReadAllText(path, Encoding.UTF8)
            : throw new DistributedApplicationException($"Refusing to trust the secret {path}: {problem}. Delete it (and what it protects) to start afresh.");
    }

    /// <summary>
    /// Writes a secret as a new file of ours with mode 0600, replacing a regular file of that name; never through a
    /// link (the file is created exclusively, which fails on a link, even a dangling one).
    /// </summary>
    public static void WriteSecret(string path, string text)
    {
        if (!OperatingSystem.IsWindows() && LibC.LStat(path) is var (_, mode))
        {
            if ((mode & TypeMask) != RegularFileType)
            {
                throw new DistributedApplicationException($"Refusing to write the secret {path}: something that is not a regular file is there (a link is never followed). Delete it.");
            }

            File.Delete(path);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = SecretMode;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private static string Octal(uint mode) => "0" + Convert.ToString(mode & PermissionMask, 8);
}
