using System.Buffers;
using System.Text;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// The rule every text value must meet before it reaches the database: PostgreSQL text cannot hold NUL, and a lone
/// UTF-16 surrogate has no UTF-8 encoding. Both would otherwise fail inside the database driver as a 500.
/// </summary>
public static class StorableText
{
    public const string NulError = "Must not contain NUL characters.";
    public const string LoneSurrogateError = "Must be valid Unicode text (no lone surrogates).";

    /// <returns>Why <paramref name="text"/> cannot be stored, or null when it can.</returns>
    public static string? ProblemWith(string text) =>
        text.Contains('\0') ? NulError
        : HasLoneSurrogate(text) ? LoneSurrogateError
        : null;

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var consumed) != OperationStatus.Done)
            {
                return true;
            }

            text = text[consumed..];
        }

        return false;
    }
}
