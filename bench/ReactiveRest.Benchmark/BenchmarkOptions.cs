namespace ReactiveRest.Benchmark;

/// <summary>The command line: <c>[--quick] [--output DIR] [--commit SHA]</c>.</summary>
internal sealed record BenchmarkOptions(bool Quick, string OutputDirectory, string? Commit)
{
    /// <summary>The services' logs of this run (not part of the report).</summary>
    public string LogFile { get; } = Path.Combine(Path.GetTempPath(), $"reactiverest-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");

    public static BenchmarkOptions Parse(string[] args)
    {
        var quick = false;
        string? output = null;
        string? commit = null;
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
                case "--commit" when i + 1 < args.Length:
                    commit = args[++i];
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--quick] [--output DIR] [--commit SHA]");
            }
        }

        output ??= quick ? Directory.CreateTempSubdirectory("reactiverest-bench-").FullName : Path.Combine(RepositoryRoot(), "docs");
        return new BenchmarkOptions(quick, Path.GetFullPath(output), commit);
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
