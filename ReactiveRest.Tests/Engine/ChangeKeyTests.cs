using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>Which observers a write can affect: the keys writes announce and the keys queries depend on.</summary>
public sealed class ChangeKeyTests
{
    private sealed class Card
    {
        public int Id { get; set; }

        public int DeckId { get; set; }

        public string Text { get; set; } = "";
    }

    private static readonly ReactiveResource<Card> Cards = new ReactiveResource<Card>("cards", card => card.Id)
        .PartitionedBy(card => card.DeckId)
        .WithField(card => card.Text);

    private static IReadOnlyList<string> DependencyKeys(params (string Name, string Value)[] parameters)
    {
        var errors = new QueryErrors();
        var query = ListQueryParser.Parse(Cards, parameters.Select(p => new KeyValuePair<string, StringValues>(p.Name, p.Value)), errors);
        Assert.False(errors.Any);
        return Cards.DependencyKeys(query!);
    }

    [Fact]
    public void A_write_announces_the_table_and_the_old_and_new_partitions()
    {
        var before = new Card { Id = 7, DeckId = 1 };
        var after = new Card { Id = 7, DeckId = 2 };

        Assert.Equal(["cards", "cards:id=7", "cards:deckId=1", "cards:deckId=2"], Cards.ChangeKeys(before, after));
        Assert.Equal(["cards", "cards:id=7", "cards:deckId=2"], Cards.ChangeKeys(null, after));
        Assert.Equal(["cards", "cards:id=7", "cards:deckId=1"], Cards.ChangeKeys(before, null));
    }

    [Fact]
    public void A_query_depends_on_the_most_specific_partition_it_pins()
    {
        Assert.Equal(["cards"], DependencyKeys());
        Assert.Equal(["cards"], DependencyKeys(("text__icontains", "x"), ("deckId__gt", "1")));
        Assert.Equal(["cards:deckId=3"], DependencyKeys(("deckId", "3"), ("text", "x")));
        Assert.Equal(["cards:deckId=3", "cards:deckId=4"], DependencyKeys(("deckId__in", "3,4,3")));
        Assert.Equal(["cards:id=9"], DependencyKeys(("deckId", "3"), ("id", "9")));
        Assert.Equal("cards:id=9", Cards.ItemKey(9));
    }

    [Fact]
    public void Every_write_that_can_change_a_pinned_query_announces_one_of_its_keys()
    {
        // A card moved into, out of, or within deck 3 changes the result of deckId=3; others do not.
        var dependencies = DependencyKeys(("deckId", "3"));
        Assert.Contains(Cards.ChangeKeys(new Card { Id = 1, DeckId = 5 }, new Card { Id = 1, DeckId = 3 }), dependencies.Contains);
        Assert.Contains(Cards.ChangeKeys(new Card { Id = 1, DeckId = 3 }, new Card { Id = 1, DeckId = 5 }), dependencies.Contains);
        Assert.Contains(Cards.ChangeKeys(new Card { Id = 1, DeckId = 3 }, new Card { Id = 1, DeckId = 3 }), dependencies.Contains);
        Assert.DoesNotContain(Cards.ChangeKeys(new Card { Id = 1, DeckId = 4 }, new Card { Id = 1, DeckId = 5 }), dependencies.Contains);
    }
}
