using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>
/// Keys and partitions of type long, Guid and string: one canonical text whether it comes from a filter, a captured
/// row or an item's JSON, so that change keys meet dependency keys; filters that parse per type and name the field when
/// they do not; and definitions that cannot work failing while the resources are registered or bound.
/// </summary>
public sealed class KeyTypeTests
{
    private static readonly Guid Sheet = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    private static ObserverQuery List<T>(ReactiveResource<T> resource, string queryString) where T : class
    {
        var errors = new QueryErrors();
        var query = resource.ParseQuery(QueryHelpers.ParseQuery(queryString), errors);
        Assert.False(errors.Any, string.Join(", ", errors.ToDictionary().Keys));
        return ObserverQuery.ForList(resource, query!, "alice");
    }

    private static IDictionary<string, string[]> Errors<T>(ReactiveResource<T> resource, string queryString) where T : class
    {
        var errors = new QueryErrors();
        Assert.Null(resource.ParseQuery(QueryHelpers.ParseQuery(queryString), errors));
        return errors.ToDictionary();
    }

    [Fact]
    public void Key_text_is_one_spelling_per_value_from_a_value_json_or_a_url()
    {
        Assert.Equal("5", KeyText.Of(5));
        Assert.Equal("-9007199254740993", KeyText.Of(-9007199254740993L));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", KeyText.Of(Sheet));
        Assert.Equal("a/b c", KeyText.Of("a/b c"));
        Assert.Throws<ArgumentException>(() => KeyText.Of(DateTime.UnixEpoch));

        Assert.Equal("9007199254740993", KeyText.FromJson(JsonSerializer.SerializeToElement(9007199254740993L), typeof(long)));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", KeyText.FromJson(JsonSerializer.SerializeToElement("0F8FAD5B-D9CB-469F-A165-70867728950E"), typeof(Guid)));
        Assert.Equal("007", KeyText.FromJson(JsonSerializer.SerializeToElement("007"), typeof(string)));
        Assert.Null(KeyText.FromJson(JsonSerializer.SerializeToElement("7"), typeof(int)));
        Assert.Null(KeyText.FromJson(JsonSerializer.SerializeToElement(7), typeof(string)));
        Assert.Null(KeyText.FromJson(JsonSerializer.SerializeToElement("not-a-uuid"), typeof(Guid)));

        // An item's id, whose type the protocol layer does not know, reads to the same text as its value.
        Assert.Equal(KeyText.Of(Sheet), ObservedItem.From(JsonSerializer.SerializeToElement(new { id = Sheet })).Key);
        Assert.Equal(KeyText.Of(12L), ObservedItem.From(JsonSerializer.SerializeToElement(new { id = 12L })).Key);
        Assert.Equal("x\"y", ObservedItem.From(JsonSerializer.SerializeToElement(new { id = "x\"y" })).Key);

        Assert.True(KeyText.TryParse(typeof(int), "42", out var integer) && integer is 42);
        Assert.False(KeyText.TryParse(typeof(int), "abc", out _));
        Assert.False(KeyText.TryParse(typeof(int), "9007199254740993", out _));
        Assert.True(KeyText.TryParse(typeof(long), "9007199254740993", out var wide) && wide is 9007199254740993L);
        Assert.True(KeyText.TryParse(typeof(Guid), "0f8fad5bd9cb469fa16570867728950e", out var uuid) && uuid is Guid parsed && parsed == Sheet);
        Assert.True(KeyText.TryParse(typeof(string), "any thing", out var text) && text is "any thing");
    }

    [Fact]
    public void A_captured_row_announces_the_keys_a_filter_on_the_same_values_depends_on()
    {
        var row = Ledgers.Row(9007199254740993L, Sheet, "a/b");
        var keys = Ledgers.Resource.ChangeKeys(Ledgers.Change("ledgers", null, row));

        Assert.Equal(["ledgers", "ledgers:id=9007199254740993", $"ledgers:sheetId={Sheet:D}", "ledgers:tag=a/b"], keys);
        Assert.Equal(["ledgers:id=9007199254740993"], Ledgers.Resource.DependencyKeys(List(Ledgers.Resource, "id=9007199254740993")));
        // However the filter spells the UUID, it depends on the key the row announces.
        Assert.Equal([$"ledgers:sheetId={Sheet:D}"], Ledgers.Resource.DependencyKeys(List(Ledgers.Resource, $"sheetId={Sheet.ToString("N").ToUpperInvariant()}")));
        Assert.Equal(["ledgers:tag=a/b", "ledgers:tag=c"], Ledgers.Resource.DependencyKeys(List(Ledgers.Resource, "tag__in=a%2Fb,c")));
        Assert.Equal(["ledgers:id=9007199254740993"], Ledgers.Resource.DependencyKeys(ObserverQuery.ForItem(Ledgers.Resource, 9007199254740993L, "alice")));

        Assert.Equal(["labels", "labels:id=x y", $"labels:sheetId={Sheet:D}"],
            Ledgers.Labels.ChangeKeys(Ledgers.Change("labels", JsonSerializer.SerializeToElement(new { id = "x y", sheet_id = Sheet }), null)));
        Assert.Equal(["labels:id=x y"], Ledgers.Labels.DependencyKeys(ObserverQuery.ForItem(Ledgers.Labels, "x y", "alice")));
        Assert.Equal(["sheets", $"sheets:id={Sheet:D}", "sheets:ledgerId=3"],
            Ledgers.Sheets.ChangeKeys(Ledgers.Change("sheets", JsonSerializer.SerializeToElement(new { id = Sheet, ledger_id = 3L }), null)));
    }

    [Fact]
    public void Filters_on_long_guid_and_string_keys_match_rows_exactly()
    {
        var row = Ledgers.Row(9007199254740993L, Sheet, "a");
        var other = Ledgers.Row(1, Guid.Empty, "b");
        bool May(string query, JsonElement candidate) =>
            Ledgers.Resource.MayAffect(List(Ledgers.Resource, query), Ledgers.Change("ledgers", null, candidate));

        Assert.True(May("id=9007199254740993", row));
        Assert.False(May("id=9007199254740992", row));
        Assert.True(May("id__gt=9007199254740992", row));
        Assert.True(May($"sheetId__in={Sheet:N},{Guid.Empty}", other));
        Assert.False(May($"sheetId={Sheet}", other));
        Assert.False(May("tag__in=x,y", row));

        var detail = ObserverQuery.ForItem(Ledgers.Resource, 9007199254740993L, "alice");
        Assert.True(Ledgers.Resource.MayAffect(detail, Ledgers.Change("ledgers", row, null)));
        Assert.False(Ledgers.Resource.MayAffect(detail, Ledgers.Change("ledgers", other, null)));
        var label = ObserverQuery.ForItem(Ledgers.Labels, "x", "alice");
        Assert.True(Ledgers.Labels.MayAffect(label, Ledgers.Change("labels", JsonSerializer.SerializeToElement(new { id = "x", sheet_id = Sheet }), null)));
        Assert.False(Ledgers.Labels.MayAffect(label, Ledgers.Change("labels", JsonSerializer.SerializeToElement(new { id = "X", sheet_id = Sheet }), null)));
    }

    [Fact]
    public void A_malformed_key_or_partition_value_is_an_error_naming_its_parameter()
    {
        Assert.Contains("'abc' is not a valid integer.", Errors(Ledgers.Resource, "id=abc")["id"]);
        Assert.Contains("id__in", Errors(Ledgers.Resource, "id__in=1,x").Keys);
        Assert.Contains("'nope' is not a valid UUID.", Errors(Ledgers.Resource, $"sheetId__in={Sheet},nope")["sheetId__in"]);
        Assert.Contains("sheetId__gt", Errors(Ledgers.Resource, $"sheetId__gt={Sheet}").Keys);
        Assert.Contains("id", Errors(Cards.Resource, "id=9007199254740993").Keys);

        // Spellings of one UUID are one canonical query, so one observer.
        Assert.Equal(List(Ledgers.Resource, $"sheetId={Sheet}").Query, List(Ledgers.Resource, $"sheetId={Sheet.ToString("B").ToUpperInvariant()}").Query);
    }

    [Fact]
    public void Batches_pin_values_of_the_partition_s_own_type()
    {
        var member = Ledgers.Resource.BatchMemberOf(List(Ledgers.Resource, $"sheetId={Sheet}&text=x"))!;
        Assert.Equal(Sheet, member.Pin);
        Assert.Equal(Ledgers.Resource.Fields["sheetId"], member.Shape.Pin);
        Assert.Equal("x", Assert.IsType<string>(Ledgers.Labels.BatchMemberOf(ObserverQuery.ForItem(Ledgers.Labels, "x", "alice"))!.Pin));
        Assert.Equal(5L, Ledgers.Resource.BatchMemberOf(ObserverQuery.ForItem(Ledgers.Resource, 5, "alice"))!.Pin);
    }

    [Fact]
    public void Detail_definitions_round_trip_and_int_keys_are_stored_as_numbers_as_before()
    {
        var catalog = new ResourceCatalog([Cards.Resource, Ledgers.Resource, Ledgers.Labels, Ledgers.Sheets]);
        foreach (var query in new[]
        {
            ObserverQuery.ForItem(Cards.Resource, 12, "alice"),
            ObserverQuery.ForItem(Ledgers.Resource, 9007199254740993L, "alice"),
            ObserverQuery.ForItem(Ledgers.Sheets, Sheet.ToString("N"), "alice"),
            ObserverQuery.ForItem(Ledgers.Labels, "a/b?c", "alice"),
        })
        {
            Assert.Equal(query, ObserverQuery.FromDefinition(query.ToDefinition(), catalog));
        }

        Assert.Contains("\"id\":12,", ObserverQuery.ForItem(Cards.Resource, 12, "alice").ToDefinition(), StringComparison.Ordinal);
        Assert.Equal($"/api/sheets/{Sheet:D}", ObserverQuery.ForItem(Ledgers.Sheets, Sheet, "alice").Url);
        Assert.Equal("/api/labels/a%2Fb%3Fc", ObserverQuery.ForItem(Ledgers.Labels, "a/b?c", "alice").Url);
        Assert.Throws<ArgumentException>(() => ObserverQuery.ForItem(Ledgers.Sheets, 5, "alice"));
    }

    [Fact]
    public void A_key_or_partition_of_another_type_fails_when_registered_naming_the_resource()
    {
        var key = Assert.Throws<InvalidOperationException>(() => ReactiveResource<Event>.KeyedBy("events", happening => happening.At));
        Assert.Equal("Reactive resource 'events' cannot work: its key 'at' is of type DateTime; keys may be int, long, Guid or string.", key.Message);

        var partition = Assert.Throws<InvalidOperationException>(() => new ReactiveResource<Event>("events", happening => happening.Id).PartitionedBy(happening => happening.At));
        Assert.Equal("Reactive resource 'events' cannot work: its partition 'at' is of type DateTime; partitions may be int, long, Guid or string.", partition.Message);

        // Generic code with a supported key type gets the same resource as the constructor.
        Assert.Equal(typeof(Guid), ReactiveResource<Sheet>.KeyedBy("sheets", sheet => sheet.Id).KeyType);
    }

    [Fact]
    public void An_entity_with_a_composite_primary_key_fails_when_bound()
    {
        using var db = new Ledgers.LedgersContext();
        var pairs = new ReactiveResource<Pair>("pairs", pair => pair.Left);
        var error = Assert.Throws<InvalidOperationException>(() => new ResourceCatalog([pairs]).Bind(db.Model));
        Assert.StartsWith("Reactive resource 'pairs' cannot work: its entity Pair has a composite primary key (Left, Right)", error.Message, StringComparison.Ordinal);
    }

    private sealed class Event
    {
        public int Id { get; set; }

        public DateTime At { get; set; }
    }
}
