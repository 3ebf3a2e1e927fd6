namespace ReactiveRest.Client;

/// <summary>An RFC 9457 problem as the API answers it; <see cref="Errors"/> names each offending parameter or field.</summary>
public sealed record ApiProblem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? TraceId,
    IReadOnlyDictionary<string, string[]>? Errors);
