using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Querying;

/// <summary>FsCheck generators of tickets and of list queries over them, each query meant once and spelled many ways.</summary>
public static class QueryGenerators
{
    private static readonly DateTimeOffset Origin = new(2026, 11, 30, 17, 15, 4, TimeSpan.Zero);

    // Microseconds from Origin: neighbours one microsecond apart, whole seconds and a day away, so that filters fall
    // on rows, just before them and just after them.
    private static readonly long[] InstantMicroseconds = [-1, 0, 1, 2, 123_456, 1_000_000, 1_000_001, 86_400_000_000];

    private static readonly TimeSpan[] Offsets = [TimeSpan.Zero, TimeSpan.FromHours(1), new TimeSpan(-5, -30, 0), TimeSpan.FromHours(14)];

    private static readonly ResourceField[] Fields = [.. Ticket.Resource.Fields.Values];

    public static Gen<DateTimeOffset> Instants(bool subMicroseconds) =>
        from microseconds in Gen.Elements(InstantMicroseconds)
        from ticks in subMicroseconds ? Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 9))) : Gen.Constant(0)
        select Origin.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond + ticks);

    /// <summary>Short strings of ASCII letters of both cases, non-ASCII letters and characters a URL must escape.</summary>
    public static Gen<string> Texts(bool withComma)
    {
        List<(int, Gen<char>)> characters =
        [
            (6, Gen.Elements('a', 'A', 'b', 'B')),
            (2, Gen.Elements('é', 'É', 'İ')),
            (2, Gen.Elements(' ', '%', '+', '&', '=')),
        ];
        if (withComma)
        {
            characters.Add((1, Gen.Constant(',')));
        }

        return from length in Gen.Choose(0, 3)
               from text in Gen.ArrayOf(Gen.Frequency(characters), length)
               select new string(text);
    }

    public static Gen<int> Integers() => Gen.Frequency((9, Gen.Choose(-3, 3)), (1, Gen.Elements(int.MinValue, int.MaxValue)));

    /// <summary>One value a filter of this field and lookup can hold (an <c>__in</c> string has no comma).</summary>
    public static Gen<object> Value(ResourceField field, Lookup lookup, bool subMicroseconds) => field.Kind switch
    {
        FieldKind.Integer => Integers().Select(value => (object)value),
        FieldKind.Boolean => Gen.Elements(false, true).Select(value => (object)value),
        FieldKind.Timestamp => Instants(subMicroseconds).Select(value => (object)value),
        _ => Texts(withComma: lookup != Lookup.In).Select(value => (object)value),
    };

    public static Gen<FilterSpec> Filter(bool subMicroseconds) =>
        from field in Gen.Elements(Fields)
        from lookup in Gen.Elements(field.Lookups.Order().ToArray())
        from values in lookup == Lookup.In
            ? Gen.Choose(1, 4).SelectMany(count => Gen.ArrayOf(Value(field, lookup, subMicroseconds), count))
            : Value(field, lookup, subMicroseconds).Select(value => new[] { value })
        select new FilterSpec(field, lookup, values);

    /// <summary>Up to four filters, at most one per field and lookup so that no parameter name repeats.</summary>
    public static Gen<QuerySpec> Queries(bool subMicroseconds) =>
        from count in Gen.Choose(0, 4)
        from filters in Gen.ArrayOf(Filter(subMicroseconds), count)
        from ordering in Gen.Frequency((1, Gen.Constant<IReadOnlyList<OrderingTerm>?>(null)), (2, Orderings()))
        from limit in Gen.Frequency((1, Gen.Constant<int?>(null)), (1, Gen.Elements<int?>(1, 99, 100, 101, ListQuery.MaxLimit)))
        from offset in Gen.Frequency((1, Gen.Constant<int?>(null)), (1, Gen.Elements<int?>(0, 1, 40, int.MaxValue)))
        select new QuerySpec([.. filters.DistinctBy(filter => (filter.Field, filter.Lookup))], ordering, limit, offset);

    private static Gen<IReadOnlyList<OrderingTerm>?> Orderings() =>
        from names in Gen.SubListOf(Fields.Select(field => field.Name)).Where(names => names.Count > 0)
        from shuffled in Gen.Shuffle(names.AsEnumerable())
        from directions in Gen.ArrayOf(Gen.Elements(false, true), shuffled.Length)
        select (IReadOnlyList<OrderingTerm>?)[.. shuffled.Select((name, index) => new OrderingTerm(name, directions[index]))];

    /// <summary>The query written as parameters in one of its many spellings, in a random order.</summary>
    public static Gen<SpelledQuery> Spelled(QuerySpec spec) =>
        from filters in Gen.CollectToArray(spec.Filters, SpellFilter)
        from ordering in SpellOrdering(spec.Ordering)
        from limit in SpellDefaulted(ListQueryParser.LimitParameter, spec.Limit, ListQuery.DefaultLimit)
        from offset in SpellDefaulted(ListQueryParser.OffsetParameter, spec.Offset, 0)
        from parameters in Gen.Shuffle(filters.Concat(ordering).Concat(limit).Concat(offset))
        select new SpelledQuery(spec, parameters);

    public static Gen<SpelledQuery> SpelledQueries(bool subMicroseconds) => Queries(subMicroseconds).SelectMany(Spelled);

    /// <summary>A query that means something else: one value, the page, the ordering changed, or one filter more.</summary>
    public static Gen<QuerySpec> Mutants(QuerySpec spec)
    {
        var effectiveOrdering = spec.Ordering ?? Ticket.Resource.DefaultOrdering;
        var effectiveOffset = spec.Offset ?? 0;
        List<Gen<QuerySpec>> mutations =
        [
            Gen.Constant(spec with { Limit = (spec.Limit ?? ListQuery.DefaultLimit) % ListQuery.MaxLimit + 1 }),
            Gen.Constant(spec with { Offset = effectiveOffset == int.MaxValue ? 0 : effectiveOffset + 1 }),
            Gen.Constant(spec with { Ordering = [effectiveOrdering[0] with { Descending = !effectiveOrdering[0].Descending }, .. effectiveOrdering.Skip(1)] }),
            Filter(subMicroseconds: true)
                .Where(added => !spec.Filters.Any(filter => filter.Field == added.Field && filter.Lookup == added.Lookup))
                .Select(added => spec with { Filters = [.. spec.Filters, added] }),
        ];
        if (spec.Filters.Count > 0)
        {
            mutations.Add(
                from index in Gen.Choose(0, spec.Filters.Count - 1)
                from changed in ChangedValue(spec.Filters[index])
                select spec with { Filters = [.. spec.Filters.Select((filter, at) => at == index ? changed : filter)] });
        }

        return Gen.OneOf(mutations);
    }

    public static Gen<Ticket> Tickets() =>
        from id in Integers()
        from queue in Gen.Choose(-3, 3)
        from title in Texts(withComma: true)
        from open in Gen.Elements(false, true)
        from rank in Integers()
        from dueAt in Instants(subMicroseconds: false)
        select new Ticket { Id = id, Queue = queue, Title = title, Open = open, Rank = rank, DueAt = dueAt };

    public static Gen<RowCase> RowCases(bool subMicroseconds) =>
        from query in SpelledQueries(subMicroseconds)
        from count in Gen.Choose(1, 6)
        from rows in Gen.ArrayOf(WrittenRows(), count)
        select new RowCase(query, rows);

    private static Gen<WrittenRow> WrittenRows() =>
        from ticket in Tickets()
        from offset in Gen.Elements(Offsets)
        from trimFraction in Gen.Elements(false, true)
        select new WrittenRow(ticket, offset, trimFraction);

    private static Gen<FilterSpec> ChangedValue(FilterSpec filter)
    {
        var others = Value(filter.Field, filter.Lookup, subMicroseconds: true);
        if (filter.Lookup != Lookup.In)
        {
            return others.Where(value => !value.Equals(filter.Values[0])).Select(value => filter with { Values = [value] });
        }

        var distinct = filter.Values.Distinct().ToArray();
        return filter.Field.Kind == FieldKind.Boolean && distinct.Length == 2
            ? Gen.Constant(filter with { Values = [distinct[0]] })
            : others.Where(value => !distinct.Contains(value)).Select(value => filter with { Values = [.. filter.Values, value] });
    }

    private static Gen<KeyValuePair<string, string>> SpellFilter(FilterSpec filter) =>
        from name in filter.Lookup == Lookup.Exact
            ? Gen.Elements(filter.Field.Name, filter.Field.Name + "__exact")
            : Gen.Constant(filter.Field.Name + "__" + filter.Lookup.ToSuffix())
        from value in filter.Lookup == Lookup.In ? SpellList(filter.Values) : SpellValue(filter.Values[0])
        select KeyValuePair.Create(name, value);

    /// <summary>The values in any order, some of them repeated.</summary>
    private static Gen<string> SpellList(IReadOnlyList<object> values) =>
        from repeated in Gen.SubListOf(values.AsEnumerable())
        from order in Gen.Shuffle(values.Concat(repeated))
        from spellings in Gen.CollectToArray(order, SpellValue)
        select string.Join(',', spellings);

    public static Gen<string> SpellValue(object value) => value switch
    {
        int integer => Gen.Elements(
            integer.ToString(CultureInfo.InvariantCulture),
            integer < 0 ? "-00" + (-(long)integer).ToString(CultureInfo.InvariantCulture) : "00" + integer.ToString(CultureInfo.InvariantCulture),
            integer < 0 ? integer.ToString(CultureInfo.InvariantCulture) : "+" + integer.ToString(CultureInfo.InvariantCulture)),
        bool boolean => boolean ? Gen.Elements("true", "True", "1") : Gen.Elements("false", "False", "0"),
        DateTimeOffset instant =>
            from offset in Gen.Elements(Offsets)
            from format in Gen.Elements(TimestampFormats(offset))
            select instant.ToOffset(offset).ToString(format, CultureInfo.InvariantCulture),
        string text => Gen.Constant(text),
        _ => throw new ArgumentException($"No spelling for {value.GetType().Name}."),
    };

    private static string[] TimestampFormats(TimeSpan offset) => offset == TimeSpan.Zero
        ? ["yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "O"]
        : ["yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", "O"];

    /// <summary>The default ordering left out or written with or without its key; an explicit one with or without the key.</summary>
    private static Gen<KeyValuePair<string, string>[]> SpellOrdering(IReadOnlyList<OrderingTerm>? ordering)
    {
        var key = Ticket.Resource.Key.Name;
        var terms = ordering ?? Ticket.Resource.DefaultOrdering;
        var withoutKey = terms.Count > 1 && terms[^1] == new OrderingTerm(key, false) ? terms.SkipLast(1).ToList() : null;
        var withKey = terms.Any(term => term.Field == key) ? terms : [.. terms, new OrderingTerm(key, false)];
        var spellings = new List<IReadOnlyList<OrderingTerm>> { terms, withKey };
        if (withoutKey is not null)
        {
            spellings.Add(withoutKey);
        }

        var written =
            from spelling in Gen.Elements(spellings.AsEnumerable())
            from separator in Gen.Elements(",", ", ")
            select new[] { KeyValuePair.Create(ListQueryParser.OrderingParameter, string.Join(separator, spelling)) };
        return ordering is null ? Gen.Frequency((1, Gen.Constant(Array.Empty<KeyValuePair<string, string>>())), (2, written)) : written;
    }

    private static Gen<KeyValuePair<string, string>[]> SpellDefaulted(string name, int? value, int defaultValue)
    {
        var shown = (value ?? defaultValue).ToString(CultureInfo.InvariantCulture);
        var written = Gen.Elements(shown, "0" + shown).Select(text => new[] { KeyValuePair.Create(name, text) });
        return value is null ? Gen.OneOf(Gen.Constant(Array.Empty<KeyValuePair<string, string>>()), written) : written;
    }
}
