using System.Diagnostics;
using System.Runtime.Versioning;
using Aspire.Hosting;
using ReactiveRest.AppHost.Infrastructure;

namespace ReactiveRest.Tests.AppHost;

/// <summary>
/// The local data directory holds the PostgreSQL superuser's password: it is created private, and one that another
/// user owns or can write, or a link, is refused, as is a secret in it that we did not write (issue 17).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class PrivateDirectoryTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("reactiverest-private-");

    [Fact]
    public void A_missing_directory_is_created_with_mode_0700_and_its_parents_too()
    {
        var path = Path.Combine(_root.FullName, "parent", "data");

        PrivateDirectory.Ensure(path);

        Assert.True(Directory.Exists(path));
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Null(PrivateDirectory.ProblemWith(path, CurrentUser()));
        // Ensuring it again uses it as it is.
        PrivateDirectory.Ensure(path);
    }

    [Fact]
    public void An_existing_directory_of_ours_that_only_we_can_write_is_used()
    {
        var path = Path.Combine(_root.FullName, "readable");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);

        PrivateDirectory.Ensure(path);

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_directory_another_user_owns_is_refused()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Giving a directory to another user needs root.");
        var path = Path.Combine(_root.FullName, "theirs");
        Directory.CreateDirectory(path, Private);
        Run("chown", "nobody", path);

        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(path));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("owned by user", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0b111_111_111)]
    [InlineData(0b111_111_000)]
    [InlineData(0b111_000_010)]
    [InlineData(0b111_111_111 | (int)UnixFileMode.StickyBit)]
    public void A_directory_its_group_or_others_can_write_is_refused(int mode)
    {
        var path = Path.Combine(_root.FullName, "shared");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)mode);

        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(path));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("can write", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_under_one_others_can_write_without_the_sticky_bit_is_refused()
    {
        var parent = Path.Combine(_root.FullName, "open");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_111_111);
        var path = Path.Combine(parent, "data");

        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(path));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("sticky bit", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
        // /tmp's way, the sticky bit (others cannot rename or delete what is ours), is fine.
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        PrivateDirectory.Ensure(path);
    }

    [Fact]
    public void A_directory_under_one_another_user_owns_is_refused()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Giving a directory to another user needs root.");
        var parent = Path.Combine(_root.FullName, "theirs");
        Directory.CreateDirectory(parent);
        Run("chown", "nobody", parent);

        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(Path.Combine(parent, "data")));

        Assert.Contains("owned by user", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_is_refused_even_to_a_private_directory_of_ours_and_even_dangling()
    {
        var target = Path.Combine(_root.FullName, "target");
        PrivateDirectory.Ensure(target);
        var link = Path.Combine(_root.FullName, "link");
        Directory.CreateSymbolicLink(link, target);
        var dangling = Path.Combine(_root.FullName, "dangling");
        Directory.CreateSymbolicLink(dangling, Path.Combine(_root.FullName, "nowhere"));

        Assert.Contains("symbolic link", Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(link)).Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.Ensure(dangling)).Message, StringComparison.Ordinal);
        // Nothing was made where the dangling link points.
        Assert.False(Directory.Exists(Path.Combine(_root.FullName, "nowhere")));
    }

    [Fact]
    public void A_secret_is_written_0600_and_read_back()
    {
        var file = Path.Combine(_root.FullName, "postgres.password");

        PrivateDirectory.WriteSecret(file, "first");
        PrivateDirectory.WriteSecret(file, "second");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("second", PrivateDirectory.ReadSecret(file));
        Assert.Null(PrivateDirectory.ReadSecret(Path.Combine(_root.FullName, "missing.password")));
    }

    [Fact]
    public void A_secret_is_never_written_through_a_link()
    {
        var victim = Path.Combine(_root.FullName, "victim");
        File.WriteAllText(victim, "untouched");
        var link = Path.Combine(_root.FullName, "postgres.password");
        File.CreateSymbolicLink(link, victim);
        var dangling = Path.Combine(_root.FullName, "redis.conf");
        File.CreateSymbolicLink(dangling, Path.Combine(_root.FullName, "created-through-the-link"));

        Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.WriteSecret(link, "secret"));
        Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.WriteSecret(dangling, "secret"));

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.False(File.Exists(Path.Combine(_root.FullName, "created-through-the-link")));
    }

    [Fact]
    public void A_secret_that_is_a_link_or_readable_by_others_is_not_trusted()
    {
        var planted = Path.Combine(_root.FullName, "planted");
        File.WriteAllText(planted, "chosen by someone else");
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_root.FullName, "link.password");
        File.CreateSymbolicLink(link, planted);
        var loose = Path.Combine(_root.FullName, "loose.password");
        File.WriteAllText(loose, "anyone could have read or written it");
        File.SetUnixFileMode(loose, (UnixFileMode)0b110_110_100);

        Assert.Contains("symbolic link", Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.ReadSecret(link)).Message, StringComparison.Ordinal);
        Assert.Contains("0664", Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.ReadSecret(loose)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_another_user_owns_is_not_trusted()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "Giving a file to another user needs root.");
        var planted = Path.Combine(_root.FullName, "postgres.password");
        PrivateDirectory.WriteSecret(planted, "chosen by someone else");
        Run("chown", "nobody", planted);

        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.ReadSecret(planted));

        Assert.Contains(planted, refused.Message, StringComparison.Ordinal);
        Assert.Contains("owned by user", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_anywhere_below_the_directory_is_refused()
    {
        var data = Path.Combine(_root.FullName, "data");
        PrivateDirectory.Ensure(data);
        var elsewhere = Path.Combine(_root.FullName, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(data, "redis"), elsewhere);

        PrivateDirectory.RefuseLinks(data, Path.Combine(data, "postgres", "PG_VERSION"));
        var refused = Assert.Throws<DistributedApplicationException>(() => PrivateDirectory.RefuseLinks(data, Path.Combine(data, "redis", "redis.conf")));

        Assert.Contains(Path.Combine(data, "redis"), refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static uint CurrentUser() => uint.Parse(Run("id", "-u").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static string Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
