namespace ReactiveRest.Engine.Protocol;

public static class ObserverIds
{
    public const string Rule = "32 lowercase hexadecimal characters";

    public static bool IsValid(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);
}
