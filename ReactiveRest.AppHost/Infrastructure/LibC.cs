using System.Runtime.InteropServices;

namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>
/// The few libc calls .NET does not expose: who we are, who owns a file (without following a link), and creating a
/// directory that fails when the name exists. statx, not stat: its layout is the same on every architecture.
/// </summary>
internal static partial class LibC
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int Eexist = 17;
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxModeOffset = 28;

    public static uint EffectiveUserId => geteuid();

    /// <summary>The owner and the mode (type bits included) of the path itself, a link not followed; null when it does not exist.</summary>
    public static (uint Owner, uint Mode)? LStat(string path)
    {
        var buffer = new byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == 2 /* ENOENT */ || error == 20 /* ENOTDIR */
                ? null
                : throw new IOException($"Could not inspect {path}: {Marshal.GetPInvokeErrorMessage(error)}.");
        }

        // The kernel writes the fields in the machine's own byte order.
        return (MemoryMarshal.Read<uint>(buffer.AsSpan(StatxUidOffset)), MemoryMarshal.Read<ushort>(buffer.AsSpan(StatxModeOffset)));
    }

    /// <summary>Creates the directory with exactly this mode (less the umask); false when the name exists already, whatever it is.</summary>
    public static bool TryMakeDirectory(string path, UnixFileMode mode)
    {
        if (mkdir(path, (uint)mode) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == Eexist ? false : throw new IOException($"Could not create {path}: {Marshal.GetPInvokeErrorMessage(error)}.");
    }

    /// <summary>Gives the path itself (a link not followed) to the user and group.</summary>
    public static void ChangeOwner(string path, uint owner, uint group)
    {
        if (lchown(path, owner, group) != 0)
        {
            throw new IOException($"Could not give {path} to user {owner}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }
    }

    /// <summary>The user id and group id of a user name; null when there is no such user.</summary>
    public static (uint User, uint Group)? UserIds(string name)
    {
        // struct passwd: two pointers (name, password), then uid and gid, on every 64-bit Linux.
        var entry = getpwnam(name);
        return entry == 0
            ? null
            : ((uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size), (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size + 4));
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getpwnam(string name);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
