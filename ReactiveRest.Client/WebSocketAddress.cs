using System.Globalization;

namespace ReactiveRest.Client;

/// <summary>The WebSocket's URI: <c>ws(s)://observers/ws/{subscriber}?resume=…&amp;access_token=…</c>.</summary>
internal static class WebSocketAddress
{
    /// <summary>A URL's length allows this many; docs/protocol.md section 5.</summary>
    public const int MaxResumed = 150;

    public static Uri Build(Uri observers, string subscriberId, IEnumerable<(string Observer, long Seq)> resume, string? token)
    {
        var query = new List<string>();
        var positions = string.Join(',', resume.Select(position => $"{position.Observer}:{position.Seq.ToString(CultureInfo.InvariantCulture)}"));
        if (positions.Length > 0)
        {
            query.Add("resume=" + positions);
        }

        if (token is not null)
        {
            query.Add("access_token=" + Uri.EscapeDataString(token));
        }

        return new UriBuilder(observers)
        {
            Scheme = observers.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
            Path = observers.AbsolutePath.TrimEnd('/') + "/ws/" + subscriberId,
            Query = string.Join('&', query),
        }.Uri;
    }
}
