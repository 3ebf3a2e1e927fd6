using System.Globalization;

namespace ReactiveRest.Engine.Protocol;

/// <summary>What happened to a subscriber, told to every replica so that the one holding its WebSocket acts on it.</summary>
public enum ControlKind
{
    /// <summary>The subscriber observes an observer from <see cref="ControlMessage.Seq"/> on (an observe GET).</summary>
    Subscribed,

    /// <summary>The subscriber no longer observes an observer.</summary>
    Unsubscribed,

    /// <summary>A new connection (<see cref="ControlMessage.Argument"/>) took the subscriber over: the old one closes with 4000.</summary>
    Takeover,

    /// <summary>The old connection (<see cref="ControlMessage.Argument"/>) recorded where it stood and let go.</summary>
    Released,
}

/// <summary>One line on the control channel: <c>kind subscriber argument seq</c>.</summary>
public sealed record ControlMessage(ControlKind Kind, string SubscriberId, string Argument, long Seq = 0)
{
    public override string ToString() => string.Join(' ', Kind, SubscriberId, Argument, Seq.ToString(CultureInfo.InvariantCulture));

    public static ControlMessage? Parse(string line)
    {
        var parts = line.Split(' ');
        return parts.Length == 4 && Enum.TryParse<ControlKind>(parts[0], out var kind)
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            ? new ControlMessage(kind, parts[1], parts[2], seq)
            : null;
    }
}
