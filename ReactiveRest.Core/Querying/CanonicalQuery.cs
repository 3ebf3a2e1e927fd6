using System.Globalization;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// The identity of a list query: one query string per query however it was spelled, so that <c>boardId=01</c> and
/// <c>boardId__exact=1&amp;limit=100</c> share one observer.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Filters come first, sorted by field name (ordinal), then by lookup in the order of <see cref="Lookup"/>.
/// Exact filters are written <c>field=value</c>, the others <c>field__lookup=value</c>.</item>
/// <item>Each value has one spelling: integers in invariant decimal, UUIDs in the lowercase "D" format, booleans <c>true</c>/<c>false</c>, timestamps
/// in UTC with all seven fractional digits (<c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, so distinct instants never merge),
/// strings as given. <c>__in</c> values are deduplicated and sorted (strings ordinally).</item>
/// <item>Then <c>ordering</c> (the full effective ordering, the key included), <c>limit</c> and <c>offset</c>, always
/// present, so defaults spelled out and defaults left out agree.</item>
/// <item>Names and values are escaped with <see cref="Uri.EscapeDataString(string)"/>. The commas between <c>__in</c> values
/// and between ordering terms stay literal; a comma inside a value is escaped, which only matters for single-valued
/// filters because the parser splits every <c>__in</c> value on commas.</item>
/// <item>The parser accepts one field filtered exactly twice (<c>position=1&amp;position__exact=2</c>): equal values
/// become one filter, different ones are written <c>field=</c> (the smaller) and <c>field__exact=</c>, so no name is
/// ever repeated.</item>
/// </list>
/// </remarks>
public static class CanonicalQuery
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private static readonly Comparer<object> ValueOrder = Comparer<object>.Create(CompareValues);

    /// <summary>
    /// The canonical query string of a parsed list query (without a leading <c>?</c>): equal for equal queries,
    /// different for different ones, and itself parseable to the same query.
    /// </summary>
    /// <exception cref="ArgumentException">The query repeats a filter in a way no query string can express.</exception>
    public static string Of(ListQuery query)
    {
        var parameters = new List<string>();
        var groups = query.Filters
            .GroupBy(filter => (filter.Field.Name, filter.Lookup))
            .OrderBy(group => group.Key.Name, StringComparer.Ordinal)
            .ThenBy(group => group.Key.Lookup);
        foreach (var group in groups)
        {
            if (group.Key.Lookup == Lookup.Exact)
            {
                parameters.AddRange(ExactParameters(group.Key.Name, group));
            }
            else
            {
                parameters.Add(OtherParameter(group.Key.Name, group.Key.Lookup, group));
            }
        }

        parameters.Add(Parameter(ListQueryParser.OrderingParameter, string.Join(',', query.Ordering.Select(term => Uri.EscapeDataString(term.ToString())))));
        parameters.Add(Parameter(ListQueryParser.LimitParameter, Format(query.Limit)));
        parameters.Add(Parameter(ListQueryParser.OffsetParameter, Format(query.Offset)));
        return string.Join('&', parameters);
    }

    private static IEnumerable<string> ExactParameters(string field, IEnumerable<FieldFilter> filters)
    {
        var values = filters.Select(filter => filter.Values[0]).DistinctBy(Format).Order(ValueOrder).ToList();
        if (values.Count > 2)
        {
            throw new ArgumentException($"The field '{field}' is filtered exactly {values.Count} times; a query string can say it twice at most.");
        }

        yield return Parameter(field, Uri.EscapeDataString(Format(values[0])));
        if (values.Count == 2)
        {
            yield return Parameter(field + "__" + Lookup.Exact.ToSuffix(), Uri.EscapeDataString(Format(values[1])));
        }
    }

    private static string OtherParameter(string field, Lookup lookup, IEnumerable<FieldFilter> filters)
    {
        var spellings = filters.Select(filter => lookup == Lookup.In
                ? string.Join(',', filter.Values.DistinctBy(Format).Order(ValueOrder).Select(value => Uri.EscapeDataString(Format(value))))
                : Uri.EscapeDataString(Format(filter.Values[0])))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return spellings.Count == 1
            ? Parameter(field + "__" + lookup.ToSuffix(), spellings[0])
            : throw new ArgumentException($"The field '{field}' has {spellings.Count} different '{lookup.ToSuffix()}' filters; a query string can say one.");
    }

    private static string Parameter(string name, string escapedValue) => Uri.EscapeDataString(name) + "=" + escapedValue;

    private static string Format(object value) => value switch
    {
        int integer => integer.ToString(CultureInfo.InvariantCulture),
        long integer => integer.ToString(CultureInfo.InvariantCulture),
        Guid uuid => uuid.ToString("D"),
        bool boolean => boolean ? "true" : "false",
        DateTimeOffset timestamp => timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture),
        string text => text,
        _ => throw new ArgumentException($"A filter value of type {value.GetType().Name} has no query-string spelling."),
    };

    private static int CompareValues(object? left, object? right) => (left, right) switch
    {
        (string leftText, string rightText) => string.CompareOrdinal(leftText, rightText),
        _ => Comparer<object>.Default.Compare(left, right),
    };
}
