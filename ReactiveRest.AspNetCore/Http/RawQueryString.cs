using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// Finds the query parameters whose name or value is not UTF-8 once percent-decoded. ASP.NET Core keeps such escapes
/// as literal text (<c>?title=%FF</c> reads as the three characters <c>%FF</c>), so only the raw query string tells
/// a client's bytes apart from a client's text.
/// </summary>
public static class RawQueryString
{
    public const string InvalidUtf8Error = "Must be valid UTF-8 once percent-decoded.";

    /// <param name="rawQueryString">The query string as sent, such as <c>HttpRequest.QueryString.Value</c>: with or without its leading '?'.</param>
    /// <returns>
    /// Each offending parameter once, in order, named as <c>HttpRequest.Query</c> names it: escapes that decode to
    /// UTF-8 are decoded, the others are kept as written.
    /// </returns>
    public static IReadOnlyList<string> InvalidUtf8Parameters(string? rawQueryString)
    {
        var query = rawQueryString.AsSpan();
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        var names = new List<string>();
        foreach (var range in query.Split('&'))
        {
            var parameter = query[range];
            var separator = parameter.IndexOf('=');
            var name = separator < 0 ? parameter : parameter[..separator];
            var value = separator < 0 ? [] : parameter[(separator + 1)..];
            if (!IsUtf8OncePercentDecoded(name) || !IsUtf8OncePercentDecoded(value))
            {
                var readable = Uri.UnescapeDataString(name.ToString().Replace('+', ' '));
                if (!names.Contains(readable))
                {
                    names.Add(readable);
                }
            }
        }

        return names;
    }

    private static bool IsUtf8OncePercentDecoded(ReadOnlySpan<char> encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        Span<byte> encodedRune = stackalloc byte[4];
        while (!encoded.IsEmpty)
        {
            if (encoded is ['%', var high, var low, ..] && Uri.IsHexDigit(high) && Uri.IsHexDigit(low))
            {
                bytes.Add((byte)((Uri.FromHex(high) << 4) | Uri.FromHex(low)));
                encoded = encoded[3..];
            }
            else if (Rune.DecodeFromUtf16(encoded, out var rune, out var consumed) == OperationStatus.Done)
            {
                // Any other character stands for its own UTF-8 bytes ('+' is a space, but ASCII either way).
                bytes.AddRange(encodedRune[..rune.EncodeToUtf8(encodedRune)]);
                encoded = encoded[consumed..];
            }
            else
            {
                // A lone surrogate in the string itself: it has no bytes at all.
                return false;
            }
        }

        return Utf8.IsValid(CollectionsMarshal.AsSpan(bytes));
    }
}
