using Microsoft.AspNetCore.WebUtilities;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>Which observers a captured row change can affect: the keys it announces, the keys queries depend on, and their filters.</summary>
public sealed class ChangeKeyTests
{
    private static ObserverQuery List(string queryString)
    {
        var errors = new QueryErrors();
        var query = Cards.Resource.ParseQuery(QueryHelpers.ParseQuery(queryString), errors);
        Assert.False(errors.Any);
        return ObserverQuery.ForList(Cards.Resource, query!, "alice");
    }

    [Fact]
    public void The_resource_is_bound_to_its_table_and_columns()
    {
        Assert.Equal("cards", Cards.Resource.Table);
        Assert.Equal(1, Cards.Resource.FieldsOf(Cards.Row(1, 1))["deckId"].GetInt32());
    }

    [Fact]
    public void A_change_announces_the_table_and_the_old_and_new_partitions()
    {
        var moved = Cards.Change(Cards.Row(7, 1), Cards.Row(7, 2));

        Assert.Equal(["cards", "cards:id=7", "cards:deckId=1", "cards:deckId=2"], Cards.Resource.ChangeKeys(moved));
        Assert.Equal(["cards", "cards:id=7", "cards:deckId=2"], Cards.Resource.ChangeKeys(Cards.Change(null, Cards.Row(7, 2))));
        Assert.Equal(["cards", "cards:id=7", "cards:deckId=1"], Cards.Resource.ChangeKeys(Cards.Change(Cards.Row(7, 1), null)));
    }

    [Fact]
    public void A_query_depends_on_the_most_specific_partition_it_pins()
    {
        Assert.Equal(["cards"], Cards.Resource.DependencyKeys(List("")));
        Assert.Equal(["cards"], Cards.Resource.DependencyKeys(List("text__icontains=x&deckId__gt=1")));
        Assert.Equal(["cards:deckId=3"], Cards.Resource.DependencyKeys(List("deckId=3&text=x")));
        Assert.Equal(["cards:deckId=3", "cards:deckId=4"], Cards.Resource.DependencyKeys(List("deckId__in=3,4,3")));
        Assert.Equal(["cards:id=9"], Cards.Resource.DependencyKeys(List("deckId=3&id=9")));
        Assert.Equal(["cards:id=9"], Cards.Resource.DependencyKeys(ObserverQuery.ForItem(Cards.Resource, 9, "alice")));
    }

    [Fact]
    public void Every_change_that_can_alter_a_pinned_query_announces_one_of_its_keys()
    {
        var dependencies = Cards.Resource.DependencyKeys(List("deckId=3"));

        Assert.Contains(Cards.Resource.ChangeKeys(Cards.Change(Cards.Row(1, 5), Cards.Row(1, 3))), dependencies.Contains);
        Assert.Contains(Cards.Resource.ChangeKeys(Cards.Change(Cards.Row(1, 3), Cards.Row(1, 5))), dependencies.Contains);
        Assert.Contains(Cards.Resource.ChangeKeys(Cards.Change(Cards.Row(1, 3), Cards.Row(1, 3, "x"))), dependencies.Contains);
        Assert.DoesNotContain(Cards.Resource.ChangeKeys(Cards.Change(Cards.Row(1, 4), Cards.Row(1, 5))), dependencies.Contains);
    }

    [Fact]
    public void A_list_is_affected_only_when_the_row_before_or_after_matches_its_filters()
    {
        var undone = List("done=false");
        var containsX = List("text__icontains=x");

        Assert.False(Cards.Resource.MayAffect(undone, Cards.Change(Cards.Row(1, 1, done: true), Cards.Row(1, 1, "renamed", done: true))));
        Assert.True(Cards.Resource.MayAffect(undone, Cards.Change(Cards.Row(1, 1, done: true), Cards.Row(1, 1, done: false))));
        Assert.True(Cards.Resource.MayAffect(undone, Cards.Change(Cards.Row(1, 1, done: false), null)));
        Assert.False(Cards.Resource.MayAffect(containsX, Cards.Change(Cards.Row(1, 1, "abc"), Cards.Row(1, 1, "abd"))));
        Assert.True(Cards.Resource.MayAffect(containsX, Cards.Change(Cards.Row(1, 1, "abc"), Cards.Row(1, 1, "aXc"))));
        Assert.True(Cards.Resource.MayAffect(List("limit=2&offset=1"), Cards.Change(null, Cards.Row(1, 1))));
    }

    [Fact]
    public void A_detail_is_affected_by_its_own_row_only()
    {
        var detail = ObserverQuery.ForItem(Cards.Resource, 7, "alice");

        Assert.True(Cards.Resource.MayAffect(detail, Cards.Change(Cards.Row(7, 1), Cards.Row(7, 1, "x"))));
        Assert.True(Cards.Resource.MayAffect(detail, Cards.Change(Cards.Row(7, 1), null)));
        Assert.False(Cards.Resource.MayAffect(detail, Cards.Change(Cards.Row(8, 1), Cards.Row(8, 1, "x"))));
    }
}
