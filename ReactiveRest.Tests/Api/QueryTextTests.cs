using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

/// <summary>
/// Query values the database cannot hold, or whose escapes are not UTF-8, are a 400 naming their parameter. The URLs
/// are sent as written: HttpClient keeps escapes that do not decode to UTF-8 as they are.
/// </summary>
public sealed class QueryTextTests(ReactiveRestApp app)
{
    private readonly HttpClient _client = app.CreateApiClient();

    private Task<HttpResponseMessage> GetAsync(string url) =>
        _client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

    [Theory]
    [InlineData("/api/tasks?title=a%00b", "title")]
    [InlineData("/api/tasks?title__icontains=%00", "title__icontains")]
    [InlineData("/api/tasks?title__in=x,%00", "title__in")]
    [InlineData("/api/boards?name__in=x,%00", "name__in")]
    [InlineData("/api/boards?name=%00", "name")]
    [InlineData("/api/tasks?position=5%00", "position")]
    public async Task A_nul_in_a_filter_value_is_a_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await GetAsync(url);

        var problem = await ProblemAssert.IsValidationProblemAsync(response, parameter);
        Assert.Equal(StorableText.NulError, problem.GetProperty("errors").GetProperty(parameter)[0].GetString());
    }

    [Theory]
    [InlineData("/api/tasks?title=%FF", "title")]
    [InlineData("/api/tasks?title=%C3", "title")]
    [InlineData("/api/tasks?title=%ED%A0%80", "title")]
    [InlineData("/api/tasks?title__icontains=ok%C0%80", "title__icontains")]
    [InlineData("/api/boards?name__in=x,%FF", "name__in")]
    [InlineData("/api/tasks?t%FFx=1", "t%FFx")]
    [InlineData("/api/tasks?observe=%FF", "observe")]
    [InlineData("/api/tasks?limit=%FF", "limit")]
    [InlineData("/api/tasks?offset=%C3", "offset")]
    [InlineData("/api/tasks?ordering=%ED%A0%80", "ordering")]
    public async Task Escapes_that_are_not_utf8_are_a_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await GetAsync(url);

        var problem = await ProblemAssert.IsValidationProblemAsync(response, parameter);
        var messages = problem.GetProperty("errors").GetProperty(parameter).EnumerateArray().Select(message => message.GetString());
        Assert.Contains(RawQueryString.InvalidUtf8Error, messages);
    }

    [Fact]
    public async Task An_encoded_replacement_character_is_text()
    {
        var board = (await _client.CreateBoardAsync("query text board")).Id();
        var task = (await _client.CreateTaskAsync(board, "\uFFFD")).Id();

        var (status, page) = await _client.GetJsonAsync($"/api/tasks?boardId={board}&title=%EF%BF%BD");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([task], page.Ids());
    }
}
