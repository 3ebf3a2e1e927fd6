using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// Resources keyed by a uuid, a text and a bigint column, and two resources over one table, on a database of their own:
/// capture is installed once per table, queries filtered on those keys and partitions evaluate alone and batched to the
/// same items, and the rows the triggers capture announce exactly the change keys the observers of those rows depend on.
/// </summary>
public sealed class KeyTypesTests(ReactiveRestApp app)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ReactiveResource<Doc> Docs = new ReactiveResource<Doc>("docs", doc => doc.Id).WithField(doc => doc.Title);

    /// <summary>A second resource over the docs table, ordered otherwise.</summary>
    private static readonly ReactiveResource<Doc> Titled = new ReactiveResource<Doc>("titled", doc => doc.Id).WithField(doc => doc.Title).OrderedBy("title");

    private static readonly ReactiveResource<Tag> Tags = new ReactiveResource<Tag>("tags", tag => tag.Id).PartitionedBy(tag => tag.DocId).WithField(tag => tag.Note);

    private static readonly ReactiveResource<Line> Lines = new ReactiveResource<Line>("lines", line => line.Id).PartitionedBy(line => line.DocId).WithField(line => line.Position);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Guid_string_and_long_keys_evaluate_batch_and_match_captured_changes()
    {
        var name = $"keys_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        await Sql.ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {name}");
        var own = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            await using var db = new KeyedDb(new DbContextOptionsBuilder<KeyedDb>().UseNpgsql(own).Options);
            await db.Database.EnsureCreatedAsync(Cancellation);
            var catalog = new ResourceCatalog([Docs, Titled, Tags, Lines]);
            catalog.Bind(db);

            // Two resources over docs: both are its table's, and its capture is installed once.
            Assert.Equal(["docs", "lines", "tags"], catalog.CapturedTables);
            Assert.Equal([Docs, Titled], catalog.ForTable("docs"));
            Assert.Equal(["docs", "lines", "tags"], (await CaptureReconciler.ReconcileAsync(db, catalog.CapturedTables, Cancellation)).Order(StringComparer.Ordinal));
            await CaptureReconciler.VerifyAsync(db, catalog, Cancellation);
            Assert.Equal(2, await Sql.ScalarAsync(own, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'docs'::regclass AND NOT tgisinternal"));

            var plan = new Doc { Title = "plan" };
            var notes = new Doc { Title = "notes" };
            db.AddRange(plan, notes);
            db.AddRange(new Tag { Id = "a/b", DocId = plan.Id, Note = "slash" }, new Tag { Id = "c", DocId = plan.Id }, new Tag { Id = "d", DocId = notes.Id });
            var first = new Line { DocId = plan.Id, Position = 1 };
            db.AddRange(first, new Line { DocId = notes.Id, Position = 2 });
            await db.SaveChangesAsync(Cancellation);
            Assert.NotEqual(Guid.Empty, plan.Id);
            db.ChangeTracker.Clear();

            // Filters on the keys and partitions of each type, and details by each key type.
            Assert.Equal(["a/b", "c"], Keys(await EvaluateAsync(db, Tags, $"docId={plan.Id}")));
            Assert.Equal(["a/b", "d"], Keys(await EvaluateAsync(db, Tags, "id__in=d,a%2Fb")));
            Assert.Equal([KeyText.Of(plan.Id)], Keys(await EvaluateAsync(db, Docs, $"id={plan.Id.ToString("N").ToUpperInvariant()}")));
            Assert.Equal([KeyText.Of(notes.Id), KeyText.Of(plan.Id)], Keys(await EvaluateAsync(db, Titled, "")));
            Assert.Equal(2, (await EvaluateAsync(db, Lines, $"docId__in={plan.Id},{notes.Id}")).Count);
            var planItem = Assert.Single(await Docs.EvaluateAsync(db, ObserverQuery.ForItem(Docs, plan.Id, "alice"), Json, Cancellation));
            Assert.Equal(KeyText.Of(plan.Id), JsonDocument.Parse(planItem.Json).RootElement.GetProperty("id").GetString());
            Assert.Equal(planItem, ObservedItem.ParseArray(ObservedItem.ToJsonArray([planItem]))[0]);
            Assert.Single(await Tags.EvaluateAsync(db, ObserverQuery.ForItem(Tags, "a/b", "alice"), Json, Cancellation));
            Assert.Equal([KeyText.Of(first.Id)], Keys(await Lines.EvaluateAsync(db, ObserverQuery.ForItem(Lines, first.Id, "alice"), Json, Cancellation)));
            Assert.Empty(await Lines.EvaluateAsync(db, ObserverQuery.ForItem(Lines, long.MaxValue, "alice"), Json, Cancellation));

            // Batched, each shape pins values of its own type (uuid, text, bigint), to the same items as alone.
            await AssertBatchedAsAloneAsync(db, Tags, [List(Tags, $"docId={plan.Id}"), List(Tags, $"docId={notes.Id}"), List(Tags, $"docId={Guid.NewGuid()}")]);
            await AssertBatchedAsAloneAsync(db, Tags, [ObserverQuery.ForItem(Tags, "a/b", "alice"), ObserverQuery.ForItem(Tags, "d", "bob"), ObserverQuery.ForItem(Tags, "zz", "alice")]);
            await AssertBatchedAsAloneAsync(db, Docs, [ObserverQuery.ForItem(Docs, plan.Id, "alice"), ObserverQuery.ForItem(Docs, notes.Id, "alice")]);
            await AssertBatchedAsAloneAsync(db, Lines, [ObserverQuery.ForItem(Lines, first.Id, "alice"), ObserverQuery.ForItem(Lines, first.Id + 1, "bob")]);
            await AssertBatchedAsAloneAsync(db, Lines, [List(Lines, $"docId={plan.Id}"), List(Lines, $"docId={notes.Id}")]);

            // Writes in SQL: the captured rows announce the keys their observers depend on.
            var movedBefore = List(Tags, $"docId={plan.Id}");
            var movedAfter = List(Tags, $"docId={notes.Id}");
            var slash = ObserverQuery.ForItem(Tags, "a/b", "alice");
            var previous = await Tags.EvaluateAsync(db, movedAfter, Json, Cancellation);
            await Sql.ExecuteAsync(own, $"""
                DELETE FROM reactive_changes;
                UPDATE tags SET doc_id = '{notes.Id}' WHERE id = 'a/b';
                UPDATE docs SET title = 'plan B' WHERE id = '{plan.Id}';
                UPDATE lines SET position = 5 WHERE id = {first.Id};
                """);
            var changes = await CapturedAsync(own);

            var tag = changes.Single(change => change.Table == "tags");
            var tagKeys = catalog.ChangeKeys(tag).ToList();
            Assert.Contains(Assert.Single(Tags.DependencyKeys(movedBefore)), tagKeys);
            Assert.Contains(Assert.Single(Tags.DependencyKeys(movedAfter)), tagKeys);
            Assert.Contains(Assert.Single(Tags.DependencyKeys(slash)), tagKeys);
            Assert.True(Tags.MayAffect(movedBefore, tag) && Tags.MayAffect(movedAfter, tag) && Tags.MayAffect(slash, tag));
            Assert.False(Tags.MayAffect(ObserverQuery.ForItem(Tags, "c", "alice"), tag));
            Assert.False(Tags.MayAffect(List(Tags, $"docId={Guid.NewGuid()}"), tag));
            Assert.DoesNotContain(Tags.DependencyKeys(List(Tags, $"docId={Guid.NewGuid()}")).Single(), tagKeys);

            // The evaluation after the change diffs by the text key: the moved tag is added to the other doc's list.
            var next = await Tags.EvaluateAsync(db, movedAfter, Json, Cancellation);
            var added = Assert.Single(ProtocolMessage.Diff("observer", previous, next, 1));
            Assert.Contains("\"msg\":\"added\"", added, StringComparison.Ordinal);
            Assert.Contains("\"id\":\"a/b\"", added, StringComparison.Ordinal);

            var doc = changes.Single(change => change.Table == "docs");
            var docKeys = catalog.ChangeKeys(doc).ToList();
            Assert.Contains(Docs.DependencyKeys(ObserverQuery.ForItem(Docs, plan.Id, "alice")).Single(), docKeys);
            Assert.Contains(Titled.DependencyKeys(ObserverQuery.ForItem(Titled, plan.Id, "alice")).Single(), docKeys);
            Assert.Contains("titled", docKeys);
            Assert.True(Titled.MayAffect(List(Titled, $"id={plan.Id}"), doc));
            Assert.False(Docs.MayAffect(ObserverQuery.ForItem(Docs, notes.Id, "alice"), doc));

            var line = changes.Single(change => change.Table == "lines");
            Assert.Contains(Lines.DependencyKeys(ObserverQuery.ForItem(Lines, first.Id, "alice")).Single(), catalog.ChangeKeys(line));
            Assert.Contains(Lines.DependencyKeys(List(Lines, $"docId={plan.Id}")).Single(), catalog.ChangeKeys(line));
            Assert.True(Lines.MayAffect(ObserverQuery.ForItem(Lines, first.Id, "alice"), line));
            Assert.False(Lines.MayAffect(List(Lines, $"id__gt={first.Id}"), line));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Sql.ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static ObserverQuery List<T>(ReactiveResource<T> resource, string queryString) where T : class
    {
        var errors = new QueryErrors();
        var query = resource.ParseQuery(QueryHelpers.ParseQuery(queryString), errors);
        Assert.False(errors.Any, string.Join(", ", errors.ToDictionary().Keys));
        return ObserverQuery.ForList(resource, query!, "alice");
    }

    private static Task<IReadOnlyList<ObservedItem>> EvaluateAsync<T>(KeyedDb db, ReactiveResource<T> resource, string queryString) where T : class =>
        resource.EvaluateAsync(db, List(resource, queryString), Json, Cancellation);

    private static List<string> Keys(IEnumerable<ObservedItem> items) => [.. items.Select(item => item.Key)];

    private static async Task AssertBatchedAsAloneAsync<T>(KeyedDb db, ReactiveResource<T> resource, IReadOnlyList<ObserverQuery> queries) where T : class
    {
        var members = queries.Select(query => resource.BatchMemberOf(query)!).ToList();
        Assert.Single(members.Select(member => member.Shape.Key).Distinct());
        var batched = await resource.EvaluateBatchAsync(db, members[0].Shape, members, Json, Cancellation);
        for (var index = 0; index < queries.Count; index++)
        {
            Assert.Equal(await resource.EvaluateAsync(db, queries[index], Json, Cancellation), batched[index]);
        }
    }

    private static async Task<List<RowChange>> CapturedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand($"SELECT table_name, old_row::text, new_row::text FROM {ChangeCapture.Table} ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        var changes = new List<RowChange>();
        while (await reader.ReadAsync(Cancellation))
        {
            JsonElement? Row(int column) => reader.IsDBNull(column) ? null : JsonDocument.Parse(reader.GetString(column)).RootElement;
            changes.Add(new RowChange(reader.GetString(0), Row(1), Row(2), null, DateTimeOffset.UnixEpoch));
        }

        return changes;
    }

    [Table("docs")]
    public sealed class Doc
    {
        [Column("id")]
        public Guid Id { get; set; }

        [Column("title"), MaxLength(100)]
        public string Title { get; set; } = "";
    }

    [Table("tags")]
    public sealed class Tag
    {
        [Column("id"), MaxLength(40)]
        public string Id { get; set; } = "";

        [Column("doc_id")]
        public Guid DocId { get; set; }

        [Column("note"), MaxLength(100)]
        public string Note { get; set; } = "";
    }

    [Table("lines")]
    public sealed class Line
    {
        [Column("id")]
        public long Id { get; set; }

        [Column("doc_id")]
        public Guid DocId { get; set; }

        [Column("position")]
        public int Position { get; set; }
    }

    private sealed class KeyedDb(DbContextOptions<KeyedDb> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Doc>();
            modelBuilder.Entity<Tag>();
            modelBuilder.Entity<Line>();
        }
    }
}
