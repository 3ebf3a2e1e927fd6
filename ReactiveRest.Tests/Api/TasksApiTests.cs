using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

public sealed class TasksApiTests(ReactiveRestApp app)
{
    private readonly HttpClient _client = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_task_goes_through_create_read_replace_update_and_delete()
    {
        var board = await _client.CreateBoardAsync();
        var otherBoard = await _client.CreateBoardAsync();

        using var created = await _client.PostAsJsonAsync("/api/tasks", new { boardId = board.Id(), title = "Write tests" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var task = await created.ReadJsonAsync();
        var id = task.Id();
        Assert.Equal($"/api/tasks/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(board.Id(), task.GetProperty("boardId").GetInt32());
        Assert.Equal("Write tests", task.GetProperty("title").GetString());
        Assert.False(task.GetProperty("done").GetBoolean());
        Assert.Equal(0, task.GetProperty("position").GetInt32());
        var createdAt = task.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(createdAt, task.GetProperty("updatedAt").GetDateTimeOffset());

        // What a write returns is exactly what a later read returns (timestamps included).
        var (status, read) = await _client.GetJsonAsync($"/api/tasks/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(task.ToString(), read.ToString());

        using var replaced = await _client.PutAsJsonAsync($"/api/tasks/{id}", new { boardId = otherBoard.Id(), title = "Rewrite tests", done = true, position = 7 }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var afterPut = await replaced.ReadJsonAsync();
        Assert.Equal(otherBoard.Id(), afterPut.GetProperty("boardId").GetInt32());
        Assert.Equal("Rewrite tests", afterPut.GetProperty("title").GetString());
        Assert.True(afterPut.GetProperty("done").GetBoolean());
        Assert.Equal(7, afterPut.GetProperty("position").GetInt32());
        Assert.Equal(createdAt, afterPut.GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(afterPut.GetProperty("updatedAt").GetDateTimeOffset() >= createdAt);

        using var patched = await _client.PatchAsJsonAsync($"/api/tasks/{id}", new { done = false }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var afterPatch = (await _client.GetJsonAsync($"/api/tasks/{id}")).Body;
        Assert.False(afterPatch.GetProperty("done").GetBoolean());
        Assert.Equal("Rewrite tests", afterPatch.GetProperty("title").GetString());
        Assert.Equal(7, afterPatch.GetProperty("position").GetInt32());

        using var deleted = await _client.DeleteAsync($"/api/tasks/{id}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _client.GetAsync($"/api/tasks/{id}", Cancellation);
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound);
        using var deletedAgain = await _client.DeleteAsync($"/api/tasks/{id}", Cancellation);
        await ProblemAssert.IsProblemAsync(deletedAgain, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task New_tasks_go_to_the_end_of_their_board_unless_given_a_position()
    {
        var board = await _client.CreateBoardAsync();

        var first = await _client.CreateTaskAsync(board.Id(), "first");
        var second = await _client.CreateTaskAsync(board.Id(), "second");
        var placed = await _client.CreateTaskAsync(board.Id(), "placed", position: 10);
        var after = await _client.CreateTaskAsync(board.Id(), "after");

        Assert.Equal(0, first.GetProperty("position").GetInt32());
        Assert.Equal(1, second.GetProperty("position").GetInt32());
        Assert.Equal(10, placed.GetProperty("position").GetInt32());
        Assert.Equal(11, after.GetProperty("position").GetInt32());
    }

    [Fact]
    public async Task A_task_on_a_board_that_does_not_exist_is_refused_naming_boardId()
    {
        var board = await _client.CreateBoardAsync();
        var task = await _client.CreateTaskAsync(board.Id(), "stays");

        using var created = await _client.PostAsJsonAsync("/api/tasks", new { boardId = 987654321, title = "lost" }, Cancellation);
        using var moved = await _client.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { boardId = 987654321 }, Cancellation);

        var problem = await ProblemAssert.IsValidationProblemAsync(created, "boardId");
        Assert.Contains("987654321", problem.GetProperty("errors").GetProperty("boardId")[0].GetString());
        await ProblemAssert.IsValidationProblemAsync(moved, "boardId");
    }

    [Theory]
    [InlineData("""{"title": "no board"}""", "boardId")]
    [InlineData("""{"boardId": 1}""", "title")]
    [InlineData("""{"boardId": "one", "title": "x"}""", "boardId")]
    [InlineData("""{"boardId": 1.5, "title": "x"}""", "boardId")]
    [InlineData("""{"boardId": 1, "title": ""}""", "title")]
    [InlineData("""{"boardId": 1, "title": null}""", "title")]
    [InlineData("""{"boardId": 1, "title": "x", "done": "yes"}""", "done")]
    [InlineData("""{"boardId": 1, "title": "x", "position": -1}""", "position")]
    [InlineData("""{"boardId": 1, "title": "x", "position": 99999999999}""", "position")]
    [InlineData("""{"boardId": 1, "title": "x", "position": 1000000001}""", "position")]
    public async Task Bad_fields_on_create_are_named_in_the_problem(string body, string field)
    {
        using var response = await _client.SendRawAsync(HttpMethod.Post, "/api/tasks", body);

        await ProblemAssert.IsValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task A_too_long_title_is_refused()
    {
        var board = await _client.CreateBoardAsync();

        using var response = await _client.PostAsJsonAsync("/api/tasks", new { boardId = board.Id(), title = new string('t', 501) }, Cancellation);

        await ProblemAssert.IsValidationProblemAsync(response, "title");
    }

    [Fact]
    public async Task Replace_requires_the_required_fields_and_patch_does_not()
    {
        var board = await _client.CreateBoardAsync();
        var task = await _client.CreateTaskAsync(board.Id(), "partial");

        using var put = await _client.PutAsJsonAsync($"/api/tasks/{task.Id()}", new { title = "no board" }, Cancellation);
        using var patch = await _client.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { title = "just the title" }, Cancellation);
        using var badPatch = await _client.SendRawAsync(HttpMethod.Patch, $"/api/tasks/{task.Id()}", """{"done": null}""");

        await ProblemAssert.IsValidationProblemAsync(put, "boardId");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("just the title", (await patch.ReadJsonAsync()).GetProperty("title").GetString());
        await ProblemAssert.IsValidationProblemAsync(badPatch, "done");
    }
}
