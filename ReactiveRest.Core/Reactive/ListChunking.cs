namespace ReactiveRest.Engine.Reactive;

public static class ListChunking
{
    /// <summary>Consecutive runs of items that share a key, in order: [a a b a] gives [a a], [b], [a].</summary>
    public static IEnumerable<IReadOnlyList<T>> ChunkBy<T, TKey>(this IEnumerable<T> items, Func<T, TKey> keyOf)
    {
        List<T>? run = null;
        TKey? runKey = default;
        foreach (var item in items)
        {
            var key = keyOf(item);
            if (run is not null && EqualityComparer<TKey>.Default.Equals(key, runKey))
            {
                run.Add(item);
                continue;
            }

            if (run is not null)
            {
                yield return run;
            }

            run = [item];
            runKey = key;
        }

        if (run is not null)
        {
            yield return run;
        }
    }
}
