namespace ReactiveRest.AppHost.Infrastructure;

/// <summary>The folder a local Redis keeps its data in, made afresh for each AppHost run.</summary>
internal static class LocalRedisFolders
{
    /// <summary>
    /// Deletes what the last run left in <paramref name="folder"/> and makes it again, private, inside the data
    /// directory; a link there is refused, neither deleted through nor followed.
    /// </summary>
    public static void Recreate(string dataDirectory, string folder)
    {
        PrivateDirectory.RefuseLinks(dataDirectory, folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Create(dataDirectory, folder);
    }

    /// <summary>Makes <paramref name="folder"/> (and the folders above it, up to the data directory) private; a link there is refused.</summary>
    public static void Create(string dataDirectory, string folder)
    {
        PrivateDirectory.RefuseLinks(dataDirectory, folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, PrivateDirectory.DirectoryMode);
        }
    }
}
