using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

/// <summary>Body strings the database cannot hold, or that are not text at all, are a 400 naming their field.</summary>
public sealed class BodyTextTests(ReactiveRestApp app) : IAsyncLifetime
{
    private readonly HttpClient _client = app.CreateApiClient();
    private int _board;

    public async ValueTask InitializeAsync() => _board = (await _client.CreateBoardAsync("body text board")).Id();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, byte[] body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string json) =>
        SendAsync(method, url, Encoding.UTF8.GetBytes(json.Replace("BOARD", _board.ToString(CultureInfo.InvariantCulture))));

    [Theory]
    [InlineData("/api/tasks", """{"boardId":BOARD,"title":"a\u0000b"}""", "title")]
    [InlineData("/api/tasks", """{"boardId":BOARD,"title":"\ud800"}""", "title")]
    [InlineData("/api/tasks", """{"boardId":BOARD,"title":"x\udc00y"}""", "title")]
    [InlineData("/api/boards", """{"name":"a\u0000b"}""", "name")]
    [InlineData("/api/boards", """{"name":"\ud800"}""", "name")]
    [InlineData("/api/boards", """{"name":"x\udc00y"}""", "name")]
    public async Task An_escaped_nul_or_lone_surrogate_is_a_400_naming_the_field(string url, string json, string field)
    {
        using var response = await SendAsync(HttpMethod.Post, url, json);

        await ProblemAssert.IsValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Raw_bytes_that_are_not_utf8_are_a_400_naming_the_field()
    {
        byte[] task = [.. Encoding.UTF8.GetBytes($$"""{"boardId":{{_board}},"title":"a"""), 0xFF, .. "b\"}"u8];
        byte[] board = [.. "{\"name\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8];

        using var taskResponse = await SendAsync(HttpMethod.Post, "/api/tasks", task);
        using var boardResponse = await SendAsync(HttpMethod.Post, "/api/boards", board);

        await ProblemAssert.IsValidationProblemAsync(taskResponse, "title");
        await ProblemAssert.IsValidationProblemAsync(boardResponse, "name");
    }

    [Fact]
    public async Task Replacing_and_updating_check_the_same_way()
    {
        var task = (await _client.CreateTaskAsync(_board, "fine")).Id();

        using var replaced = await SendAsync(HttpMethod.Put, $"/api/tasks/{task}", """{"boardId":BOARD,"title":"a\u0000b"}""");
        using var updated = await SendAsync(HttpMethod.Patch, $"/api/tasks/{task}", """{"title":"\udc00"}""");
        using var renamed = await SendAsync(HttpMethod.Patch, $"/api/boards/{_board}", """{"name":"\u0000"}""");

        await ProblemAssert.IsValidationProblemAsync(replaced, "title");
        await ProblemAssert.IsValidationProblemAsync(updated, "title");
        await ProblemAssert.IsValidationProblemAsync(renamed, "name");
    }

    [Fact]
    public async Task Fields_the_api_does_not_read_may_hold_them()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/boards", """{"name":"ok","note":"a\u0000b","other":"\ud800"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task A_property_name_that_is_not_text_is_malformed_json()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/boards", """{"name":"ok","\ud800":1}""");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("property name", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_replacement_character_and_surrogate_pairs_are_text()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/tasks", """{"boardId":BOARD,"title":"\ufffd \ud83d\ude00 é"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("\uFFFD \U0001F600 é", (await response.ReadJsonAsync()).GetProperty("title").GetString());
    }
}
