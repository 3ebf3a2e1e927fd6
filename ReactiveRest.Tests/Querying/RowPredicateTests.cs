using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Querying;

/// <summary>
/// Whether a written row can match a query: exact where C# reproduces PostgreSQL, "may match" wherever it cannot, and
/// never a false negative.
/// </summary>
public sealed class RowPredicateTests
{
    private const string Row = """
        {"id": 7, "queue": 2, "title": "Hello World", "open": true, "rank": -3, "dueAt": "2026-11-30T17:15:04.123456+00:00"}
        """;

    private static bool MayMatch(string rowJson, params (string Name, string Value)[] parameters) =>
        RowPredicate.MayMatch(TicketQueries.Parse(parameters).Filters, JsonbRows.Parse(rowJson));

    private static bool MayMatch(params (string Name, string Value)[] parameters) => MayMatch(Row, parameters);

    private static string RowWith(string field, string json) => $$"""{"{{field}}": {{json}}}""";

    [Fact]
    public void A_query_without_filters_matches_every_row()
    {
        Assert.True(RowPredicate.MayMatch([], JsonbRows.Parse(Row)));
        Assert.True(RowPredicate.MayMatch([], JsonbRows.Parse("{}")));
    }

    [Theory]
    [InlineData("rank", "-3", true)]
    [InlineData("rank", "3", false)]
    [InlineData("rank__in", "1,-3", true)]
    [InlineData("rank__in", "1,3", false)]
    [InlineData("rank__gt", "-4", true)]
    [InlineData("rank__gt", "-3", false)]
    [InlineData("rank__gte", "-3", true)]
    [InlineData("rank__gte", "-2", false)]
    [InlineData("rank__lt", "-2", true)]
    [InlineData("rank__lt", "-3", false)]
    [InlineData("rank__lte", "-3", true)]
    [InlineData("rank__lte", "-4", false)]
    [InlineData("id", "7", true)]
    [InlineData("queue__in", "1,3", false)]
    public void Integers_are_exact_for_every_lookup(string name, string value, bool expected)
    {
        Assert.Equal(expected, MayMatch((name, value)));
    }

    [Theory]
    [InlineData("open", "true", true)]
    [InlineData("open", "false", false)]
    [InlineData("open__in", "false,true", true)]
    [InlineData("open__in", "false", false)]
    public void Booleans_are_exact(string name, string value, bool expected)
    {
        Assert.Equal(expected, MayMatch((name, value)));
    }

    [Theory]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt", "2026-11-30T17:15:04.123456Z", true)]
    [InlineData("2026-11-30T18:15:04.123456+01:00", "dueAt", "2026-11-30T17:15:04.123456Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt", "2026-11-30T12:45:04.123456-04:30", true)]
    [InlineData("2026-11-30T17:15:04.123457+00:00", "dueAt", "2026-11-30T17:15:04.123456Z", false)]
    [InlineData("2026-11-30T17:15:04+00:00", "dueAt", "2026-11-30T17:15:04Z", true)]
    [InlineData("2026-11-30T17:15:04+00:00", "dueAt", "2026-11-30T17:15:04.000001Z", false)]
    [InlineData("2026-11-30T17:15:04.12+00:00", "dueAt", "2026-11-30T17:15:04.120000Z", true)]
    [InlineData("2026-11-30T17:15:04.12+00:00", "dueAt__in", "2026-11-30T17:15:04Z,2026-11-30T17:15:04.12Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__gt", "2026-11-30T17:15:04.123455Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__gt", "2026-11-30T17:15:04.123456Z", false)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__gte", "2026-11-30T17:15:04.123456Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__gte", "2026-11-30T17:15:04.123457Z", false)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lt", "2026-11-30T17:15:04.123457Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lt", "2026-11-30T17:15:04.123456Z", false)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lte", "2026-11-30T17:15:04.123456Z", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lte", "2026-11-30T17:15:04.123455Z", false)]
    public void Timestamps_compare_as_instants_at_microsecond_precision(string rowValue, string name, string value, bool expected)
    {
        Assert.Equal(expected, MayMatch(RowWith("dueAt", $"\"{rowValue}\""), (name, value)));
    }

    /// <summary>Npgsql cuts .1234565 to .123456 or .123457 (depending on the side of 2000-01-01): either may be compared.</summary>
    [Theory]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt", true)]
    [InlineData("2026-11-30T17:15:04.123457+00:00", "dueAt", true)]
    [InlineData("2026-11-30T17:15:04.123458+00:00", "dueAt", false)]
    [InlineData("2026-11-30T17:15:04.123455+00:00", "dueAt", false)]
    [InlineData("2026-11-30T17:15:04.123457+00:00", "dueAt__gt", true)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__gt", false)]
    [InlineData("2026-11-30T17:15:04.123457+00:00", "dueAt__gte", true)]
    [InlineData("2026-11-30T17:15:04.123455+00:00", "dueAt__gte", false)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lt", true)]
    [InlineData("2026-11-30T17:15:04.123457+00:00", "dueAt__lt", false)]
    [InlineData("2026-11-30T17:15:04.123456+00:00", "dueAt__lte", true)]
    [InlineData("2026-11-30T17:15:04.123458+00:00", "dueAt__lte", false)]
    public void A_filter_value_below_a_microsecond_may_match_either_neighbouring_microsecond(string rowValue, string name, bool expected)
    {
        Assert.Equal(expected, MayMatch(RowWith("dueAt", $"\"{rowValue}\""), (name, "2026-11-30T17:15:04.1234565Z")));
    }

    /// <summary>Npgsql may send DateTimeOffset.MinValue and MaxValue as -infinity and infinity.</summary>
    [Theory]
    [InlineData("dueAt__gt", "0001-01-01T00:00:00Z")]
    [InlineData("dueAt__lt", "9999-12-31T23:59:59.9999999Z")]
    public void The_extreme_instants_may_match(string name, string value)
    {
        Assert.True(MayMatch(RowWith("dueAt", "\"0001-01-01T00:00:00+00:00\""), (name, value)));
        Assert.True(MayMatch(RowWith("dueAt", "\"9999-12-31T23:59:59.999999+00:00\""), (name, value)));
    }

    [Theory]
    [InlineData("\"infinity\"")]
    [InlineData("\"-infinity\"")]
    [InlineData("\"10000-01-01T00:00:00+00:00\"")]
    [InlineData("\"0044-03-15T12:00:00+00:00 BC\"")]
    [InlineData("\"1900-01-01T00:00:00+00:09:21\"")]
    [InlineData("\"2026-11-30 17:15:04+00\"")]
    [InlineData("\"yesterday\"")]
    public void A_row_timestamp_that_is_not_a_finite_one_of_to_jsonb_may_match(string json)
    {
        Assert.True(MayMatch(RowWith("dueAt", json), ("dueAt", "2026-11-30T17:15:04Z")));
    }

    [Theory]
    [InlineData("title", "Hello World", true)]
    [InlineData("title", "hello world", false)]
    [InlineData("title", "Hello World ", false)]
    [InlineData("title", "Hello", false)]
    [InlineData("title__in", "Hi,Hello World", true)]
    [InlineData("title__in", "Hi,hello world", false)]
    public void Strings_are_equal_by_ordinal(string name, string value, bool expected)
    {
        Assert.Equal(expected, MayMatch((name, value)));
    }

    [Fact]
    public void Strings_are_equal_by_their_code_points_not_by_unicode_equivalence()
    {
        Assert.True(MayMatch(RowWith("title", "\"caf\u00e9\""), ("title", "caf\u00e9")));
        Assert.False(MayMatch(RowWith("title", "\"caf\u00e9\""), ("title", "cafe\u0301")));
        Assert.True(MayMatch(RowWith("title", "\"\\u00c9t\u00e9 \\ud83d\\ude00\""), ("title", "\u00c9t\u00e9 \U0001F600")));
    }

    [Fact]
    public void A_string_postgresql_cannot_hold_may_match()
    {
        // The parser refuses such values (400), so the filters are built by hand: the predicate must still never say no.
        var title = Ticket.Resource.Fields["title"];
        static bool Matches(FieldFilter filter) => RowPredicate.MayMatch([filter], JsonbRows.Parse(Row));
        Assert.True(Matches(new FieldFilter(title, Lookup.Exact, ["\ud800"])));
        Assert.True(Matches(new FieldFilter(title, Lookup.Exact, ["Hello World\0"])));
        Assert.True(Matches(new FieldFilter(title, Lookup.In, ["x", "\udc00"])));
        Assert.True(Matches(new FieldFilter(title, Lookup.IContains, ["\0"])));
    }

    [Theory]
    [InlineData("title__gt", "zzz")]
    [InlineData("title__gte", "zzz")]
    [InlineData("title__lt", "A")]
    [InlineData("title__lte", "A")]
    public void String_comparisons_depend_on_the_collation_and_may_match(string name, string value)
    {
        Assert.True(MayMatch((name, value)));
    }

    [Theory]
    [InlineData("Hello World", "WORLD", true)]
    [InlineData("Hello World", "lo w", true)]
    [InlineData("Hello World", "", true)]
    [InlineData("Hello World", "Worlds", false)]
    [InlineData("Hello World", "xyz", false)]
    [InlineData("100%", "0%", true)]
    [InlineData("1000", "0%", false)]
    [InlineData("a_b", "_", true)]
    [InlineData("ab", "_", false)]
    public void Icontains_on_ascii_is_exact(string title, string value, bool expected)
    {
        Assert.Equal(expected, MayMatch(RowWith("title", JsonSerializer.Serialize(title)), ("title__icontains", value)));
    }

    /// <summary>PostgreSQL's lower() follows the database locale beyond ASCII (and, in Turkish, lowers I to ı).</summary>
    [Theory]
    [InlineData("Hello World", "É")]
    [InlineData("Hello World", "ı")]
    [InlineData("Été", "xyz")]
    [InlineData("İstanbul", "i")]
    [InlineData("İstanbul", "q")]
    public void Icontains_beyond_ascii_may_match(string title, string value)
    {
        Assert.True(MayMatch(RowWith("title", JsonSerializer.Serialize(title)), ("title__icontains", value)));
    }

    [Theory]
    [InlineData("rank", "3")]
    [InlineData("open", "false")]
    [InlineData("title", "x")]
    [InlineData("title__icontains", "x")]
    [InlineData("dueAt", "2000-01-01T00:00:00Z")]
    public void A_field_missing_or_null_may_match(string name, string value)
    {
        var field = name.Split("__")[0];
        Assert.True(MayMatch("{}", (name, value)));
        Assert.True(MayMatch(RowWith(field, "null"), (name, value)));
    }

    [Theory]
    [InlineData("rank", "\"-3\"")]
    [InlineData("rank", "-3.5")]
    [InlineData("rank", "1e20")]
    [InlineData("rank", "true")]
    [InlineData("rank", "[1]")]
    [InlineData("open", "\"false\"")]
    [InlineData("open", "0")]
    [InlineData("title", "42")]
    [InlineData("title", "{}")]
    [InlineData("dueAt", "1764522904")]
    public void A_value_of_an_unexpected_json_kind_may_match(string field, string json)
    {
        var value = field switch { "open" => "true", "dueAt" => "2000-01-01T00:00:00Z", _ => "3" };
        Assert.True(MayMatch(RowWith(field, json), (field, value)));
    }

    [Fact]
    public void A_json_string_with_a_lone_surrogate_escape_may_match()
    {
        Assert.True(MayMatch(RowWith("title", "\"\\ud800\""), ("title", "x")));
        Assert.True(MayMatch(RowWith("title", "\"\\ud800\""), ("title__icontains", "x")));
    }

    [Fact]
    public void An_element_of_a_disposed_document_may_match()
    {
        var document = JsonDocument.Parse("3");
        var row = new Dictionary<string, JsonElement> { ["rank"] = document.RootElement };
        document.Dispose();

        Assert.True(RowPredicate.MayMatch(TicketQueries.Parse(("rank", "4")).Filters, row));
    }

    [Fact]
    public void Filters_built_by_hand_with_no_values_or_values_of_the_wrong_type_may_match()
    {
        var row = JsonbRows.Parse(Row);
        var rank = Ticket.Resource.Fields["rank"];
        var title = Ticket.Resource.Fields["title"];
        var dueAt = Ticket.Resource.Fields["dueAt"];

        Assert.True(RowPredicate.MayMatch([new FieldFilter(rank, Lookup.Exact, [])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(rank, Lookup.In, [])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(rank, Lookup.Exact, ["4"])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(rank, Lookup.Exact, [4L])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(title, Lookup.Exact, [4])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(title, Lookup.IContains, [4])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(dueAt, Lookup.Exact, [DateTime.UnixEpoch])], row));
        Assert.True(RowPredicate.MayMatch([new FieldFilter(rank, Lookup.IContains, [4])], row));
    }

    [Fact]
    public void Every_filter_must_match()
    {
        Assert.True(MayMatch(("rank", "-3"), ("open", "true"), ("title__icontains", "world")));
        Assert.False(MayMatch(("rank", "-3"), ("open", "false"), ("title__icontains", "world")));
        Assert.False(MayMatch(("title__gt", "zzz"), ("rank", "3")));
        Assert.True(MayMatch(("title__gt", "zzz"), ("rank", "-3")));
    }

    [Property(MaxTest = 3000)]
    public Property Never_a_false_negative_and_exact_wherever_postgresql_is_reproducible() =>
        Prop.ForAll(Arb.From(QueryGenerators.RowCases(subMicroseconds: false)), rowCase =>
        {
            var query = TicketQueries.Parse(rowCase.Query.Parameters);
            var tickets = rowCase.Rows.Select(row => row.Ticket).ToList();
            var matching = Truth(tickets, query);
            foreach (var written in rowCase.Rows)
            {
                var mayMatch = RowPredicate.MayMatch(query.Filters, JsonbRows.Of(written.Ticket, written.Offset, written.TrimFraction));
                var matches = matching.Contains(written.Ticket);
                if (query.Filters.All(filter => IsExact(filter, written.Ticket)))
                {
                    Assert.True(matches == mayMatch, $"{written}: matches {matches}, may match {mayMatch}.");
                }
                else
                {
                    Assert.True(mayMatch || !matches, $"{written} matches but may not.");
                }
            }
        });

    /// <summary>
    /// Whichever way Npgsql cuts a sub-microsecond filter value, and compared at full precision, a matching row may
    /// match.
    /// </summary>
    [Property(MaxTest = 2000)]
    public Property Sub_microsecond_filter_values_never_cause_a_false_negative() =>
        Prop.ForAll(Arb.From(QueryGenerators.RowCases(subMicroseconds: true)), rowCase =>
        {
            var query = TicketQueries.Parse(rowCase.Query.Parameters);
            var tickets = rowCase.Rows.Select(row => row.Ticket).ToList();
            var truths = new[] { query, WithInstants(query, Floor), WithInstants(query, Ceiling) }.Select(each => Truth(tickets, each)).ToList();
            foreach (var written in rowCase.Rows)
            {
                var mayMatch = RowPredicate.MayMatch(query.Filters, JsonbRows.Of(written.Ticket, written.Offset, written.TrimFraction));
                Assert.True(mayMatch || !truths.Any(matching => matching.Contains(written.Ticket)), $"{written} matches but may not.");
            }
        });

    [Fact]
    public void The_generated_cases_decide_exactly_both_ways_often()
    {
        var outcomes = new Dictionary<bool, int> { [false] = 0, [true] = 0 };
        foreach (var rowCase in Gen.Sample(QueryGenerators.RowCases(subMicroseconds: false), 500))
        {
            var query = TicketQueries.Parse(rowCase.Query.Parameters);
            var matching = Truth([.. rowCase.Rows.Select(row => row.Ticket)], query);
            foreach (var written in rowCase.Rows.Where(row => query.Filters.Count > 0 && query.Filters.All(filter => IsExact(filter, row.Ticket))))
            {
                outcomes[matching.Contains(written.Ticket)]++;
            }
        }

        Assert.True(outcomes[true] > 100 && outcomes[false] > 100, $"Matches: {outcomes[true]}, non-matches: {outcomes[false]}.");
    }

    /// <summary>What the query's LINQ selects in memory (invariant globalization makes ToLower invariant).</summary>
    private static HashSet<Ticket> Truth(List<Ticket> tickets, ListQuery query) =>
        [.. tickets.AsQueryable().FilterAndOrder(Ticket.Resource, query)];

    /// <summary>The filters whose answer the predicate promises to be exact for this row.</summary>
    private static bool IsExact(FieldFilter filter, Ticket ticket) => (filter.Field.Kind, filter.Lookup) switch
    {
        (FieldKind.String, Lookup.Exact or Lookup.In) => true,
        (FieldKind.String, Lookup.IContains) => Ascii.IsValid((string)filter.Values[0]) && Ascii.IsValid(ticket.Title),
        (FieldKind.String, _) => false,
        _ => true,
    };

    private static ListQuery WithInstants(ListQuery query, Func<DateTimeOffset, DateTimeOffset> cut) => query with
    {
        Filters = [.. query.Filters.Select(filter => filter with
        {
            Values = [.. filter.Values.Select(value => value is DateTimeOffset instant ? cut(instant) : value)],
        })],
    };

    private static DateTimeOffset Floor(DateTimeOffset instant) =>
        instant.AddTicks(-(instant.UtcTicks % TimeSpan.TicksPerMicrosecond));

    private static DateTimeOffset Ceiling(DateTimeOffset instant) =>
        instant.UtcTicks % TimeSpan.TicksPerMicrosecond == 0 ? instant : Floor(instant).AddTicks(TimeSpan.TicksPerMicrosecond);
}
