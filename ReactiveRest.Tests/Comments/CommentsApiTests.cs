using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Comments;

/// <summary>
/// Comments on tasks, a resource whose REST surface comes from its definition alone (MapReactiveResources): the author
/// is the caller, only the author changes or deletes, only members of the task's board see them, and a task the writer
/// cannot see is a 400 naming <c>taskId</c>.
/// </summary>
public sealed class CommentsApiTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_member_comments_lists_filters_orders_and_only_the_author_edits_or_deletes()
    {
        var (alice, bob, eve) = (TestUsers.Unique("alice"), TestUsers.Unique("bob"), TestUsers.Unique("eve"));
        using var asAlice = app.CreateApiClient(alice);
        using var asBob = app.CreateApiClient(bob);
        using var asEve = app.CreateApiClient(eve);
        var board = (await asAlice.CreateBoardAsync("commented")).Id();
        var task = (await asAlice.CreateTaskAsync(board, "discuss")).Id();
        var other = (await asAlice.CreateTaskAsync(board, "other")).Id();
        using (var added = await asAlice.PostAsJsonAsync($"/api/boards/{board}/members", new { user = bob }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        using var created = await asAlice.PostAsJsonAsync("/api/comments", new { taskId = task, text = "first", author = "someone else" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = await created.ReadJsonAsync();
        Assert.Equal(alice, first.GetProperty("author").GetString());
        Assert.Equal(task, first.GetProperty("taskId").GetInt32());
        Assert.Equal("first", first.GetProperty("text").GetString());
        Assert.Equal($"/api/comments/{first.Id()}", created.Headers.Location?.OriginalString);
        Assert.False(first.TryGetProperty("task", out _), "the navigation is not part of the resource");
        var second = await CommentAsync(asBob, task, "second");
        var elsewhere = await CommentAsync(asBob, other, "elsewhere");

        var (status, page) = await asBob.GetJsonAsync($"/api/comments?taskId={task}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([first.Id(), second.Id()], page.Ids());
        Assert.Equal([second.Id(), first.Id()], (await asBob.GetJsonAsync($"/api/comments?taskId={task}&ordering=-createdAt,-id")).Body.Ids());
        Assert.Equal([second.Id(), elsewhere.Id()], (await asAlice.GetJsonAsync($"/api/comments?author={bob}&taskId__in={task},{other}")).Body.Ids());
        Assert.Equal("second", (await asAlice.GetJsonAsync($"/api/comments/{second.Id()}")).Body.GetProperty("text").GetString());

        // Not the author: 403 for a member who sees it, 404 for anyone who does not.
        using (var patched = await asAlice.PatchAsJsonAsync($"/api/comments/{second.Id()}", new { text = "hijacked" }, Cancellation))
        {
            var problem = await ProblemAssert.IsProblemAsync(patched, HttpStatusCode.Forbidden);
            Assert.Contains("author", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var deleted = await asAlice.DeleteAsync($"/api/comments/{second.Id()}", Cancellation))
        {
            await ProblemAssert.IsProblemAsync(deleted, HttpStatusCode.Forbidden);
        }

        using (var patched = await asEve.PatchAsJsonAsync($"/api/comments/{second.Id()}", new { text = "hijacked" }, Cancellation))
        {
            await ProblemAssert.IsProblemAsync(patched, HttpStatusCode.NotFound);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await asEve.GetJsonAsync($"/api/comments/{second.Id()}")).Status);
        Assert.Equal(0, (await asEve.GetJsonAsync($"/api/comments?taskId={task}")).Body.GetProperty("count").GetInt32());

        // The author edits the text; the task a comment belongs to is set once, at creation.
        using (var patched = await asBob.PatchAsJsonAsync($"/api/comments/{second.Id()}", new { text = "second, edited", taskId = other }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            var edited = await patched.ReadJsonAsync();
            Assert.Equal("second, edited", edited.GetProperty("text").GetString());
            Assert.Equal(task, edited.GetProperty("taskId").GetInt32());
            Assert.Equal(second.GetProperty("createdAt").GetString(), edited.GetProperty("createdAt").GetString());
        }

        using (var deleted = await asBob.DeleteAsync($"/api/comments/{second.Id()}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal([first.Id()], (await asBob.GetJsonAsync($"/api/comments?taskId={task}")).Body.Ids());
    }

    [Fact]
    public async Task Bad_comments_are_problems_naming_the_field()
    {
        var (alice, eve) = (TestUsers.Unique("alice"), TestUsers.Unique("eve"));
        using var asAlice = app.CreateApiClient(alice);
        using var asEve = app.CreateApiClient(eve);
        var task = (await asAlice.CreateTaskAsync((await asAlice.CreateBoardAsync()).Id(), "private")).Id();

        using (var foreign = await asEve.PostAsJsonAsync("/api/comments", new { taskId = task, text = "let me in" }, Cancellation))
        {
            var problem = await ProblemAssert.IsValidationProblemAsync(foreign, "taskId");
            Assert.Contains($"Task {task} does not exist.", problem.GetProperty("errors").GetProperty("taskId").ToString(), StringComparison.Ordinal);
        }

        using (var missing = await asAlice.PostAsJsonAsync("/api/comments", new { taskId = task }, Cancellation))
        {
            await ProblemAssert.IsValidationProblemAsync(missing, "text");
        }

        using (var blank = await asAlice.PostAsJsonAsync("/api/comments", new { text = "   " }, Cancellation))
        {
            await ProblemAssert.IsValidationProblemAsync(blank, "text");
            await ProblemAssert.IsValidationProblemAsync(blank, "taskId");
        }

        using (var tooLong = await asAlice.PostAsJsonAsync("/api/comments", new { taskId = task, text = new string('x', 2001) }, Cancellation))
        {
            await ProblemAssert.IsValidationProblemAsync(tooLong, "text");
        }

        using (var wrongType = await asAlice.SendRawAsync(HttpMethod.Post, "/api/comments", """{"taskId": "7", "text": 5}"""))
        {
            await ProblemAssert.IsValidationProblemAsync(wrongType, "taskId");
        }

        using (var notJson = await asAlice.SendRawAsync(HttpMethod.Post, "/api/comments", "{", "application/json"))
        {
            await ProblemAssert.IsProblemAsync(notJson, HttpStatusCode.BadRequest);
        }

        using (var badFilter = await asAlice.GetAsync("/api/comments?text=x", Cancellation))
        {
            await ProblemAssert.IsValidationProblemAsync(badFilter, "text");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateApiClient(user: null).GetAsync("/api/comments", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_task_deletes_its_comments()
    {
        using var api = app.CreateApiClient(TestUsers.Unique("alice"));
        var task = (await api.CreateTaskAsync((await api.CreateBoardAsync()).Id(), "short-lived")).Id();
        var comment = await CommentAsync(api, task, "goes with it");

        using (var deleted = await api.DeleteAsync($"/api/tasks/{task}", Cancellation))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetJsonAsync($"/api/comments/{comment.Id()}")).Status);
    }

    public static async Task<JsonElement> CommentAsync(HttpClient api, int task, string text)
    {
        using var response = await api.PostAsJsonAsync("/api/comments", new { taskId = task, text }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}
