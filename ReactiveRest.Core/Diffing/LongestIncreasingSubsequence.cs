namespace ReactiveRest.Engine.Diffing;

/// <summary>Patience sorting, O(n log n); O(n) when the values are already ascending, the usual no-change diff.</summary>
internal static class LongestIncreasingSubsequence
{
    /// <summary>The positions in <paramref name="values"/> of one longest strictly increasing subsequence, ascending.</summary>
    public static int[] Positions(ReadOnlySpan<int> values)
    {
        if (values.IsEmpty)
        {
            return [];
        }

        // tails[k]: position of the smallest value that ends an increasing run of length k + 1.
        var tails = new int[values.Length];
        var predecessor = new int[values.Length];
        var length = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var k = length > 0 && values[tails[length - 1]] < values[i] ? length : LowerBound(values, tails, length, values[i]);
            predecessor[i] = k > 0 ? tails[k - 1] : -1;
            tails[k] = i;
            if (k == length)
            {
                length++;
            }
        }

        var positions = new int[length];
        for (int i = length - 1, at = tails[length - 1]; i >= 0; i--, at = predecessor[at])
        {
            positions[i] = at;
        }

        return positions;
    }

    private static int LowerBound(ReadOnlySpan<int> values, int[] tails, int length, int value)
    {
        int low = 0, high = length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (values[tails[middle]] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
