namespace ReactiveRest.Benchmark;

/// <summary>The command line: <c>[--quick] [--only KEY,KEY] [--output DIR] [--commit SHA]</c>.</summary>
internal sealed record BenchmarkOptions(bool Quick, IReadOnlyCollection<string> Only, string OutputDirectory, string? Commit)
{
    /// <summary>The services' logs of this run (not part of the report).</summary>
    public string LogFile { get; } = Path.Combine(Path.GetTempPath(), $"reactiverest-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");

    public static BenchmarkOptions Parse(string[] args)
    {
        var quick = false;
        string? output = null;
        string? commit = null;
        var only = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--output" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--commit" when i + 1 < args.Length:
                    commit = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--quick] [--only KEY,KEY] [--output DIR] [--commit SHA]");
            }
        }

        // A partial run never overwrites the committed report.
        output ??= quick || only.Count > 0 ? Directory.CreateTempSubdirectory("reactiverest-bench-").FullName : Path.Combine(RepositoryRoot(), "docs");
        return new BenchmarkOptions(quick, only, Path.GetFullPath(output), commit);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReactiveRest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository, or give --output.");
    }
}
