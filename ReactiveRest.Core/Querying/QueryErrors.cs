namespace ReactiveRest.Engine.Querying;

/// <summary>Errors keyed by the offending parameter or field name, in the shape of a validation problem's <c>errors</c>.</summary>
public sealed class QueryErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string name, string message)
    {
        if (!_errors.TryGetValue(name, out var messages))
        {
            _errors[name] = messages = [];
        }

        messages.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
}
