using Aspire.Hosting.Testing;
using Npgsql;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Comments;

/// <summary>
/// A comment is visible through its task's board, a table the comments' query reads besides its own: observers of
/// comments follow a task moved to another board, a member removed from the board, and writes made straight in SQL.
/// Each view is rebuilt from the frames alone, so rows can only have arrived and left as messages.
/// </summary>
public sealed class LiveCommentsTests(ReactiveRestApp app)
{
    private static readonly TimeSpan Normal = TimeSpan.FromSeconds(10);
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Moving_a_task_to_another_board_moves_its_comments_to_that_boards_members_live()
    {
        var (owner, oldMember, newMember) = (TestUsers.Unique("owner"), TestUsers.Unique("old"), TestUsers.Unique("new"));
        using var asOwner = app.CreateApiClient(owner);
        using var asOld = app.CreateApiClient(oldMember);
        using var asNew = app.CreateApiClient(newMember);
        var from = (await asOwner.CreateBoardAsync("from")).Id();
        var to = (await asOwner.CreateBoardAsync("to")).Id();
        await AddMemberAsync(asOwner, from, oldMember);
        await AddMemberAsync(asOwner, to, newMember);
        var task = (await asOwner.CreateTaskAsync(from, "moving")).Id();
        var comments = new[] { await CommentAsync(asOwner, task, "one"), await CommentAsync(asOld, task, "two") };

        var url = $"/api/comments?taskId={task}";
        const string all = "/api/comments?ordering=-id";
        await using var old = await Subscriber.ConnectAsync(app, user: oldMember);
        await using var @new = await Subscriber.ConnectAsync(app, user: newMember);
        var (oldList, oldAll, oldDetail) = (await old.ObserveAsync(asOld, url), await old.ObserveAsync(asOld, all), await old.ObserveAsync(asOld, $"/api/comments/{comments[0].Id()}"));
        var (newList, newAll) = (await @new.ObserveAsync(asNew, url), await @new.ObserveAsync(asNew, all));
        Assert.Equal(comments.Select(comment => comment.Id()), old.View(oldList).Select(item => item.Id()));
        Assert.Empty(@new.View(newList));

        using (var moved = await asOwner.PatchAsJsonAsync($"/api/tasks/{task}", new { boardId = to }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        // The new board's member sees them appear, the old board's member sees them go: only the task row changed.
        await @new.NextUntilAsync(_ => @new.View(newList).Count == 2 && @new.View(newAll).Count == 2, Normal);
        await old.NextUntilAsync(_ => old.View(oldList).Count == 0 && old.View(oldAll).Count == 0 && old.View(oldDetail).Count == 0, Normal);
        await Convergence.AssertConvergesAsync(asNew, @new, newList, url, Normal);
        await Convergence.AssertConvergesAsync(asNew, @new, newAll, all, Normal);
        await Convergence.AssertConvergesAsync(asOld, old, oldAll, all, Normal);

        // Live from there on for the new member, and nothing more for the old one: a sentinel on the old member's board
        // must arrive after anything that could.
        var third = await CommentAsync(asNew, task, "three");
        await @new.NextUntilAsync(_ => @new.View(newList).Any(item => item.Id() == third.Id()), Normal);
        var own = (await asOld.CreateBoardAsync("own")).Id();
        var sentinel = await CommentAsync(asOld, (await asOld.CreateTaskAsync(own, "sentinel")).Id(), "sentinel");
        var frames = await old.NextUntilAsync(frame => frame.TryGetProperty("item", out var item) && item.Id() == sentinel.Id(), Normal);
        Assert.DoesNotContain(frames, frame => frame.TryGetProperty("item", out var item) && item.Id() == third.Id());
    }

    [Fact]
    public async Task A_member_removed_from_the_board_loses_its_comments_live()
    {
        var (owner, member) = (TestUsers.Unique("owner"), TestUsers.Unique("member"));
        using var asOwner = app.CreateApiClient(owner);
        using var asMember = app.CreateApiClient(member);
        var board = (await asOwner.CreateBoardAsync("shared")).Id();
        await AddMemberAsync(asOwner, board, member);
        var task = (await asOwner.CreateTaskAsync(board, "talked about")).Id();
        await CommentAsync(asOwner, task, "mine");
        await CommentAsync(asMember, task, "theirs");

        await using var subscriber = await Subscriber.ConnectAsync(app, user: member);
        var list = await subscriber.ObserveAsync(asMember, $"/api/comments?taskId={task}");
        Assert.Equal(2, subscriber.View(list).Count);

        using (var removed = await asOwner.DeleteAsync($"/api/boards/{board}/members/{member}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        await subscriber.NextUntilAsync(_ => subscriber.View(list).Count == 0, Normal);
        await Convergence.AssertConvergesAsync(asMember, subscriber, list, $"/api/comments?taskId={task}", Normal);
    }

    [Fact]
    public async Task Comments_written_straight_in_sql_reach_subscribers()
    {
        var user = TestUsers.Unique("sql");
        using var api = app.CreateApiClient(user);
        var task = (await api.CreateTaskAsync((await api.CreateBoardAsync()).Id(), "from psql")).Id();
        var existing = await CommentAsync(api, task, "through the API");

        await using var subscriber = await Subscriber.ConnectAsync(app, user: user);
        var url = $"/api/comments?taskId={task}&ordering=id";
        var list = await subscriber.ObserveAsync(api, url);

        await using var connection = new NpgsqlConnection(await app.App.GetConnectionStringAsync("reactivedb", Cancellation));
        await connection.OpenAsync(Cancellation);
        await using (var insert = new NpgsqlCommand($"INSERT INTO comments (task_id, author, text, created_at) VALUES ({task}, 'psql', 'inserted', now())", connection))
        {
            await insert.ExecuteNonQueryAsync(Cancellation);
        }

        await using (var update = new NpgsqlCommand($"UPDATE comments SET text = 'edited in psql' WHERE id = {existing.Id()}", connection))
        {
            await update.ExecuteNonQueryAsync(Cancellation);
        }

        await subscriber.NextUntilAsync(_ => subscriber.View(list).Count == 2
            && subscriber.View(list)[0].GetProperty("text").GetString() == "edited in psql", Normal);
        Assert.Equal("inserted", subscriber.View(list)[1].GetProperty("text").GetString());
        await Convergence.AssertConvergesAsync(api, subscriber, list, url, Normal);
    }

    private static Task<System.Text.Json.JsonElement> CommentAsync(HttpClient api, int task, string text) => CommentsApiTests.CommentAsync(api, task, text);

    private static async Task AddMemberAsync(HttpClient owner, int board, string user)
    {
        using var added = await owner.PostAsJsonAsync($"/api/boards/{board}/members", new { user }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
    }
}
