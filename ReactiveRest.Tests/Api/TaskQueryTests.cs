using System.Text.Json;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Api;

/// <summary>The django-filter style list query language, against real PostgreSQL.</summary>
public sealed class TaskQueryTests(ReactiveRestApp app) : IAsyncLifetime
{
    private readonly HttpClient _client = app.CreateApiClient();
    private int _board;
    private JsonElement _t1, _t2, _t3, _t4, _t5;

    public async ValueTask InitializeAsync()
    {
        _board = (await _client.CreateBoardAsync("query board")).Id();
        _t1 = await _client.CreateTaskAsync(_board, "Alpha apple", done: false, position: 2);
        _t2 = await _client.CreateTaskAsync(_board, "beta Banana", done: true, position: 1);
        _t3 = await _client.CreateTaskAsync(_board, "Gamma", done: false, position: 2);
        _t4 = await _client.CreateTaskAsync(_board, "delta APPLE pie", done: true, position: 0);
        _t5 = await _client.CreateTaskAsync(_board, "epsilon", done: false, position: 5);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<int[]> IdsAsync(string query)
    {
        var (status, page) = await _client.GetJsonAsync($"/api/tasks?boardId={_board}&{query}");
        Assert.True(status == HttpStatusCode.OK, $"{query}: {status} {page}");
        return page.Ids();
    }

    private int[] Ids(params JsonElement[] tasks) => [.. tasks.Select(task => task.Id())];

    [Fact]
    public async Task Exact_filters_on_each_kind_of_field()
    {
        Assert.Equal(Ids(_t4, _t2), await IdsAsync("done=true"));
        Assert.Equal(Ids(_t1, _t3, _t5), await IdsAsync("done=false"));
        Assert.Equal(Ids(_t3), await IdsAsync("title=Gamma"));
        Assert.Equal(Ids(_t1, _t3), await IdsAsync("position=2"));
        Assert.Equal(Ids(_t2), await IdsAsync($"id={_t2.Id()}"));
        Assert.Equal(Ids(_t1, _t3), await IdsAsync("position__exact=2"));
    }

    [Fact]
    public async Task Comparison_lookups()
    {
        Assert.Equal(Ids(_t1, _t3, _t5), await IdsAsync("position__gt=1"));
        Assert.Equal(Ids(_t2, _t1, _t3, _t5), await IdsAsync("position__gte=1"));
        Assert.Equal(Ids(_t4, _t2), await IdsAsync("position__lt=2"));
        Assert.Equal(Ids(_t4, _t2, _t1, _t3), await IdsAsync("position__lte=2"));
        Assert.Equal(Ids(_t1, _t3), await IdsAsync("title__lt=b"));
    }

    [Fact]
    public async Task Timestamp_lookups_accept_iso_8601()
    {
        var createdAt = Uri.EscapeDataString(_t3.GetProperty("createdAt").GetString()!);

        Assert.Equal(Ids(_t4, _t3, _t5), await IdsAsync($"createdAt__gte={createdAt}"));
        Assert.Equal(Ids(_t2, _t1), await IdsAsync($"createdAt__lt={createdAt}"));
    }

    [Fact]
    public async Task In_and_icontains_lookups()
    {
        Assert.Equal(Ids(_t4, _t5), await IdsAsync("position__in=0,5"));
        Assert.Equal(Ids(_t2, _t5), await IdsAsync($"id__in={_t5.Id()},{_t2.Id()}"));
        Assert.Equal(Ids(_t4, _t2), await IdsAsync("done__in=true"));
        Assert.Equal(Ids(_t4, _t1), await IdsAsync("title__icontains=aPpLe"));
        Assert.Equal(Ids(_t4, _t1), await IdsAsync("title__icontains=apple&position__lte=2"));
        Assert.Empty(await IdsAsync("title__icontains=%25"));
    }

    [Fact]
    public async Task Ordering_breaks_ties_by_id()
    {
        Assert.Equal(Ids(_t4, _t2, _t1, _t3, _t5), await IdsAsync("ordering=position"));
        Assert.Equal(Ids(_t5, _t1, _t3, _t2, _t4), await IdsAsync("ordering=-position"));
        Assert.Equal(Ids(_t2, _t4, _t1, _t3, _t5), await IdsAsync("ordering=-done"));
        Assert.Equal(Ids(_t5, _t3, _t1, _t4, _t2), await IdsAsync("ordering=done,-title"));
        Assert.Equal(Ids(_t5, _t4, _t3, _t2, _t1), await IdsAsync("ordering=-id"));
    }

    [Fact]
    public async Task Pages_link_to_their_neighbours()
    {
        var (_, first) = await _client.GetJsonAsync($"/api/tasks?boardId={_board}&limit=2");
        Assert.Equal(5, first.GetProperty("count").GetInt32());
        Assert.Equal(Ids(_t4, _t2), first.Ids());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previous").ValueKind);
        var next = first.GetProperty("next").GetString()!;
        Assert.EndsWith($"/api/tasks?boardId={_board}&limit=2&offset=2", next);

        var (_, second) = await _client.GetJsonAsync(next);
        Assert.Equal(Ids(_t1, _t3), second.Ids());
        Assert.EndsWith($"/api/tasks?boardId={_board}&limit=2", second.GetProperty("previous").GetString());
        var last = second.GetProperty("next").GetString()!;
        Assert.EndsWith("offset=4", last);

        var (_, third) = await _client.GetJsonAsync(last);
        Assert.Equal(Ids(_t5), third.Ids());
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next").ValueKind);
        Assert.EndsWith($"/api/tasks?boardId={_board}&limit=2&offset=2", third.GetProperty("previous").GetString());

        var (_, far) = await _client.GetJsonAsync($"/api/tasks?boardId={_board}&limit=1000&offset={int.MaxValue}");
        Assert.Empty(far.Ids());
        Assert.Equal(JsonValueKind.Null, far.GetProperty("next").ValueKind);

        var (_, beyond) = await _client.GetJsonAsync($"/api/tasks?boardId={_board}&limit=2&offset=10");
        Assert.Empty(beyond.Ids());
        Assert.Equal(5, beyond.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, beyond.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task The_default_limit_is_100()
    {
        var (_, page) = await _client.GetJsonAsync("/api/tasks");

        Assert.True(page.GetProperty("results").GetArrayLength() <= 100);
    }

    [Theory]
    [InlineData("colour=red", "colour")]
    [InlineData("title__startswith=a", "title__startswith")]
    [InlineData("done__gt=true", "done__gt")]
    [InlineData("position__icontains=1", "position__icontains")]
    [InlineData("position=abc", "position")]
    [InlineData("position__in=1,x", "position__in")]
    [InlineData("done=maybe", "done")]
    [InlineData("createdAt__gte=yesterday", "createdAt__gte")]
    [InlineData("id=99999999999", "id")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("offset=-5", "offset")]
    [InlineData("offset=1.5", "offset")]
    [InlineData("ordering=colour", "ordering")]
    [InlineData("ordering=-", "ordering")]
    [InlineData("ordering=title,title", "ordering")]
    [InlineData("done=true&done=false", "done")]
    public async Task A_bad_query_parameter_is_named_in_the_problem(string query, string parameter)
    {
        using var response = await _client.GetAsync($"/api/tasks?{query}", TestContext.Current.CancellationToken);

        await ProblemAssert.IsValidationProblemAsync(response, parameter);
    }
}
