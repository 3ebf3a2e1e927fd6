using System.Text.RegularExpressions;

namespace ReactiveRest.Engine.Protocol;

public static partial class SubscriberIds
{
    /// <summary>1 to 64 characters of [A-Za-z0-9_-], chosen by the client.</summary>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    public const string Rule = "1 to 64 characters of [A-Za-z0-9_-]";

    // \z, not $: $ also matches before a final newline, which would let "alice\n" pass.
    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex Pattern();
}
