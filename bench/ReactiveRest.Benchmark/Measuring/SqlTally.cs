namespace ReactiveRest.Benchmark.Measuring;

/// <summary>Statements the database executed during a phase, by category, with the most frequent ones.</summary>
internal sealed record SqlTally(long Total, IReadOnlyDictionary<string, long> ByCategory, IReadOnlyList<SqlStatement> Top);

internal sealed record SqlStatement(string Category, long Calls, string Query);
