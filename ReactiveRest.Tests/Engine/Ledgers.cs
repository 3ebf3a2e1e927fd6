using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>A row with a bigint key, a uuid partition and a text partition, as the key-type unit tests need it.</summary>
public sealed class Ledger
{
    public long Id { get; set; }

    public Guid SheetId { get; set; }

    public string Tag { get; set; } = "";

    public string Text { get; set; } = "";
}

/// <summary>A row with a text key.</summary>
public sealed class Label
{
    public string Id { get; set; } = "";

    public Guid SheetId { get; set; }
}

/// <summary>A row with a uuid key.</summary>
public sealed class Sheet
{
    public Guid Id { get; set; }

    public long LedgerId { get; set; }
}

/// <summary>An entity whose primary key is two columns.</summary>
public sealed class Pair
{
    public int Left { get; set; }

    public int Right { get; set; }
}

/// <summary>Resources with long, Guid and string keys, bound to a real EF Core model (no database is opened).</summary>
public static class Ledgers
{
    public static readonly ReactiveResource<Ledger> Resource = Bind(new ReactiveResource<Ledger>("ledgers", ledger => ledger.Id)
        .PartitionedBy(ledger => ledger.SheetId)
        .PartitionedBy(ledger => ledger.Tag)
        .WithField(ledger => ledger.Text));

    public static readonly ReactiveResource<Label> Labels = Bind(new ReactiveResource<Label>("labels", label => label.Id)
        .PartitionedBy(label => label.SheetId));

    public static readonly ReactiveResource<Sheet> Sheets = Bind(new ReactiveResource<Sheet>("sheets", sheet => sheet.Id)
        .PartitionedBy(sheet => sheet.LedgerId));

    /// <summary>A row as row_to_json writes it: bigint as a number, uuid and text as strings.</summary>
    public static JsonElement Row(long id, Guid sheet, string tag, string text = "") =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["id"] = id, ["sheet_id"] = sheet, ["tag"] = tag, ["text"] = text });

    public static RowChange Change(string table, JsonElement? before, JsonElement? after) => new(table, before, after, null, DateTimeOffset.UnixEpoch);

    private static ReactiveResource<T> Bind<T>(ReactiveResource<T> resource) where T : class
    {
        using var db = new LedgersContext();
        resource.Bind(db.Model);
        return resource;
    }

    public sealed class LedgersContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseNpgsql("Host=unused");

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Ledger>(ledger =>
            {
                ledger.ToTable("ledgers");
                ledger.Property(l => l.Id).HasColumnName("id");
                ledger.Property(l => l.SheetId).HasColumnName("sheet_id");
                ledger.Property(l => l.Tag).HasColumnName("tag");
                ledger.Property(l => l.Text).HasColumnName("text");
            });
            modelBuilder.Entity<Label>(label =>
            {
                label.ToTable("labels");
                label.Property(l => l.Id).HasColumnName("id");
                label.Property(l => l.SheetId).HasColumnName("sheet_id");
            });
            modelBuilder.Entity<Sheet>(sheet =>
            {
                sheet.ToTable("sheets");
                sheet.Property(s => s.Id).HasColumnName("id");
                sheet.Property(s => s.LedgerId).HasColumnName("ledger_id");
            });
            modelBuilder.Entity<Pair>(pair =>
            {
                pair.ToTable("pairs");
                pair.HasKey(p => new { p.Left, p.Right });
            });
        }
    }
}
