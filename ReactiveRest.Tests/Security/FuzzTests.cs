using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;
using ReactiveRest.Tests.Operations;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Random requests and WebSocket frames against the running stack: query strings, bodies, headers and credentials of
/// every wrong kind, on the real routes of the API and the observers. Never a 500, every refusal a problem, no crashed
/// session or process; the outcomes are counted in the test output. Seeded: the seed is printed, and
/// <c>REACTIVEREST_FUZZ_SEED</c> replays a run, the same cases whatever the load. Bounded in count.
/// </summary>
public sealed class FuzzTests(ReactiveRestApp app)
{
    public const string SeedVariable = "REACTIVEREST_FUZZ_SEED";

    private const int ApiRequests = 500;
    private const int ObserversRequests = 150;
    private const int SocketAttempts = 150;
    private const int RawSocketAttempts = 60;
    private const int Parallelism = 4;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>The close codes docs/protocol.md lists.</summary>
    private static readonly int[] DocumentedCloseCodes = [1000, 1001, 1003, 1008, 1009, 1013, 4000];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static void Print(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task Random_requests_to_the_api_and_the_observers_never_answer_500_and_every_refusal_is_a_problem()
    {
        var seed = Seed();
        var input = new FuzzInput(new Random(seed));
        await using var logs = new ResourceLogs(app.App);
        var started = DateTimeOffset.UtcNow;
        var processes = await ProcessesAsync();
        var pools = await PrepareAsync(input);

        var requests = new List<FuzzRequest>();
        requests.AddRange(Enumerable.Range(0, ApiRequests).Select(_ => ApiRequest(input, pools)));
        requests.AddRange(Enumerable.Range(0, ObserversRequests).Select(_ => ObserversRequest(input, pools)));
        Shuffle(input.Random, requests);
        requests.InsertRange(0, OddSubjectRequests(pools));

        var statuses = new Tally();
        var credentials = new Tally();
        var exemptions = new Tally();
        var serverErrors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var notProblems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var transportErrors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var api = NewClient();
        var apiBase = app.App.GetEndpoint("api", "http");
        var observersBase = app.App.GetEndpoint("observers", "http");
        var clock = Stopwatch.StartNew();
        // Every request runs, however busy the machine: a replayed seed runs the same cases.
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = Cancellation }, async (request, cancellationToken) =>
        {
            var uri = new Uri((request.Service == "api" ? apiBase : observersBase).GetLeftPart(UriPartial.Authority) + request.PathAndQuery);
            using var message = new HttpRequestMessage(request.Method, uri);
            if (request.Body is { } body)
            {
                message.Content = new ByteArrayContent(body);
                if (request.ContentType is { } contentType)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            foreach (var (name, value) in request.Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }

            // One connection per request: when the server refuses a request early and closes its connection (which
            // HTTP/1.1 allows), a pooled connection reused by the next request would be reset under it, and that request
            // would be counted as unanswered although the server never saw it.
            message.Headers.ConnectionClose = true;

            try
            {
                using var response = await api.SendAsync(message, cancellationToken);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                statuses.Add($"{request.Service,-9} {status} {response.StatusCode}");
                credentials.Add($"{request.Credential,-22} {(status >= 500 ? "5xx" : status.ToString(CultureInfo.InvariantCulture))}");
                if (status >= 500)
                {
                    serverErrors.Enqueue($"{status} ← {request}\n    {Shorten(text, 2000)}");
                }
                else if (status >= 400)
                {
                    var (exempt, violation) = CheckProblem(request, response, text);
                    if (exempt is not null)
                    {
                        exemptions.Add($"{status} {exempt}");
                    }

                    if (violation is not null)
                    {
                        notProblems.Enqueue($"{status} {violation} ← {request}\n    {Shorten(text, 300)}");
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                statuses.Add($"{request.Service,-9} no response");
                if (exception is HttpRequestException && request.Body is { Length: > 16_384 } && HasHeaderKestrelRefuses(request))
                {
                    // Kestrel answered 400 to the header and closed the connection while the client was still sending the body.
                    exemptions.Add("no response: Kestrel refused a header that is not ASCII while the large body was still being sent");
                }
                else if (exception is HttpRequestException && request.Body is not null && (WireLength(request.PathAndQuery) > KestrelRequestLineLimit || HasHeaderKestrelRefuses(request)))
                {
                    // Kestrel refused the request line or a header before the application and closed the connection while
                    // the client was still sending its body: the client sees the reset, not the 400/414.
                    exemptions.Add("no response: Kestrel refused the URL or a header and closed while the body was being sent");
                }
                else if (exception is HttpRequestException && request.Body is { Length: > 4096 })
                {
                    // Refused (401, 413…) before its body was read: the server answered and closed the connection while
                    // the client was still sending, which HTTP/1.1 allows; the client sees the reset instead of the answer.
                    exemptions.Add("no response: answered before a body of over 4 KiB was read, and closed while it was still being sent");
                }
                else
                {
                    transportErrors.Enqueue($"{exception.GetType().Name}: {exception.Message} ({exception.InnerException?.GetType().Name}: {exception.InnerException?.Message}) ← {request}");
                }
            }
        });

        await ProvesNothingCrashedAsync(pools, processes);
        Print($"seed {seed} (replay: {SeedVariable}={seed}); {statuses.Total} requests in {clock.Elapsed.TotalSeconds:F1} s");
        Print(statuses.Table("responses per service and status:"));
        Print(credentials.Table("responses per credential and status:"));
        Print(exemptions.Table("4xx that are not problem details, and why that is legitimate:"));
        Print($"5xx: {serverErrors.Count}; 4xx that are not problem details: {notProblems.Count}; requests without a response: {transportErrors.Count}");
        foreach (var line in serverErrors.Concat(notProblems).Concat(transportErrors))
        {
            Print(line);
        }

        var failures = PrintServiceFailures(logs, started);
        Assert.Equal(requests.Count, statuses.Total);
        Assert.True(serverErrors.IsEmpty, $"{serverErrors.Count} responses of 5xx (seed {seed}):\n{string.Join("\n", serverErrors.Take(20))}");
        Assert.True(notProblems.IsEmpty, $"{notProblems.Count} refusals that are not problem details (seed {seed}):\n{string.Join("\n", notProblems.Take(20))}");
        Assert.True(transportErrors.IsEmpty, $"{transportErrors.Count} requests got no response (seed {seed}):\n{string.Join("\n", transportErrors.Take(20))}");
        Assert.True(failures == 0, $"{failures} unhandled exceptions in the services' logs (seed {seed}); see the output.");
    }

    [Fact]
    public async Task Random_websocket_upgrades_and_frames_get_a_refusal_a_documented_close_or_an_answer_and_crash_nothing()
    {
        var seed = Seed() ^ 0x5EED;
        var input = new FuzzInput(new Random(seed));
        await using var logs = new ResourceLogs(app.App);
        var started = DateTimeOffset.UtcNow;
        var processes = await ProcessesAsync();
        var pools = await PrepareAsync(input);
        var observersBase = app.App.GetEndpoint("observers", "http");
        using var userApi = app.CreateApiClient(pools.User);

        // Connected all along: the victim of the foreign-id attempts, and a subscriber that is fed junk between changes.
        await using var victim = await Subscriber.ConnectAsync(app, pools.VictimIds[0], user: pools.Victim);
        await using var watcher = await Subscriber.ConnectAsync(app, "fz" + pools.RunId + "w", user: pools.User);
        var watched = await watcher.ObserveAsync(userApi, $"/api/tasks?boardId={pools.Boards[0]}");

        var outcomes = new Tally();
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var invoker = new HttpMessageInvoker(Handler());
        var attempts = Enumerable.Range(0, SocketAttempts).Select(index => SocketAttempt(input, pools, index)).ToList();
        var rawAttempts = Enumerable.Range(0, RawSocketAttempts).Select(index => RawAttempt(input, pools, index)).ToList();
        var watcherFrames = Enumerable.Range(0, 30).Select(_ => input.Chance(0.3) ? "--heartbeat--" : input.FrameText(4096)).ToList();
        var clock = Stopwatch.StartNew();

        var junkForWatcher = Task.Run(async () =>
        {
            foreach (var text in watcherFrames)
            {
                await watcher.SendTextAsync(text);
            }
        }, Cancellation);
        var work = attempts.Select(attempt => (Func<Task>)(() => RunAttemptAsync(attempt, observersBase, invoker, outcomes, violations)))
            .Concat(rawAttempts.Select(attempt => (Func<Task>)(() => RunRawAttemptAsync(attempt, observersBase, outcomes, violations))))
            .ToList();
        Shuffle(input.Random, work);
        // Every attempt runs, however busy the machine: a replayed seed runs the same cases.
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = Cancellation }, async (run, _) => await run());
        await junkForWatcher;
        var elapsed = clock.Elapsed;

        // The watcher answered every junk frame, in order, and still receives its query's changes.
        var sentinel = await userApi.CreateTaskAsync(pools.Boards[0], "sentinel " + pools.RunId);
        var frames = await watcher.NextUntilAsync(frame => frame.ValueKind == JsonValueKind.Object && frame.GetProperty("msg").GetString() == "added"
            && frame.GetProperty("item").Id() == sentinel.Id(), Deadline);
        var replies = frames.Where(frame => frame.ValueKind == JsonValueKind.String || frame.GetProperty("msg").GetString() == "error").ToList();
        Assert.Equal(watcherFrames.Count, replies.Count);
        for (var i = 0; i < replies.Count; i++)
        {
            Assert.Equal(watcherFrames[i] == "--heartbeat--" ? "--heartbeat--" : "error",
                replies[i].ValueKind == JsonValueKind.String ? replies[i].GetString() : replies[i].GetProperty("msg").GetString());
        }

        var (status, fresh) = await userApi.GetJsonAsync($"/api/tasks?boardId={pools.Boards[0]}&limit=1000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(fresh.Ids(), watcher.View(watched).Select(item => item.Id()));
        outcomes.Add("after: the junk-fed watcher got its answers and the sentinel");

        // The victim's socket, whose id was tried by others all along, is untouched.
        await victim.SendTextAsync("--heartbeat--");
        Assert.Equal("--heartbeat--", (await victim.NextAsync(Deadline)).GetString());
        victim.AssertConnected();
        outcomes.Add("after: the victim's socket still answers");

        await ProvesNothingCrashedAsync(pools, processes);
        outcomes.Add("after: a fresh subscriber got the sentinel; api and observers healthy, same processes");

        Print($"seed {Seed()} (replay: {SeedVariable}={Seed()}; this test draws from {seed}); {attempts.Count + rawAttempts.Count} connections in {elapsed.TotalSeconds:F1} s");
        Print(outcomes.Table("outcomes:"));
        Print($"violations: {violations.Count}");
        foreach (var violation in violations)
        {
            Print(violation);
        }

        var failures = PrintServiceFailures(logs, started);
        Assert.Equal(attempts.Count + rawAttempts.Count, outcomes.Count(key => key.StartsWith("upgrade", StringComparison.Ordinal)));
        Assert.True(violations.IsEmpty, $"{violations.Count} violations (seed {Seed()}):\n{string.Join("\n", violations.Take(30))}");
        Assert.True(failures == 0, $"{failures} unhandled exceptions in the services' logs (seed {Seed()}); see the output.");
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : FallbackSeed;

    private static readonly int FallbackSeed = Random.Shared.Next();

    // ---------------------------------------------------------------------------------------------------------------
    // The stack's own data the fuzz aims at.

    /// <summary>What the fuzz aims at: this run's users, boards, tasks, subscriber and observer ids, and credentials.</summary>
    private sealed record Pools(
        string User, string Other, string Victim, string RunId, int[] Boards, int[] Tasks, int OtherBoard, int OtherTask,
        string[] OwnSubscriberIds, string[] VictimIds, string[] SubscriberValues, string[] ObserverValues, IReadOnlyList<FuzzCredential> Credentials);

    private async Task<Pools> PrepareAsync(FuzzInput input)
    {
        await Faults.Serving.WaitAsync(app);
        var user = TestUsers.Unique("fuzz");
        var other = TestUsers.Unique("fuzz-other");
        // Owns the victim's subscriber id; no credential of the fuzz is theirs.
        var victim = TestUsers.Unique("fuzz-victim");
        var runId = Guid.NewGuid().ToString("N")[..8];
        using var api = app.CreateApiClient(user);
        using var otherApi = app.CreateApiClient(other);
        using var victimApi = app.CreateApiClient(victim);
        var boards = new List<int>();
        var tasks = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var board = (await api.CreateBoardAsync($"fuzz {i}")).Id();
            boards.Add(board);
            for (var t = 0; t < 2; t++)
            {
                tasks.Add((await api.CreateTaskAsync(board, $"fuzz {i}.{t}", done: t == 1)).Id());
            }
        }

        var otherBoard = (await otherApi.CreateBoardAsync("fuzz other")).Id();
        var otherTask = (await otherApi.CreateTaskAsync(otherBoard, "fuzz other")).Id();

        // Subscriber ids this run owns (observing makes them the observer's), and one of the other user's.
        string[] own = [$"fz{runId}a", $"fz{runId}b", $"fz{runId}c"];
        string[] victims = [$"fz{runId}v"];
        var observers = new List<string>();
        foreach (var (id, index) in own.Select((id, index) => (id, index)))
        {
            var (status, body) = await api.GetJsonAsync($"/api/tasks?boardId={boards[index]}&observe={id}");
            Assert.Equal(HttpStatusCode.OK, status);
            observers.Add(body.GetProperty("observer").GetString()!);
        }

        var victimBoard = (await victimApi.CreateBoardAsync("fuzz victim")).Id();
        var (otherStatus, otherBody) = await victimApi.GetJsonAsync($"/api/tasks?boardId={victimBoard}&observe={victims[0]}");
        Assert.Equal(HttpStatusCode.OK, otherStatus);
        observers.Add(otherBody.GetProperty("observer").GetString()!);

        string[] subscriberValues = [.. own, .. victims, "bad!id", "x%0A", new string('a', 65), "%C3%28", "", "fz%00", "fz" + runId + "%20"];
        string[] observerValues = [.. observers, input.Hex(32), input.Hex(32).ToUpperInvariant(), "nothex", input.Hex(64), input.Hex(31), "", "%00"];
        return new Pools(user, other, victim, runId, [.. boards], [.. tasks], otherBoard, otherTask, own, victims, subscriberValues, observerValues,
            FuzzTokens.All(user, other, runId));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // HTTP.

    internal sealed record FuzzRequest(
        string Service, HttpMethod Method, string PathAndQuery, string Credential, List<(string Name, string Value)> Headers, byte[]? Body,
        string? ContentType, string BodyKind)
    {
        public override string ToString()
        {
            var headers = string.Join("; ", Headers.Where(header => header.Name != "Authorization").Select(header => $"{header.Name}: {Shorten(header.Value, 60)}"));
            var body = Body is null ? "no body" : $"{BodyKind} body of {Body.Length} bytes as {ContentType ?? "(no Content-Type)"}: {Shorten(Encoding.UTF8.GetString(Body), 200)}";
            return $"{Service} {Method} {Shorten(PathAndQuery, 300)} [credential: {Credential}] [{headers}] [{body}]";
        }
    }

    private static FuzzRequest ApiRequest(FuzzInput input, Pools pools)
    {
        int[] own = [.. pools.Boards, .. pools.Tasks];
        string Id() => input.Random.Next(10) switch
        {
            < 4 => input.Pick(own).ToString(CultureInfo.InvariantCulture),
            4 => pools.OtherBoard.ToString(CultureInfo.InvariantCulture),
            5 => pools.OtherTask.ToString(CultureInfo.InvariantCulture),
            6 => "00" + input.Pick(own).ToString(CultureInfo.InvariantCulture),
            _ => input.Pick(["0", "-1", "2147483647", "2147483648", "99999999999", "abc", "1.5", "%20", "1%00", "%C3%28", "é", "1e3", " 1"]),
        };
        string Member() => input.Random.Next(4) switch
        {
            0 => pools.User,
            1 => pools.Other,
            2 => "fz" + input.Word(1, 20),
            _ => input.Pick(["", "%00", "%C3%28", "a%2Fb", new string('m', 300), "é", "..", "x%0A"]),
        };

        var path = input.Random.Next(24) switch
        {
            < 4 => "/api/boards",
            < 7 => $"/api/boards/{Id()}",
            < 10 => "/api/tasks",
            < 13 => $"/api/tasks/{Id()}",
            13 => "/api/boardstats",
            14 => $"/api/boardstats/{Id()}",
            15 => $"/api/boards/{Id()}/members",
            16 => $"/api/boards/{Id()}/members/{Member()}",
            17 => "/api/queryobserver/unsubscribe",
            18 => $"/api/queryobserver/{input.Pick(pools.ObserverValues)}",
            19 => "/api/dev/token",
            20 => $"/ws/{input.Pick(pools.SubscriberValues)}",
            21 => input.Pick(["/health", "/alive", "/openapi/v1.json"]),
            22 => input.Pick(["/api/boards/", "/api//boards", "/api/boards/../tasks", "/api/Boards", "/API/TASKS", "/api/tasks/%2F1", "/api/boards;x=1"]),
            _ => "/" + input.Pick(["api", "api/x", "api/tasks/1/2", "scalar", "diagnostics/observers", "%00", "api/boards%00", "api/%C3%28"]),
        };
        return Request("api", input, pools, path);
    }

    /// <summary>
    /// Requests every signed token with an odd subject makes, whatever the seed: each write and observe path once,
    /// with a valid body, so that the subject reaches the database, Redis and the rate limiter.
    /// </summary>
    private static IEnumerable<FuzzRequest> OddSubjectRequests(Pools pools)
    {
        var json = Encoding.UTF8.GetBytes("{\"name\":\"fuzz\",\"title\":\"fuzz\",\"boardId\":" + pools.Boards[0] + ",\"user\":\"fz" + pools.RunId + "m\"}");
        foreach (var (credential, index) in pools.Credentials.Where(credential => credential.Validity == Validity.Odd).Select((credential, index) => (credential, index)))
        {
            List<(string, string)> headers = [("Authorization", credential.Authorization!)];
            yield return new FuzzRequest("api", HttpMethod.Post, "/api/boards", credential.Label, headers, json, "application/json", "object");
            yield return new FuzzRequest("api", HttpMethod.Get, "/api/boards?limit=5", credential.Label, headers, null, null, "");
            yield return new FuzzRequest("api", HttpMethod.Get, $"/api/tasks?observe=fz{pools.RunId}o{index}", credential.Label, headers, null, null, "");
            yield return new FuzzRequest("api", HttpMethod.Post, "/api/tasks", credential.Label, headers, json, "application/json", "object");
            yield return new FuzzRequest("api", HttpMethod.Post, $"/api/boards/{pools.Boards[0]}/members", credential.Label, headers, json, "application/json", "member");
            yield return new FuzzRequest("api", HttpMethod.Post, $"/api/queryobserver/unsubscribe?observer={pools.ObserverValues[0]}&subscriber=fz{pools.RunId}o{index}",
                credential.Label, headers, null, null, "");
            yield return new FuzzRequest("observers", HttpMethod.Get, $"/api/queryobserver/{pools.ObserverValues[0]}", credential.Label, headers, null, null, "");
        }
    }

    private static FuzzRequest ObserversRequest(FuzzInput input, Pools pools)
    {
        var path = input.Random.Next(10) switch
        {
            < 3 => $"/ws/{input.Pick(pools.SubscriberValues)}",
            < 5 => "/api/queryobserver/unsubscribe",
            < 7 => $"/api/queryobserver/{input.Pick(pools.ObserverValues)}",
            7 => "/diagnostics/observers",
            8 => input.Pick(["/health", "/alive"]),
            _ => input.Pick(["/api/tasks", "/api/boards/1", "/ws", "/ws/", "/ws/a/b", "/", "/%00"]),
        };
        return Request("observers", input, pools, path);
    }

    private static FuzzRequest Request(string service, FuzzInput input, Pools pools, string path)
    {
        // Mostly a method the route has, so that most requests reach a handler; now and then any method.
        var detail = path.Count(character => character == '/') >= 3;
        var method = input.Chance(0.6) && path.StartsWith("/api/", StringComparison.Ordinal)
            ? path switch
            {
                _ when path.Contains("/members/", StringComparison.Ordinal) => HttpMethod.Delete,
                _ when path.EndsWith("/members", StringComparison.Ordinal) => input.Chance(0.5) ? HttpMethod.Get : HttpMethod.Post,
                _ when path.Contains("unsubscribe", StringComparison.Ordinal) || path.Contains("/dev/", StringComparison.Ordinal) => HttpMethod.Post,
                _ when path.Contains("boardstats", StringComparison.Ordinal) || path.Contains("queryobserver", StringComparison.Ordinal) => HttpMethod.Get,
                _ when detail => input.Pick([HttpMethod.Get, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete]),
                _ => input.Chance(0.5) ? HttpMethod.Get : HttpMethod.Post,
            }
            : input.Random.Next(20) switch
            {
                < 8 => HttpMethod.Get,
                < 11 => HttpMethod.Post,
                12 => HttpMethod.Put,
                < 15 => HttpMethod.Patch,
                < 17 => HttpMethod.Delete,
                17 => HttpMethod.Head,
                18 => HttpMethod.Options,
                _ => new HttpMethod(input.Pick(["PROPFIND", "FOO", "TRACE", "CONNECT2"])),
            };
        var query = input.Chance(0.75) ? input.QueryString(pools.SubscriberValues, pools.ObserverValues) : "";
        // observe and subscriber values name subscriber ids: only this run's, so that no other test's id is taken.
        query = string.Join('&', query.Split('&').Select(parameter =>
            parameter.StartsWith("observe=", StringComparison.Ordinal) || parameter.StartsWith("subscriber=", StringComparison.Ordinal)
                ? parameter[..(parameter.IndexOf('=') + 1)] + (input.Chance(0.7) ? input.Pick(pools.SubscriberValues) : "fz" + input.Word(1, 20) + input.Pick(["", "%0A", "!", "%00"]))
                : parameter));
        var credential = input.Pick(pools.Credentials);
        var headers = input.Headers();
        if (credential.Authorization is { } authorization)
        {
            headers.Add(("Authorization", authorization));
        }

        if (input.Chance(0.05) && credential.Token is { } token)
        {
            // The token as a cookie too, with or without a matching origin.
            headers.Add(("Cookie", "rr_token=" + token));
        }

        byte[]? body = null;
        string? contentType = null;
        var bodyKind = "";
        var sendsBody = method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch ? input.Chance(0.9) : input.Chance(0.08);
        if (sendsBody)
        {
            (body, contentType) = input.Body([.. pools.Boards, pools.OtherBoard, 0, -1], out bodyKind);
            // Member bodies name this run's users only, so that no other test's user gains a board.
            if (bodyKind == "member" || path.Contains("/members", StringComparison.Ordinal))
            {
                bodyKind = "member";
                body = Encoding.UTF8.GetBytes("{\"user\":" + input.Pick(["\"" + pools.Other + "\"", "\"fz" + input.Word(1, 20) + "\"", "\"\"", "null", "1", "[]", "{}",
                    "\"a b\"", "\"é\"", "\"fz\\u0000\"", "\"fz\\n\"", "\"" + new string('u', 300) + "\""]) + "}");
            }
        }

        var pathAndQuery = query.Length == 0 ? path : path + "?" + query;
        return new FuzzRequest(service, method, pathAndQuery, credential.Label, headers, body, contentType, bodyKind);
    }

    /// <summary>
    /// Whether a refusal is a problem (application/problem+json, with its status): a violation if not, unless it is one
    /// of two legitimate exceptions, named in <c>Exempt</c>.
    /// </summary>
    internal static (string? Exempt, string? Violation) CheckProblem(FuzzRequest request, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        // Every request asks for Connection: close, so the answer's Connection header proves nothing: what the request
        // holds must be what Kestrel refuses before any middleware runs.
        if (text.Length == 0 && mediaType is null && KestrelRefuses(request, status) is { } reason)
        {
            // A request Kestrel refuses before any middleware runs (a request line or headers over its limits, bytes
            // that are not ASCII in a header, a NUL in the path): an empty answer, and the connection is closed.
            return ($"refused by Kestrel before the application (empty): {reason}", null);
        }

        if (mediaType == "text/plain" && (request.Method == HttpMethod.Head || text.StartsWith($"Status Code: {status};", StringComparison.Ordinal)) && RulesOutJson(request))
        {
            // The status code pages (routing's 404, 405 and 415) write a problem only to a client that accepts JSON;
            // to others, plain text.
            return ("text/plain from the status code pages: the request's Accept rules out JSON", null);
        }

        if (mediaType != "application/problem+json")
        {
            return (null, $"Content-Type {mediaType ?? "(none)"}");
        }

        if (request.Method == HttpMethod.Head)
        {
            return (null, null);
        }

        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("status", out var value) && value.TryGetInt32(out var stated) && stated == status
                ? (null, null)
                : (null, "problem without its status");
        }
        catch (JsonException)
        {
            return (null, "problem that is not JSON");
        }
    }

    /// <summary>Why Kestrel refuses <paramref name="request"/> with <paramref name="status"/> before the application; null if it does not.</summary>
    internal static string? KestrelRefuses(FuzzRequest request, int status)
    {
        var path = request.PathAndQuery.Split('?')[0];
        return status switch
        {
            414 when WireLength(request.PathAndQuery) > KestrelRequestLineLimit => "a request line over 8 KiB",
            400 when HasHeaderKestrelRefuses(request) => "a header value that is not visible ASCII",
            400 when path.Contains("%00", StringComparison.Ordinal) => "a NUL in the path",
            _ => null,
        };
    }

    /// <summary>The length of a path and query as sent: a character that is not ASCII goes percent-encoded, 3 per UTF-8 byte.</summary>
    private static int WireLength(string pathAndQuery) =>
        pathAndQuery.Sum(character => character < 0x80 ? 1 : 3 * Encoding.UTF8.GetByteCount([character]));

    private static bool HasHeaderKestrelRefuses(FuzzRequest request) =>
        request.Headers.Any(header => header.Value.Any(IsRefusedInHeader)) || request.ContentType?.Any(IsRefusedInHeader) == true;

    private static bool IsRefusedInHeader(char character) => character > 0x7E || (character < 0x20 && character != '\t');

    /// <summary>As ASP.NET Core's problem details writer decides: an Accept header none of whose types JSON satisfies.</summary>
    private static bool RulesOutJson(FuzzRequest request)
    {
        var accept = request.Headers.Where(header => header.Name == "Accept").Select(header => header.Value).ToList();
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParseList(accept, out var types) || types.Count == 0)
        {
            return false;
        }

        var json = new Microsoft.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var problem = new Microsoft.Net.Http.Headers.MediaTypeHeaderValue("application/problem+json");
        return !types.Any(type => json.IsSubsetOf(type) || problem.IsSubsetOf(type));
    }

    private static HttpClient NewClient() => new(Handler()) { Timeout = TimeSpan.FromSeconds(30) };

    private static SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // Header values beyond ASCII are sent as Latin-1 bytes rather than refused by the client.
        RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
    };

    // ---------------------------------------------------------------------------------------------------------------
    // WebSockets.

    private enum Action
    {
        Heartbeat,
        Junk,
        Empty,
        MaxSize,
        Fragmented,
        InvalidUtf8,
        Burst,
        Binary,
        Oversized,
        FragmentedOversized,
        ClientClose,
        Abort,
        Takeover,
    }

    /// <summary>What an upgrade must get: accepted, refused before the upgrade (400/401/403), or either (an odd but signed token).</summary>
    private enum Expect
    {
        Accept,
        Refuse,
        Either,
    }

    private sealed record SocketAttemptSpec(
        int Index, string Id, string Query, string Credential, List<(string Name, string Value)> Headers, Expect Expect,
        List<(Action Action, string Text, int Number)> Script)
    {
        public override string ToString() =>
            $"#{Index} /ws/{Shorten(Id, 80)}?{Shorten(Query, 200)} [credential: {Credential}] [{string.Join("; ", Headers.Where(header => header.Name != "Authorization").Select(header => $"{header.Name}: {Shorten(header.Value, 60)}"))}]";
    }

    private static SocketAttemptSpec SocketAttempt(FuzzInput input, Pools pools, int index)
    {
        var fresh = $"fz{pools.RunId}s{index}";
        var (id, validId) = input.Random.Next(10) switch
        {
            < 7 => (fresh, true),
            7 => (pools.VictimIds[0], false),
            8 => (pools.OwnSubscriberIds[input.Random.Next(pools.OwnSubscriberIds.Length)] + "x" + index, true),
            _ => (input.Pick(["bad!id", fresh + "%0A", fresh + "%00", new string('a', 65), "%C3%28", "", fresh + "/x", fresh + "%2F", "é" + fresh, fresh + "%20"]), false),
        };

        var query = new List<string>();
        // Whether the resume parameter is well formed (docs/protocol.md section 5); Odd: it depends on how it decodes.
        var resume = Validity.Valid;
        if (input.Chance(0.3))
        {
            var seq = input.Pick(["-1", "-2", "99999999999999999999", "0", "x", "", "1.5"]);
            var odd = input.Pick(["", ":", ",", "x", "abc:1", $"{input.Hex(32)}:", $":{input.Random.Next(9)}", $"{input.Hex(32)}:1,", $"{input.Hex(32)}:1,{input.Hex(32)}"]);
            (var value, resume) = input.Random.Next(9) switch
            {
                0 => ($"{input.Hex(32)}:{input.Random.Next(100)}", Validity.Valid),
                1 => (string.Join(",", Enumerable.Range(0, input.Between(2, 5)).Select(_ => $"{input.Hex(32)}:{input.Random.Next(-1, 100)}")), Validity.Valid),
                2 => (string.Join(",", Enumerable.Range(0, 151).Select(_ => $"{input.Hex(32)}:1")), Validity.Invalid),
                3 => ($"{pools.ObserverValues[0]}:{seq}", seq is "-1" or "0" ? Validity.Valid : Validity.Invalid),
                // Empty entries are skipped: "", "," and a trailing comma are well formed.
                4 => (odd, odd.Length == 0 || odd == "," || odd.EndsWith("1,", StringComparison.Ordinal) ? Validity.Valid : Validity.Invalid),
                5 => ($"{input.Hex(32)}:1,{pools.ObserverValues[0]}:2,{pools.ObserverValues[0]}:3", Validity.Invalid),
                6 => (input.Pick(FuzzInput.BadEscapes), Validity.Odd),
                7 => (Uri.EscapeDataString(input.UnicodeText()), Validity.Invalid),
                _ => ($"{pools.ObserverValues[3]}:0", Validity.Valid),
            };
            query.Add("resume=" + value);
            if (input.Chance(0.1))
            {
                // Given twice: malformed.
                query.Add(query[^1]);
                resume = Validity.Invalid;
            }
        }

        if (input.Chance(0.15))
        {
            var name = input.QueryName();
            query.Add(name + "=" + input.QueryValue(pools.SubscriberValues, pools.ObserverValues));
            if (name is "resume" or "access_token")
            {
                resume = resume == Validity.Invalid ? Validity.Invalid : Validity.Odd;
            }
        }

        var credential = input.Pick(pools.Credentials);
        var headers = new List<(string, string)>();
        var valid = credential.Validity == Validity.Valid;
        var refuse = credential.Validity == Validity.Invalid;
        switch (input.Random.Next(10))
        {
            case < 6:
                if (credential.Token is { } token && token.Length < 4000)
                {
                    query.Add("access_token=" + Uri.EscapeDataString(token));
                    if (input.Chance(0.05))
                    {
                        // Twice: no token at all.
                        query.Add("access_token=" + Uri.EscapeDataString(token));
                        refuse = true;
                    }
                }
                else
                {
                    refuse = true;
                }

                break;
            case < 8:
                if (credential.Authorization is { } authorization)
                {
                    headers.Add(("Authorization", authorization));
                }

                break;
            default:
                // A browser page's cookie: accepted only from an allowed Origin (the observers' own, here).
                if (credential.Token is { Length: > 0 } cookie)
                {
                    headers.Add(("Cookie", "rr_token=" + cookie));
                }
                else
                {
                    refuse = true;
                }

                var origin = input.Pick(["own", "none", "http://evil.example", "null", "http://127.0.0.1", ""]);
                if (origin != "none")
                {
                    headers.Add(("Origin", origin));
                }

                refuse |= origin != "own";
                break;
        }

        refuse |= !validId || resume == Validity.Invalid;
        var expect = refuse ? Expect.Refuse : valid && resume == Validity.Valid ? Expect.Accept : Expect.Either;

        var script = new List<(Action, string, int)>();
        var steps = input.Between(1, 6);
        for (var i = 0; i < steps; i++)
        {
            var action = input.Random.Next(26) switch
            {
                < 4 => Action.Heartbeat,
                < 10 => Action.Junk,
                10 => Action.Empty,
                11 => Action.MaxSize,
                < 14 => Action.Fragmented,
                14 => Action.InvalidUtf8,
                < 17 => Action.Burst,
                17 => Action.Binary,
                18 => Action.Oversized,
                19 => Action.FragmentedOversized,
                < 22 => Action.ClientClose,
                22 => Action.Abort,
                23 => Action.Takeover,
                _ => Action.Junk,
            };
            script.Add(action switch
            {
                Action.Junk => (action, input.FrameText(4096), 0),
                Action.Fragmented => (action, input.Chance(0.5) ? "--heartbeat--" : input.FrameText(4096), input.Between(2, 6)),
                Action.Burst => (action, "", input.Between(20, 200)),
                Action.Oversized => (action, new string(input.Chance(0.5) ? 'x' : 'é', input.Between(4097, 40_000)), 0),
                Action.FragmentedOversized => (action, new string('f', input.Between(4097, 20_000)), input.Between(2, 8)),
                Action.ClientClose => (action, "", input.Pick([1000, 1001, 1008, 1011, 3000, 4000, 4999, input.Between(3000, 4999)])),
                _ => (action, "", 0),
            });
        }

        return new SocketAttemptSpec(index, id, string.Join('&', query), credential.Label, headers, expect, script);
    }

    /// <summary>Kestrel's default request line limit (8 KiB), less room for the method and the HTTP version.</summary>
    private const int KestrelRequestLineLimit = 8_000;

    private static async Task RunAttemptAsync(SocketAttemptSpec attempt, Uri observers, HttpMessageInvoker invoker, Tally outcomes,
        System.Collections.Concurrent.ConcurrentQueue<string> violations)
    {
        var own = observers.GetLeftPart(UriPartial.Authority);
        var uri = new Uri($"{own.Replace("http://", "ws://", StringComparison.Ordinal)}/ws/{attempt.Id}{(attempt.Query.Length > 0 ? "?" + attempt.Query : "")}");
        var headers = attempt.Headers.Select(header => header is ("Origin", "own") ? ("Origin", own) : header).ToList();
        var (socket, status, error) = await FuzzSocket.ConnectAsync(uri, invoker, headers, Cancellation);
        outcomes.Add($"upgrade {status} (expected: {attempt.Expect.ToString().ToLowerInvariant()})");
        if (socket is null)
        {
            // 414 and 431: a URL or headers over Kestrel's limits (a resume list given twice), refused before the application.
            if (status is not (400 or 401 or 403 or 414 or 431))
            {
                violations.Enqueue($"upgrade answered {status} {error}: {attempt}");
            }
            else if (attempt.Expect == Expect.Accept && !(status is 414 or 431 && uri.AbsoluteUri.Length > KestrelRequestLineLimit))
            {
                // A URL over Kestrel's request line limit is refused before the application, whatever it holds.
                violations.Enqueue($"a valid upgrade was refused with {status}: {attempt}");
            }

            return;
        }

        if (attempt.Expect == Expect.Refuse)
        {
            violations.Enqueue($"an upgrade that should be refused was accepted: {attempt}");
        }

        await using var session = socket;
        await RunScriptAsync(attempt, session, uri, headers, invoker, outcomes, violations);
    }

    private static async Task RunScriptAsync(SocketAttemptSpec attempt, FuzzSocket socket, Uri uri, List<(string, string)> headers, HttpMessageInvoker invoker,
        Tally outcomes, System.Collections.Concurrent.ConcurrentQueue<string> violations)
    {
        const string Heartbeat = "--heartbeat--";
        foreach (var (action, text, number) in attempt.Script)
        {
            var label = $"frame {action}";
            try
            {
                switch (action)
                {
                    case Action.Heartbeat:
                        await socket.SendTextAsync(Heartbeat, Cancellation);
                        await ExpectAsync(Heartbeat);
                        break;
                    case Action.Junk or Action.Empty or Action.MaxSize or Action.Fragmented:
                        var message = action switch
                        {
                            Action.Empty => "",
                            Action.MaxSize => new string('m', 4096),
                            _ => text,
                        };
                        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, Cancellation, Math.Max(1, number));
                        await ExpectAsync(message == Heartbeat ? Heartbeat : null);
                        break;
                    case Action.InvalidUtf8:
                        await socket.SendAsync([0x7B, 0xC3, 0x28, 0xFF, 0x7D], WebSocketMessageType.Text, Cancellation);
                        if (await NextOrEndAsync() is { } reply)
                        {
                            Check(IsError(reply.Text), "answer", reply.Text);
                            continue;
                        }

                        return;
                    case Action.Burst:
                        for (var i = 0; i < number; i++)
                        {
                            await socket.SendTextAsync(Heartbeat, Cancellation);
                        }

                        for (var i = 0; i < number; i++)
                        {
                            var echo = await NextOrEndAsync();
                            if (echo is null || echo.Value.Text != Heartbeat)
                            {
                                Violation($"echo {i + 1} of {number}: {echo?.Text ?? "ended " + socket.CloseStatus}");
                                return;
                            }
                        }

                        outcomes.Add($"{label} → all echoed");
                        break;
                    case Action.Binary or Action.Oversized or Action.FragmentedOversized:
                        var bytes = action == Action.Binary ? new byte[number % 3 == 0 ? 0 : 7] : Encoding.UTF8.GetBytes(text);
                        await socket.SendAsync(bytes, action == Action.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, Cancellation, Math.Max(1, number));
                        await ExpectCloseAsync(action == Action.Binary ? WebSocketCloseStatus.InvalidMessageType : WebSocketCloseStatus.MessageTooBig);
                        return;
                    case Action.ClientClose:
                        await socket.Socket.CloseOutputAsync((WebSocketCloseStatus)number, "fuzz", Cancellation);
                        await ExpectCloseAsync(WebSocketCloseStatus.NormalClosure, $"{label} {(number is 1000 or 1001 or 1008 or 1011 ? number : "3000-4999")}");
                        return;
                    case Action.Abort:
                        // Half a message, then the connection drops.
                        await socket.Socket.SendAsync(Encoding.UTF8.GetBytes("{\"msg\":"), WebSocketMessageType.Text, false, Cancellation);
                        socket.Socket.Abort();
                        outcomes.Add($"{label} mid-message");
                        return;
                    case Action.Takeover:
                        // "Newer" is the order the server set the connections up in: the first is set up once it answers.
                        await socket.SendTextAsync(Heartbeat, Cancellation);
                        await ExpectAsync(Heartbeat);
                        var (second, status, error) = await FuzzSocket.ConnectAsync(uri, invoker, headers, Cancellation);
                        if (second is null)
                        {
                            Violation($"the same request again was refused: {status} {error}");
                            return;
                        }

                        await using (second)
                        {
                            await ExpectCloseAsync((WebSocketCloseStatus)4000);
                            await second.SendTextAsync(Heartbeat, Cancellation);
                            var echo = await NextReplyAsync(second, outcomes);
                            if (echo?.Text != Heartbeat)
                            {
                                Violation($"the new connection did not echo: {echo?.Text ?? "ended " + second.CloseStatus}");
                            }
                        }

                        return;
                }
            }
            catch (TimeoutException exception)
            {
                Violation(exception.Message);
                return;
            }
            catch (WebSocketException exception)
            {
                // The server may close while the client still sends: only a close it sent afterwards tells what happened.
                if (!await socket.EndedAsync(Deadline) || socket.CloseStatus is not { } code || !DocumentedCloseCodes.Contains((int)code))
                {
                    Violation($"send failed ({exception.Message}); ended {socket.CloseStatus}");
                }
                else
                {
                    outcomes.Add($"{label} → closed {(int)code} while sending");
                }

                return;
            }

            async Task<(WebSocketMessageType Type, string Text)?> NextOrEndAsync()
            {
                var frame = await NextReplyAsync(socket, outcomes);
                if (frame is null)
                {
                    var code = socket.CloseStatus is { } closed ? (int)closed : 0;
                    outcomes.Add($"{label} → closed {(socket.Aborted ? "without a close frame" : code.ToString(CultureInfo.InvariantCulture))}");
                    // Text that is not UTF-8 is closed by the WebSocket layer itself with 1007 (RFC 6455 8.1), which
                    // docs/protocol.md does not list (reported); anything else must be a code it does list.
                    if (socket.Aborted || !(DocumentedCloseCodes.Contains(code) || (action == Action.InvalidUtf8 && code == 1007)))
                    {
                        Violation($"closed {(socket.Aborted ? "without a close frame" : code)}, which docs/protocol.md does not list");
                    }
                }

                return frame;
            }

            async Task ExpectAsync(string? heartbeat)
            {
                if (await NextOrEndAsync() is not { } reply)
                {
                    Violation("no answer: the connection ended");
                    return;
                }

                Check(heartbeat is null ? IsError(reply.Text) : reply.Text == heartbeat, heartbeat is null ? "error frame" : "echo", reply.Text);
            }

            async Task ExpectCloseAsync(WebSocketCloseStatus expected, string? name = null)
            {
                var frame = await NextReplyAsync(socket, outcomes);
                if (frame is not null || !await socket.EndedAsync(Deadline) || socket.CloseStatus != expected)
                {
                    Violation($"expected close {(int)expected}; got {(frame is { } f ? "a frame " + Shorten(f.Text, 100) : socket.Aborted ? "no close frame" : "close " + (int?)socket.CloseStatus)}");
                    return;
                }

                outcomes.Add($"{name ?? label} → close {(int)expected}");
            }

            void Check(bool ok, string what, string reply)
            {
                if (ok)
                {
                    outcomes.Add($"{label} → {what}");
                }
                else
                {
                    Violation($"expected {what}, got {Shorten(reply, 200)}");
                }
            }

            void Violation(string what)
            {
                outcomes.Add($"{label} → VIOLATION");
                violations.Enqueue($"{label}: {what}: {attempt}");
            }
        }

        // Still open: it answers, and closes cleanly.
        try
        {
            await socket.SendTextAsync(Heartbeat, Cancellation);
            var last = await NextReplyAsync(socket, outcomes);
            await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", Cancellation);
            var ended = await socket.EndedAsync(Deadline);
            if (last?.Text != Heartbeat || !ended || socket.CloseStatus != WebSocketCloseStatus.NormalClosure)
            {
                violations.Enqueue($"the session did not stay usable (last {last?.Text}, ended {ended}, close {socket.CloseStatus}): {attempt}");
            }
            else
            {
                outcomes.Add("session → still answers, then closes with 1000");
            }
        }
        catch (Exception exception) when (exception is WebSocketException or TimeoutException)
        {
            violations.Enqueue($"the session did not stay usable: {exception.Message}: {attempt}");
        }

        static bool IsError(string text)
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                return json.RootElement.GetProperty("msg").GetString() == "error" && json.RootElement.GetProperty("error").GetString() is "unsupported_message" or "invalid_token";
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The next frame that answers the client, or null once the connection ended. Protocol messages on the way (the
    /// <c>expired</c> a resume of an unknown observer gets) are counted and passed over.
    /// </summary>
    private static async Task<(WebSocketMessageType Type, string Text)?> NextReplyAsync(FuzzSocket socket, Tally outcomes)
    {
        while (true)
        {
            var frame = await socket.NextAsync(Deadline, Cancellation);
            if (frame is not { } received || ProtocolMessage(received.Text) is not { } message)
            {
                return frame;
            }

            outcomes.Add($"protocol message '{message}' (a resume)");
        }

        static string? ProtocolMessage(string text)
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("msg", out var msg)
                    && msg.GetString() is "expired" or "added" or "changed" or "removed" ? msg.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Frames no WebSocket library sends, each with what a server must do about it.</summary>
    /// <param name="IsValid">A frame RFC 6455 allows (masked text, a ping, a pong): the server must answer the heartbeat after it.</param>
    private sealed record RawAttemptSpec(int Index, string Kind, string Id, byte[] Bytes, bool MayStaySilent, bool IsValid)
    {
        public override string ToString() => $"#{Index} raw {Kind} on /ws/{Id}: {Convert.ToHexString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 48)))}{(Bytes.Length > 48 ? "…" : "")}";
    }

    private static RawAttemptSpec RawAttempt(FuzzInput input, Pools pools, int index)
    {
        var id = $"fz{pools.RunId}r{index}";
        var text = Encoding.UTF8.GetBytes(input.FrameText(100));
        var (kind, bytes, silent) = input.Random.Next(18) switch
        {
            0 => ("masked text", RawWebSocket.Frame(0x81, text), false),
            1 => ("unmasked text", RawWebSocket.Frame(0x81, text, mask: false), false),
            2 => ("reserved bit " + input.Pick(["RSV1", "RSV2", "RSV3"]), RawWebSocket.Frame((byte)(0x81 | input.Pick<byte>([0x40, 0x20, 0x10])), text), false),
            3 => ("reserved opcode", RawWebSocket.Frame((byte)(0x80 | input.Pick<byte>([3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])), text), false),
            4 => ("continuation without a start", RawWebSocket.Frame(0x80, text), false),
            5 => ("ping over 125 bytes", RawWebSocket.Frame(0x89, new byte[input.Between(126, 300)]), false),
            6 => ("fragmented ping", RawWebSocket.Frame(0x09, [1, 2, 3]), false),
            7 => ("ping", RawWebSocket.Frame(0x89, [1, 2, 3]), false),
            8 => ("unsolicited pong", RawWebSocket.Frame(0x8A, [4, 5]), false),
            9 => ("close with a 1-byte payload", RawWebSocket.Frame(0x88, [3]), false),
            10 => ("close with an invalid code", RawWebSocket.Frame(0x88, CloseBody(input.Pick([0, 999, 1004, 1005, 1006, 1015, 2000, 5000, 65535]))), false),
            11 => ("close with a reason that is not UTF-8", RawWebSocket.Frame(0x88, [0x03, 0xE8, 0xC3, 0x28]), false),
            12 => ("text that is not UTF-8", RawWebSocket.Frame(0x81, [0x7B, 0xC3, 0x28, 0xFF]), false),
            13 => ("64-bit length of 2^" + input.Pick([31, 40, 62, 63]), RawWebSocket.Frame(0x81, text, declaredLength: 1UL << input.Pick([31, 40, 62, 63])), true),
            14 => ("new message inside a fragmented one", [.. RawWebSocket.Frame(0x01, text), .. RawWebSocket.Frame(0x81, text)], false),
            15 => ("random bytes", RandomBytes(input), true),
            16 => ("length longer than the payload", RawWebSocket.Frame(0x81, text, declaredLength: (ulong)text.Length + (ulong)input.Between(1, 3000)), true),
            _ => ("16-bit length for a short payload", [0x81, 0xFE, 0x00, (byte)text.Length, .. MaskedWithZeroKey(text)], false),
        };
        return new RawAttemptSpec(index, kind, id, bytes, silent, IsValid: kind is "masked text" or "ping" or "unsolicited pong");

        static byte[] CloseBody(int code) => [(byte)(code >> 8), (byte)code];

        static byte[] RandomBytes(FuzzInput input)
        {
            var bytes = new byte[input.Between(1, 200)];
            input.Random.NextBytes(bytes);
            return bytes;
        }

        static byte[] MaskedWithZeroKey(byte[] payload) => [0, 0, 0, 0, .. payload];
    }

    private static async Task RunRawAttemptAsync(RawAttemptSpec attempt, Uri observers, Tally outcomes, System.Collections.Concurrent.ConcurrentQueue<string> violations)
    {
        var token = TestUsers.TokenFor(RawUser);
        var (socket, status) = await RawWebSocket.ConnectAsync(observers, $"/ws/{attempt.Id}?access_token={token}", Cancellation);
        outcomes.Add($"upgrade {status} (raw)");
        if (socket is null)
        {
            violations.Enqueue($"raw upgrade answered {status}: {attempt}");
            return;
        }

        await using (socket)
        {
            // The junk, then a well-formed heartbeat: the server answers it, or it closed, or (when the junk announced
            // more bytes than it held) it still waits for them.
            await socket.SendAsync(attempt.Bytes, Cancellation);
            await socket.SendAsync(RawWebSocket.Frame(0x81, Encoding.UTF8.GetBytes("--heartbeat--")), Cancellation);
            // Junk that announced more bytes than it held leaves the server waiting: a short wait tells that apart.
            var outcome = await socket.ReadOutcomeAsync(text => text == "--heartbeat--", attempt.MayStaySilent ? TimeSpan.FromSeconds(3) : Deadline, Cancellation);
            var code = outcome.StartsWith("close ", StringComparison.Ordinal) && int.TryParse(outcome[6..], out var parsed) ? parsed : (int?)null;
            var verdict = outcome switch
            {
                "text" => "answers the heartbeat",
                "silent" when attempt.MayStaySilent => "waits for the announced bytes",
                "eof" => "dropped without a close frame",
                _ when code is { } closed => $"close {closed}",
                _ => outcome,
            };
            outcomes.Add($"raw {attempt.Kind,-40} → {verdict}");
            if (attempt.IsValid && outcome != "text")
            {
                violations.Enqueue($"raw: a valid frame was not followed by the heartbeat's answer ({verdict}): {attempt}");
            }
            else if (outcome == "silent" && !attempt.MayStaySilent)
            {
                violations.Enqueue($"raw: no answer, no close within {Deadline.TotalSeconds} s: {attempt}");
            }
            else if (code is { } closed && !DocumentedCloseCodes.Contains(closed) && closed is not (1002 or 1007))
            {
                violations.Enqueue($"raw: closed {closed}, which neither docs/protocol.md nor RFC 6455's protocol errors cover: {attempt}");
            }
        }
    }

    /// <summary>Raw sockets run as a user of their own, for whom every id they use is fresh.</summary>
    private static readonly string RawUser = TestUsers.Unique("fuzz-raw");

    // ---------------------------------------------------------------------------------------------------------------
    // Proof that nothing crashed.

    private async Task<Dictionary<string, string>> ProcessesAsync()
    {
        var api = await app.ProcessesAsync("api");
        var observers = await app.ProcessesAsync("observers");
        return api.Concat(observers).ToDictionary(pair => pair.Key, pair => pair.Value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A fresh subscriber receives a write within seconds; both services are healthy and are the processes they were.</summary>
    private async Task ProvesNothingCrashedAsync(Pools pools, Dictionary<string, string> processesBefore)
    {
        using var api = app.CreateApiClient(pools.User);
        await using var subscriber = await Subscriber.ConnectAsync(app, user: pools.User);
        // A board of its own: the fuzz may have deleted any of the others.
        var board = (await api.CreateBoardAsync("fuzz after")).Id();
        var observer = await subscriber.ObserveAsync(api, $"/api/tasks?boardId={board}&limit=1000");
        var sentinel = await api.CreateTaskAsync(board, "fuzz sentinel");
        var added = await subscriber.NextUntilAsync(frame => frame.GetProperty("msg").GetString() == "added" && frame.GetProperty("item").Id() == sentinel.Id(), Deadline);
        Assert.Equal(observer, added[^1].GetProperty("observer").GetString());

        using var apiHealth = app.App.CreateHttpClient("api");
        using var observersHealth = app.App.CreateHttpClient("observers");
        for (var i = 0; i < 6; i++)
        {
            // The observers endpoint is shared by the replicas: several answers in a row reach each of them.
            using var healthy = await (i == 0 ? apiHealth : observersHealth).GetAsync("/health", Cancellation);
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        Assert.Equal(processesBefore, await ProcessesAsync());
        Print($"after the fuzz: a fresh subscriber got the sentinel write; /health is 200; the same {processesBefore.Count} service processes run ({string.Join(", ", processesBefore.Keys)})");
    }

    /// <summary>Prints the error records the services logged since <paramref name="since"/>; returns how many tell of an unhandled exception.</summary>
    private static int PrintServiceFailures(ResourceLogs logs, DateTimeOffset since)
    {
        var failures = 0;
        foreach (var resource in new[] { "api", "observers" })
        {
            foreach (var entry in logs.Entries(resource).Where(entry => entry.Time >= since && entry.Level is "fail" or "crit"))
            {
                Print($"service log: {entry}");
                if (entry.Text.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase) || entry.Level == "crit")
                {
                    failures++;
                }
            }
        }

        return failures;
    }

    private static void Shuffle<T>(Random random, List<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static string Shorten(string text, int length) =>
        (text.Length <= length ? text : text[..length] + $"…({text.Length} chars)").Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
