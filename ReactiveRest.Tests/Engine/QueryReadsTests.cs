using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.ApiModel;
using ReactiveRest.ApiModel.Data;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

/// <summary>
/// What a resource's query reads is worked out from its own expression against the model (no database is opened): the
/// task board's comments read the tasks table through their visibility rule, and a definition that cannot work fails
/// when bound, naming the resource and the problem.
/// </summary>
public sealed class QueryReadsTests
{
    private static ReactiveDbContext Context() =>
        new(new DbContextOptionsBuilder<ReactiveDbContext>().UseNpgsql("Host=unused").Options);

    private static ResourceCatalog BoundCatalog()
    {
        using var db = Context();
        var catalog = new ResourceCatalog(ApiResources.All, ApiResources.AccessTables);
        catalog.Bind(db);
        return catalog;
    }

    [Fact]
    public void Comments_read_the_tasks_board_through_a_navigation_and_tasks_read_only_their_access_table()
    {
        var catalog = BoundCatalog();

        var comments = catalog.Find("comments")!;
        Assert.Equal("comments", comments.Table);
        var tasks = Assert.Single(comments.ForeignReads);
        Assert.Equal("tasks", tasks.Key);
        Assert.Equal(["board_id", "id"], tasks.Value!.Order());

        // Memberships are an access table: their changes reach observers by user, not as a table read.
        Assert.Empty(catalog.Find("tasks")!.ForeignReads);
        Assert.Empty(catalog.Find("boards")!.ForeignReads);
        Assert.Equal(["board_members", "boards", "comments", "tasks"], catalog.CapturedTables);
    }

    [Fact]
    public void A_change_of_a_read_table_matters_when_a_row_comes_or_goes_or_a_read_column_changes()
    {
        var catalog = BoundCatalog();
        var comments = catalog.Find("comments")!;
        var query = ObserverQuery.ForItem(comments, 1, "alice");
        var task = Row(new { id = 7, board_id = 1, title = "a", done = false, position = 0 });

        Assert.False(comments.MayAffect(query, Change("tasks", task, Row(new { id = 7, board_id = 1, title = "renamed", done = true, position = 3 }))));
        Assert.True(comments.MayAffect(query, Change("tasks", task, Row(new { id = 7, board_id = 2, title = "a", done = false, position = 0 }))));
        Assert.True(comments.MayAffect(query, Change("tasks", null, task)));
        Assert.True(comments.MayAffect(query, Change("tasks", task, null)));
        Assert.False(comments.MayAffect(query, Change("boards", Row(new { id = 1, name = "x" }), Row(new { id = 1, name = "y" }))));

        // Announced under the table's read key, which comment observers depend on; a task observer does not.
        Assert.Contains(QueryReads.KeyOf("tasks"), catalog.ChangeKeys(Change("tasks", task, null)));
        Assert.Contains(QueryReads.KeyOf("tasks"), comments.DependencyKeys(query));
        Assert.DoesNotContain(QueryReads.KeyOf("tasks"), catalog.Find("tasks")!.DependencyKeys(ObserverQuery.ForItem(catalog.Find("tasks")!, 7, "alice")));
        Assert.DoesNotContain(QueryReads.KeyOf("comments"), catalog.ChangeKeys(Change("comments", Row(new { id = 1, task_id = 7 }), null)));
    }

    [Fact]
    public void Two_resources_may_share_a_table_and_each_gets_its_own_change_keys()
    {
        using var db = Context();
        var open = new ReactiveResource<TaskItem>("opentasks", task => task.Id).PartitionedBy(task => task.BoardId).WithField(task => task.Done);
        var catalog = new ResourceCatalog([ApiResources.Tasks, open], ApiResources.AccessTables);
        catalog.Bind(db);

        var keys = catalog.ChangeKeys(Change("tasks", null, Row(new { id = 3, board_id = 4, done = false }))).ToList();
        Assert.Contains("tasks:boardId=4", keys);
        Assert.Contains("opentasks:boardId=4", keys);
        Assert.Equal(2, catalog.ForTable("tasks").Count);
    }

    [Fact]
    public void A_visibility_rule_the_database_cannot_evaluate_fails_when_bound_naming_the_resource()
    {
        using var db = Context();
        var resource = new ReactiveResource<TaskItem>("oddtasks", task => task.Id)
            .VisibleTo((_, user) => task => Local(task.Title) == user);

        var error = Assert.Throws<InvalidOperationException>(() => new ResourceCatalog([resource]).Bind(db));
        Assert.Contains("'oddtasks'", error.Message, StringComparison.Ordinal);
        Assert.Contains("translated to SQL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_without_a_column_and_an_entity_outside_the_model_fail_when_bound()
    {
        using var db = Context();
        using var notes = new NotesContext();
        var unmapped = new ReactiveResource<Note>("notes", note => note.Id).WithField(note => note.Draft);
        var error = Assert.Throws<InvalidOperationException>(() => new ResourceCatalog([unmapped]).Bind(notes));
        Assert.Contains("'notes'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'draft'", error.Message, StringComparison.Ordinal);

        var stranger = new ReactiveResource<Stranger>("strangers", stranger => stranger.Id);
        error = Assert.Throws<InvalidOperationException>(() => new ResourceCatalog([stranger]).Bind(db));
        Assert.Contains("'strangers'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not in the model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_over_raw_sql_fails_when_bound_since_its_tables_cannot_be_known()
    {
        using var db = Context();
        var raw = new ReactiveResource<TaskItem>("rawtasks", task => task.Id)
            .ComputedBy(context => context.Set<TaskItem>().FromSqlRaw("SELECT * FROM tasks"));
        var error = Assert.Throws<InvalidOperationException>(() => new ResourceCatalog([raw]).Bind(db));
        Assert.Contains("'rawtasks'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be known", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_read_from_a_captured_query_and_an_existence_check_is_found()
    {
        using var db = Context();
        var members = db.BoardMembers.Where(member => member.User == "x");
        var reads = QueryReads.Of(db.Tasks.Where(task => members.Any(member => member.BoardId == task.BoardId) && db.Comments.Any()).Expression, db.Model);

        Assert.Equal(["board_members", "comments", "tasks"], reads.Keys.Order());
        Assert.Equal(["board_id", "user_name"], reads["board_members"]!.Order());
        // Only whether comments exist: no column of theirs is read.
        Assert.Empty(reads["comments"]!);
    }

    private static string Local(string text) => new([.. text.Reverse()]);

    private static JsonElement Row(object values) => JsonSerializer.SerializeToElement(values);

    private static RowChange Change(string table, JsonElement? before, JsonElement? after) => new(table, before, after, null, DateTimeOffset.UnixEpoch);

    public sealed class Stranger
    {
        public int Id { get; set; }
    }

    public sealed class Note
    {
        public int Id { get; set; }

        /// <summary>Kept in memory only: no column holds it.</summary>
        [System.ComponentModel.DataAnnotations.Schema.NotMapped]
        public string Draft { get; set; } = "";
    }

    private sealed class NotesContext : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseNpgsql("Host=unused");

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<Note>().ToTable("notes");
    }
}
