using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReactiveRest.Benchmark.Clients;

/// <summary>The API as any HTTP client uses it, over one pooled client aimed straight at the API process.</summary>
internal sealed class ApiClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The bearer token every request sends, and that subscribers put on their WebSockets.</summary>
    public string Token { get; private set; } = "";

    /// <summary>Runs as <paramref name="user"/> from now on, with a token from the development endpoint.</summary>
    public async Task AuthenticateAsync(string user, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/dev/token", new { user }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"POST /api/dev/token answered {(int)response.StatusCode}: {body}");
        }

        Token = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        _http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
    }

    public async Task<int> CreateBoardAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/boards", new { name }, cancellationToken);
        return await IdOfAsync(response, "POST /api/boards", cancellationToken);
    }

    public async Task<int> CreateTaskAsync(int boardId, string title, int position, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/tasks", new { boardId, title, position }, cancellationToken);
        return await IdOfAsync(response, "POST /api/tasks", cancellationToken);
    }

    /// <summary>Makes <paramref name="user"/> a member of the board (<c>POST /api/boards/{id}/members</c>).</summary>
    public async Task AddMemberAsync(int boardId, string user, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"/api/boards/{boardId.ToString(CultureInfo.InvariantCulture)}/members", new { user }, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /api/boards/{boardId}/members answered {(int)response.StatusCode}: {Truncate(await response.Content.ReadAsStringAsync(cancellationToken))}");
        }
    }

    /// <summary>PATCHes a task's title; the timestamps are taken when the request leaves and when its whole answer is in.</summary>
    public async Task<WriteResult> PatchTitleAsync(int taskId, string title, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(JsonSerializer.Serialize(new { title }), Encoding.UTF8, "application/json");
            using var response = await _http.PatchAsync($"/api/tasks/{taskId.ToString(CultureInfo.InvariantCulture)}", content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var answered = Stopwatch.GetTimestamp();
            return new WriteResult((int)response.StatusCode, sent, answered, response.IsSuccessStatusCode ? null : Truncate(body));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WriteResult(0, sent, Stopwatch.GetTimestamp(), exception.GetType().Name + ": " + exception.Message);
        }
    }

    /// <summary><c>GET /api/tasks?{query}&amp;observe={subscriber}</c>: the observer id and the seq the subscriber starts from.</summary>
    public async Task<ObserveResult> ObserveAsync(string subscriberId, string query, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync($"/api/tasks?{query}&observe={subscriberId}", cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new ObserveResult(null, 0, $"{(int)response.StatusCode} {Truncate(body)}", (int)response.StatusCode, QuotaOf(body));
            }

            using var document = JsonDocument.Parse(body);
            return new ObserveResult(document.RootElement.GetProperty("observer").GetString(), document.RootElement.GetProperty("seq").GetInt64(), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ObserveResult(null, 0, exception.GetType().Name + ": " + exception.Message);
        }
    }

    /// <summary>A plain GET (the polling client's), its body and when the answer was complete.</summary>
    public async Task<(int Status, string Body, long Answered)> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(pathAndQuery, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, body, Stopwatch.GetTimestamp());
    }

    /// <summary>The <c>evaluations</c> counter of an observer (<c>GET /api/queryobserver/{id}</c>), or null when it does not exist.</summary>
    public async Task<long?> EvaluationsAsync(string observerId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/queryobserver/{observerId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.GetProperty("evaluations").GetInt64();
    }

    /// <summary>An observer's statistics as the API answers them, for a report on lost frames.</summary>
    public async Task<string> StatsTextAsync(string observerId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/queryobserver/{observerId}", cancellationToken);
        return $"{(int)response.StatusCode} {Truncate(await response.Content.ReadAsStringAsync(cancellationToken))}";
    }

    /// <summary>The sum of the evaluation counters of many observers, read 32 at a time.</summary>
    public async Task<(long Sum, int Missing)> SumEvaluationsAsync(IReadOnlyCollection<string> observerIds, CancellationToken cancellationToken)
    {
        long sum = 0;
        var missing = 0;
        await Parallel.ForEachAsync(observerIds, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (observer, token) =>
        {
            if (await EvaluationsAsync(observer, token) is { } evaluations)
            {
                Interlocked.Add(ref sum, evaluations);
            }
            else
            {
                Interlocked.Increment(ref missing);
            }
        });
        return (sum, missing);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<int> IdOfAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {Truncate(body)}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>The <c>quota</c> a 429 problem names, if the body is such a problem.</summary>
    private static string? QuotaOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("quota", out var quota) ? quota.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
