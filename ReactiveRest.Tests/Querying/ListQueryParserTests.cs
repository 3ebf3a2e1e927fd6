using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Querying;

/// <summary>The query language without a database: fast checks of parsing and validation.</summary>
public sealed class ListQueryParserTests
{
    private sealed class Note
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";

        public bool Pinned { get; set; }

        public int Rank { get; set; }

        public DateTimeOffset At { get; set; }
    }

    private static readonly ReactiveResource<Note> Notes = new ReactiveResource<Note>("notes", note => note.Id)
        .WithField(note => note.Text)
        .WithField(note => note.Pinned)
        .WithField(note => note.Rank)
        .WithField(note => note.At)
        .OrderedBy("-rank");

    private static (ListQuery? Query, IDictionary<string, string[]> Errors) Parse(params (string Name, string Value)[] parameters)
    {
        var errors = new QueryErrors();
        var query = ListQueryParser.Parse(
            Notes,
            parameters.GroupBy(p => p.Name).Select(g => new KeyValuePair<string, StringValues>(g.Key, g.Select(p => p.Value).ToArray())),
            errors);
        return (query, errors.ToDictionary());
    }

    [Fact]
    public void No_parameters_give_the_default_ordering_ending_with_the_key_and_the_default_page()
    {
        var (query, errors) = Parse();

        Assert.Empty(errors);
        Assert.Empty(query!.Filters);
        Assert.Equal([new OrderingTerm("rank", true), new OrderingTerm("id", false)], query.Ordering);
        Assert.Equal(ListQuery.DefaultLimit, query.Limit);
        Assert.Equal(0, query.Offset);
    }

    [Theory]
    [InlineData("rank", "3", Lookup.Exact, 3)]
    [InlineData("rank__exact", "-3", Lookup.Exact, -3)]
    [InlineData("rank__gt", "3", Lookup.GreaterThan, 3)]
    [InlineData("rank__gte", "3", Lookup.GreaterThanOrEqual, 3)]
    [InlineData("rank__lt", "3", Lookup.LessThan, 3)]
    [InlineData("rank__lte", "3", Lookup.LessThanOrEqual, 3)]
    public void Integer_lookups_parse_their_value(string name, string value, Lookup lookup, int expected)
    {
        var (query, errors) = Parse((name, value));

        Assert.Empty(errors);
        var filter = Assert.Single(query!.Filters);
        Assert.Equal("rank", filter.Field.Name);
        Assert.Equal(lookup, filter.Lookup);
        Assert.Equal(expected, Assert.Single(filter.Values));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    public void Booleans_accept_django_filter_spellings(string value, bool expected)
    {
        var (query, _) = Parse(("pinned", value));

        Assert.Equal(expected, Assert.Single(Assert.Single(query!.Filters).Values));
    }

    [Fact]
    public void Timestamps_are_compared_as_utc_instants()
    {
        var (query, _) = Parse(("at__gte", "2026-01-02T03:04:05+02:00"));

        var value = (DateTimeOffset)Assert.Single(Assert.Single(query!.Filters).Values);
        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 4, 5, TimeSpan.Zero), value);
    }

    [Fact]
    public void In_splits_on_commas_and_types_each_value()
    {
        var (query, _) = Parse(("rank__in", "1,2,3"));

        Assert.Equal([1, 2, 3], Assert.Single(query!.Filters).Values.Cast<int>());
    }

    [Fact]
    public void Ordering_appends_the_key_once_and_keeps_an_explicit_key()
    {
        Assert.Equal(
            [new OrderingTerm("pinned", false), new OrderingTerm("text", true), new OrderingTerm("id", false)],
            Parse(("ordering", "pinned,-text")).Query!.Ordering);
        Assert.Equal([new OrderingTerm("id", true)], Parse(("ordering", "-id")).Query!.Ordering);
    }

    [Fact]
    public void Every_bad_parameter_is_reported_at_once_under_its_own_name()
    {
        var (query, errors) = Parse(("colour", "red"), ("rank__icontains", "1"), ("pinned", "maybe"), ("limit", "5000"), ("offset", "-1"), ("ordering", "nope"));

        Assert.Null(query);
        Assert.Equal(["colour", "limit", "offset", "ordering", "pinned", "rank__icontains"], errors.Keys.Order());
    }

    [Theory]
    [InlineData("text__icontains")]
    [InlineData("text__gt")]
    [InlineData("rank__in")]
    [InlineData("pinned__in")]
    [InlineData("at__lte")]
    public void Lookups_allowed_for_the_kind_of_field_are_accepted(string name)
    {
        var value = name.StartsWith("at", StringComparison.Ordinal) ? "2026-01-01T00:00:00Z" : name.StartsWith("pinned", StringComparison.Ordinal) ? "true" : "1";

        Assert.Empty(Parse((name, value)).Errors);
    }

    [Theory]
    [InlineData("pinned__gt", "true")]
    [InlineData("rank__icontains", "1")]
    [InlineData("text__regex", "a")]
    [InlineData("__gt", "1")]
    [InlineData("rank__", "1")]
    public void Lookups_not_allowed_for_the_field_are_refused(string name, string value)
    {
        Assert.Contains(name, Parse((name, value)).Errors.Keys);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1000", 1000)]
    public void Limits_within_bounds_are_accepted(string value, int expected)
    {
        Assert.Equal(expected, Parse(("limit", value)).Query!.Limit);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("")]
    public void Limits_out_of_bounds_or_malformed_are_refused(string value)
    {
        Assert.Contains("limit", Parse(("limit", value)).Errors.Keys);
    }
}
