using System.Globalization;

namespace ReactiveRest.Engine.Protocol;

/// <summary>
/// The <c>resume</c> parameter of a WebSocket connection: for each observer, the seq of the last message the client
/// applied (<c>resume=&lt;observer&gt;:&lt;seq&gt;,…</c>). The server continues exactly after it, or answers
/// <c>expired</c> for that observer.
/// </summary>
public static class ResumeRequest
{
    public const string Parameter = "resume";

    /// <summary>More observers than this do not fit a URL a server accepts; a client observing more should not resume.</summary>
    public const int MaxObservers = 150;

    /// <summary>The seq a message of an unfinished resync run carries: not a position one can resume from.</summary>
    public const long InsideResync = -1;

    public const string Rule = $"A comma-separated list of '<observer>:<seq>', each observer ({ObserverIds.Rule}) once, seq an integer of at least -1, at most 150 entries.";

    /// <summary>Parses the parameter's values; null when malformed.</summary>
    public static IReadOnlyDictionary<string, long>? Parse(IReadOnlyList<string?> values)
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        if (values.Count == 0)
        {
            return positions;
        }

        if (values.Count > 1 || values[0] is not { } text)
        {
            return null;
        }

        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = entry.IndexOf(':', StringComparison.Ordinal);
            if (separator < 0
                || !ObserverIds.IsValid(entry[..separator])
                || !long.TryParse(entry[(separator + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seq)
                || seq < InsideResync
                || !positions.TryAdd(entry[..separator], seq)
                || positions.Count > MaxObservers)
            {
                return null;
            }
        }

        return positions;
    }
}
