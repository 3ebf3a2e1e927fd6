using Microsoft.AspNetCore.WebUtilities;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>
/// Observer identity: every spelling of one query by one user is one observer, ids cannot be computed without the
/// server's key, and the stored definition round-trips.
/// </summary>
public sealed class ObserverQueryTests
{
    private const string Secret = "a-test-secret-of-thirty-two-chars!";

    private static readonly ResourceCatalog Catalog = new([Cards.Resource]);

    private static ObserverQuery List(string queryString)
    {
        var errors = new QueryErrors();
        var query = Cards.Resource.ParseQuery(QueryHelpers.ParseQuery(queryString), errors, new HashSet<string> { "observe" });
        Assert.False(errors.Any, string.Join(", ", errors.ToDictionary().Keys));
        return ObserverQuery.ForList(Cards.Resource, query!, "alice");
    }

    [Theory]
    [InlineData("deckId=1&done=true&observe=alice", "observe=bob&done=True&deckId=01")]
    [InlineData("deckId__exact=1", "deckId=1&limit=100&offset=0&ordering=id")]
    [InlineData("deckId__in=2,1,2", "deckId__in=1,2")]
    public void Spellings_of_one_query_are_one_observer(string one, string other)
    {
        Assert.Equal(List(one).ObserverIdWith(Secret), List(other).ObserverIdWith(Secret));
        Assert.Matches("^[0-9a-f]{32}$", List(one).ObserverIdWith(Secret));
    }

    [Fact]
    public void Values_resources_and_principals_make_different_observers()
    {
        var query = List("deckId=1");

        Assert.NotEqual(query.ObserverIdWith(Secret), List("deckId=2").ObserverIdWith(Secret));
        Assert.NotEqual(query.ObserverIdWith(Secret), ObserverQuery.ForItem(Cards.Resource, 1, "alice").ObserverIdWith(Secret));
        Assert.NotEqual(query.ObserverIdWith(Secret), (query with { Principal = "user:42" }).ObserverIdWith(Secret));
    }

    [Fact]
    public void Ids_depend_on_the_server_key_and_no_user_name_can_collide_with_another_pair()
    {
        var query = List("deckId=1");

        // Whoever knows the user and the query, but not the key, cannot compute the id.
        Assert.NotEqual(query.ObserverIdWith(Secret), query.ObserverIdWith(Secret + "x"));
        // The user is length-prefixed: a name holding a newline cannot pose as another user's query.
        Assert.NotEqual((query with { Principal = "a" }).ObserverIdWith(Secret), (query with { Principal = "a\n/api/cards?x" }).ObserverIdWith(Secret));
    }

    [Fact]
    public void A_definition_round_trips_to_the_same_query()
    {
        var list = List("text__icontains=a%26b%20c&deckId__in=3,4&ordering=-text");
        var detail = ObserverQuery.ForItem(Cards.Resource, 12, "alice");

        var listAgain = ObserverQuery.FromDefinition(list.ToDefinition(), Catalog)!;
        var detailAgain = ObserverQuery.FromDefinition(detail.ToDefinition(), Catalog)!;

        Assert.Equal(list.ObserverIdWith(Secret), listAgain.ObserverIdWith(Secret));
        Assert.Equal(list.Url, listAgain.Url);
        Assert.Equal(CanonicalQuery.Of(list.List!), CanonicalQuery.Of(listAgain.List!));
        Assert.Equal("/api/cards/12", detailAgain.Url);
        Assert.Equal(detail.ObserverIdWith(Secret), detailAgain.ObserverIdWith(Secret));
        Assert.Null(ObserverQuery.FromDefinition("""{"resource":"gone","id":1,"query":"","principal":"anonymous"}""", Catalog));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("A-b_9", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    [InlineData("a/b", false)]
    [InlineData("alice\n", false)]
    public void Subscriber_ids_follow_the_rule_exactly(string id, bool valid)
    {
        Assert.Equal(valid, SubscriberIds.IsValid(id));
        Assert.True(SubscriberIds.IsValid(new string('x', 64)));
        Assert.False(SubscriberIds.IsValid(new string('x', 65)));
    }
}
