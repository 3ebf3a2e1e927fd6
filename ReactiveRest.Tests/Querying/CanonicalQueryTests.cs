using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Querying;

/// <summary>Observer identity: one canonical query string per query, however the GET spelled it.</summary>
public sealed class CanonicalQueryTests
{
    private const string Defaults = "ordering=-rank,id&limit=100&offset=0";

    private static string Canonical(params (string Name, string Value)[] parameters) => CanonicalQuery.Of(TicketQueries.Parse(parameters));

    private static string Canonical(IEnumerable<KeyValuePair<string, string>> parameters) => CanonicalQuery.Of(TicketQueries.Parse(parameters));

    [Fact]
    public void A_query_without_parameters_spells_out_every_default()
    {
        Assert.Equal(Defaults, Canonical());
    }

    [Theory]
    [InlineData("queue", "01", "queue", "1")]
    [InlineData("queue__exact", "1", "queue", "1")]
    [InlineData("rank", "+3", "rank", "3")]
    [InlineData("rank", "-03", "rank", "-3")]
    [InlineData("open", "True", "open", "true")]
    [InlineData("open", "1", "open", "true")]
    [InlineData("open", "0", "open", "false")]
    [InlineData("queue__in", "2,1", "queue__in", "1,2,2")]
    [InlineData("rank__in", "10,-2,3", "rank__in", "-2,3,10,3")]
    [InlineData("dueAt", "2026-01-02T03:04:05+02:00", "dueAt", "2026-01-02T01:04:05.0000000Z")]
    [InlineData("dueAt__gte", "2026-01-02 01:04:05", "dueAt__gte", "2026-01-02T01:04:05Z")]
    [InlineData("ordering", "-rank", "limit", "100")]
    [InlineData("ordering", "-rank,id", "offset", "0")]
    [InlineData("ordering", "title", "ordering", "title, id")]
    [InlineData("limit", "0100", "offset", "00")]
    public void Spellings_of_one_query_share_one_canonical_string(string name, string value, string otherName, string otherValue)
    {
        Assert.Equal(Canonical((name, value)), Canonical((otherName, otherValue)));
    }

    [Fact]
    public void Everything_is_spelled_in_one_order_and_one_way()
    {
        var canonical = Canonical(
            ("rank__lt", "5"),
            ("queue", "02"),
            ("title__icontains", "Ab"),
            ("dueAt__gte", "2026-01-02T03:04:05.5+02:00"),
            ("open__in", "true,False,1"),
            ("ordering", "title,-dueAt"),
            ("offset", "40"),
            ("limit", "20"));

        Assert.Equal(
            "dueAt__gte=2026-01-02T01%3A04%3A05.5000000Z&open__in=false,true&queue=2&rank__lt=5&title__icontains=Ab&ordering=title,-dueAt,id&limit=20&offset=40",
            canonical);
    }

    [Fact]
    public void Filters_on_one_field_with_different_lookups_are_all_kept_in_lookup_order()
    {
        Assert.Equal(
            $"rank=2&rank__gte=1&rank__lt=5&rank__in=1,2&{Defaults}",
            Canonical(("rank__in", "2,1"), ("rank__lt", "5"), ("rank__gte", "1"), ("rank", "2")));
    }

    [Fact]
    public void A_field_filtered_exactly_twice_is_written_once_when_the_values_agree_and_without_repeating_a_name_otherwise()
    {
        Assert.Equal($"rank=1&{Defaults}", Canonical(("rank", "1"), ("rank__exact", "01")));
        Assert.Equal($"rank=1&rank__exact=2&{Defaults}", Canonical(("rank", "2"), ("rank__exact", "1")));
        Assert.Equal(Canonical(("rank", "2"), ("rank__exact", "1")), Canonical(("rank", "1"), ("rank__exact", "2")));
    }

    [Fact]
    public void Strings_are_kept_exactly_and_escaped_and_a_comma_survives_in_a_single_value()
    {
        var canonical = Canonical(("title", "a,b & c+d=é%"));

        Assert.Equal($"title=a%2Cb%20%26%20c%2Bd%3D%C3%A9%25&{Defaults}", canonical);
        Assert.Equal("a,b & c+d=é%", Assert.Single(TicketQueries.ParseQueryString(canonical).Filters).Values[0]);
    }

    [Fact]
    public void In_strings_are_deduplicated_sorted_ordinally_and_escaped_between_literal_commas()
    {
        var canonical = Canonical(("title__in", "b,B,a,,é,a b,B"));

        Assert.Equal($"title__in=,B,a,a%20b,b,%C3%A9&{Defaults}", canonical);
        Assert.Equal(["", "B", "a", "a b", "b", "é"], Assert.Single(TicketQueries.ParseQueryString(canonical).Filters).Values.Cast<string>());
    }

    [Fact]
    public void Strings_differing_in_case_or_space_stay_different()
    {
        Assert.NotEqual(Canonical(("title", "a")), Canonical(("title", "A")));
        Assert.NotEqual(Canonical(("title", "a")), Canonical(("title", "a ")));
        Assert.NotEqual(Canonical(("title__in", "a,b")), Canonical(("title", "a,b")));
    }

    [Fact]
    public void Instants_a_tick_apart_stay_different()
    {
        Assert.Equal(
            $"dueAt=2026-01-02T03%3A04%3A05.0000001Z&{Defaults}",
            Canonical(("dueAt", "2026-01-02T03:04:05.0000001Z")));
        Assert.NotEqual(Canonical(("dueAt", "2026-01-02T03:04:05.0000001Z")), Canonical(("dueAt", "2026-01-02T03:04:05Z")));
    }

    [Fact]
    public void The_ordering_is_written_whole_so_a_different_one_is_a_different_query()
    {
        Assert.NotEqual(Canonical(("ordering", "rank")), Canonical(("ordering", "-rank")));
        Assert.NotEqual(Canonical(("ordering", "rank")), Canonical(("ordering", "rank,-id")));
        Assert.Equal($"ordering=-id&limit=100&offset=0", Canonical(("ordering", "-id")));
    }

    [Fact]
    public void Filters_the_parser_cannot_produce_and_no_query_string_can_express_are_refused()
    {
        var rank = Ticket.Resource.Fields["rank"];
        var ordering = Ticket.Resource.DefaultOrdering;

        Assert.Throws<ArgumentException>(() => CanonicalQuery.Of(new ListQuery(
            [new FieldFilter(rank, Lookup.Exact, [1]), new FieldFilter(rank, Lookup.Exact, [2]), new FieldFilter(rank, Lookup.Exact, [3])], ordering, 100, 0)));
        Assert.Throws<ArgumentException>(() => CanonicalQuery.Of(new ListQuery(
            [new FieldFilter(rank, Lookup.GreaterThan, [1]), new FieldFilter(rank, Lookup.GreaterThan, [2])], ordering, 100, 0)));
        Assert.Throws<ArgumentException>(() => CanonicalQuery.Of(new ListQuery([new FieldFilter(rank, Lookup.Exact, [1.5])], ordering, 100, 0)));
    }

    [Property(MaxTest = 2000)]
    public Property The_canonical_string_parses_to_the_same_query_and_is_its_own_canonical_string() =>
        Prop.ForAll(Arb.From(QueryGenerators.SpelledQueries(subMicroseconds: true)), spelled =>
        {
            var query = TicketQueries.Parse(spelled.Parameters);
            var canonical = CanonicalQuery.Of(query);
            var reparsed = TicketQueries.ParseQueryString(canonical);

            Assert.Equal(canonical, CanonicalQuery.Of(reparsed));
            AssertSameMeaning(query, reparsed);
        });

    [Property(MaxTest = 1000)]
    public Property The_order_of_the_parameters_does_not_matter() =>
        Prop.ForAll(Arb.From(
            from spelled in QueryGenerators.SpelledQueries(subMicroseconds: true)
            from shuffled in Gen.Shuffle(spelled.Parameters.AsEnumerable())
            select (spelled, shuffled)), pair =>
        {
            Assert.Equal(Canonical(pair.spelled.Parameters), Canonical(pair.shuffled));
        });

    [Property(MaxTest = 2000)]
    public Property Every_spelling_of_a_query_has_the_same_canonical_string() =>
        Prop.ForAll(Arb.From(
            from spec in QueryGenerators.Queries(subMicroseconds: true)
            from one in QueryGenerators.Spelled(spec)
            from other in QueryGenerators.Spelled(spec)
            select (one, other)), pair =>
        {
            Assert.Equal(Canonical(pair.one.Parameters), Canonical(pair.other.Parameters));
        });

    [Property(MaxTest = 2000)]
    public Property Queries_that_differ_have_different_canonical_strings() =>
        Prop.ForAll(Arb.From(
            from spec in QueryGenerators.Queries(subMicroseconds: true)
            from mutant in QueryGenerators.Mutants(spec)
            from one in QueryGenerators.Spelled(spec)
            from other in QueryGenerators.Spelled(mutant)
            select (one, other)), pair =>
        {
            Assert.NotEqual(Canonical(pair.one.Parameters), Canonical(pair.other.Parameters));
        });

    /// <summary>The same filters (as sets: AND is idempotent, <c>__in</c> is a set), ordering and page.</summary>
    private static void AssertSameMeaning(ListQuery expected, ListQuery actual)
    {
        Assert.Equal(expected.Ordering, actual.Ordering);
        Assert.Equal(expected.Limit, actual.Limit);
        Assert.Equal(expected.Offset, actual.Offset);
        Assert.All(expected.Filters, filter => Assert.Contains(actual.Filters, other => SameFilter(filter, other)));
        Assert.All(actual.Filters, filter => Assert.Contains(expected.Filters, other => SameFilter(filter, other)));
    }

    private static bool SameFilter(FieldFilter one, FieldFilter other) =>
        one.Field == other.Field && one.Lookup == other.Lookup && new HashSet<object>(one.Values).SetEquals(other.Values);
}
