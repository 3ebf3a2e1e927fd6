using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>A small resource bound to a real EF Core model (no database is opened), for the engine's unit tests.</summary>
public sealed class Card
{
    public int Id { get; set; }

    public int DeckId { get; set; }

    public string Text { get; set; } = "";

    public bool Done { get; set; }
}

public static class Cards
{
    public static readonly ReactiveResource<Card> Resource = Bound();

    private static ReactiveResource<Card> Bound()
    {
        var resource = new ReactiveResource<Card>("cards", card => card.Id)
            .PartitionedBy(card => card.DeckId)
            .WithField(card => card.Text)
            .WithField(card => card.Done);
        using var db = new CardsContext();
        resource.Bind(db.Model);
        return resource;
    }

    /// <summary>A row as the capture trigger records it: column names, as to_jsonb writes them.</summary>
    public static JsonElement Row(int id, int deck, string text = "", bool done = false) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["id"] = id, ["deck_id"] = deck, ["text"] = text, ["done"] = done });

    public static RowChange Change(JsonElement? before, JsonElement? after) => new("cards", before, after, null, DateTimeOffset.UnixEpoch);

    private sealed class CardsContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseNpgsql("Host=unused");

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Card>(card =>
        {
            card.ToTable("cards");
            card.Property(c => c.Id).HasColumnName("id");
            card.Property(c => c.DeckId).HasColumnName("deck_id");
            card.Property(c => c.Text).HasColumnName("text");
            card.Property(c => c.Done).HasColumnName("done");
        });
    }
}
