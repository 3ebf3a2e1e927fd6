using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

public sealed class BoardsApiTests(ReactiveRestApp app)
{
    private readonly HttpClient _client = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_board_goes_through_create_read_replace_update_and_delete()
    {
        using var created = await _client.PostAsJsonAsync("/api/boards", new { name = "Roadmap" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var board = await created.ReadJsonAsync();
        var id = board.Id();
        Assert.Equal($"/api/boards/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("Roadmap", board.GetProperty("name").GetString());

        var (status, read) = await _client.GetJsonAsync($"/api/boards/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Roadmap", read.GetProperty("name").GetString());

        using var replaced = await _client.PutAsJsonAsync($"/api/boards/{id}", new { name = "Plan" }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("Plan", (await replaced.ReadJsonAsync()).GetProperty("name").GetString());

        using var patched = await _client.PatchAsJsonAsync($"/api/boards/{id}", new { name = "Plan B" }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("Plan B", (await _client.GetJsonAsync($"/api/boards/{id}")).Body.GetProperty("name").GetString());

        using var deleted = await _client.DeleteAsync($"/api/boards/{id}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _client.GetAsync($"/api/boards/{id}", Cancellation);
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_a_board_deletes_its_tasks()
    {
        var board = await _client.CreateBoardAsync();
        var task = await _client.CreateTaskAsync(board.Id(), "orphan-to-be");

        using var deleted = await _client.DeleteAsync($"/api/boards/{board.Id()}", Cancellation);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await _client.GetAsync($"/api/tasks/{task.Id()}", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Boards_can_be_listed_and_filtered_by_name()
    {
        var marker = Guid.NewGuid().ToString("N");
        var first = await _client.CreateBoardAsync($"alpha {marker}");
        var second = await _client.CreateBoardAsync($"beta {marker}");

        var (status, page) = await _client.GetJsonAsync($"/api/boards?name__icontains={marker.ToUpperInvariant()}&ordering=-id");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, page.GetProperty("count").GetInt32());
        Assert.Equal([second.Id(), first.Id()], page.Ids());
    }

    [Theory]
    [InlineData("POST", "/api/boards")]
    [InlineData("PUT", "/api/boards/{id}")]
    public async Task A_missing_or_blank_name_is_named_in_the_problem(string method, string path)
    {
        var board = await _client.CreateBoardAsync();
        var url = path.Replace("{id}", board.Id().ToString(), StringComparison.Ordinal);

        using var missing = await _client.SendRawAsync(new HttpMethod(method), url, "{}");
        using var blank = await _client.SendRawAsync(new HttpMethod(method), url, """{"name": "  "}""");
        using var wrongType = await _client.SendRawAsync(new HttpMethod(method), url, """{"name": 5}""");

        await ProblemAssert.IsValidationProblemAsync(missing, "name");
        await ProblemAssert.IsValidationProblemAsync(blank, "name");
        await ProblemAssert.IsValidationProblemAsync(wrongType, "name");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task An_unknown_id_is_a_404_problem(string method)
    {
        using var response = await _client.SendRawAsync(new HttpMethod(method), "/api/boards/987654321", """{"name": "x"}""");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("987654321", problem.GetProperty("detail").GetString());
    }
}
