namespace ReactiveRest.Tests.Diffing;

/// <summary>
/// A list of <see cref="Size"/> items and the edits that turn it into the next result: the way real results change,
/// a few rows at a time, which random pairs of lists rarely look like.
/// </summary>
public sealed record EditedList(int Size, DiffEdit[] Edits)
{
    private const int FirstNewKey = 100_000;

    public DiffCase ToCase()
    {
        var previous = Enumerable.Range(0, Size).Select(key => new DiffItem(key, 0)).ToArray();
        var next = previous.ToList();
        var newKey = FirstNewKey;
        foreach (var edit in Edits)
        {
            switch (edit.Kind)
            {
                case DiffEditKind.Insert:
                    next.Insert(edit.From % (next.Count + 1), new DiffItem(newKey++, 0));
                    break;
                case DiffEditKind.Delete when next.Count > 0:
                    next.RemoveAt(edit.From % next.Count);
                    break;
                case DiffEditKind.Move when next.Count > 0:
                    var moved = next[edit.From % next.Count];
                    next.Remove(moved);
                    next.Insert(edit.To % (next.Count + 1), moved);
                    break;
                case DiffEditKind.ChangeData when next.Count > 0:
                    var at = edit.From % next.Count;
                    next[at] = next[at] with { Version = next[at].Version + 1 };
                    break;
            }
        }

        return new DiffCase(previous, [.. next]);
    }

    public override string ToString() => $"{Size} items, edits {string.Join(" ", Edits.AsEnumerable())}: {ToCase()}";
}
