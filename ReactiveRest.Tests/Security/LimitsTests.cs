using ReactiveRest.Tests.Faults;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>Each limit is reached and answered as docs/protocol.md says: 429 problem details, before any work is done.</summary>
[Collection(nameof(LimitsCollection))]
public sealed class LimitsTests(LimitsStack stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_subscriber_observes_at_most_the_configured_number_of_queries()
    {
        var user = TestUsers.Unique("observers");
        using var api = stack.CreateApiClient(user);
        var board = await WithinRateAsync(() => api.CreateBoardAsync("limits"));
        await using var subscriber = await Subscriber.ConnectAsync(stack, user: user);
        var first = "";
        for (var i = 0; i < LimitsStack.ObserversPerSubscriber; i++)
        {
            var observer = await WithinRateAsync(() => subscriber.ObserveAsync(api, $"/api/tasks?boardId={board.Id()}&limit={i + 1}"));
            first = first.Length == 0 ? observer : first;
        }

        using var refused = await WithinRateAsync(() => api.GetAsync($"/api/tasks?boardId={board.Id()}&limit=50&observe={subscriber.Id}", Cancellation));
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains($"{LimitsStack.ObserversPerSubscriber}", problem.GetProperty("detail").GetString());

        // Observing one of its queries again is no new observer; after an unsubscribe there is room again.
        using var again = await WithinRateAsync(() => api.GetAsync($"/api/tasks?boardId={board.Id()}&limit=1&observe={subscriber.Id}", Cancellation));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var unsubscribed = await WithinRateAsync(() => api.PostAsync($"/api/queryobserver/unsubscribe?observer={first}&subscriber={subscriber.Id}", null, Cancellation));
        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        using var room = await WithinRateAsync(() => api.GetAsync($"/api/tasks?boardId={board.Id()}&limit=50&observe={subscriber.Id}", Cancellation));
        Assert.Equal(HttpStatusCode.OK, room.StatusCode);
    }

    [Fact]
    public async Task A_user_holds_at_most_the_configured_number_of_websockets()
    {
        var user = TestUsers.Unique("sockets");
        var open = new List<Subscriber>();
        try
        {
            for (var i = 0; i < LimitsStack.SocketsPerUser; i++)
            {
                open.Add(await Subscriber.ConnectAsync(stack, user: user));
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/one-too-many-{Guid.NewGuid():N}", user)));
            // Another user is not affected; a closed socket frees its place.
            Assert.Equal(HttpStatusCode.SwitchingProtocols, await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/other-{Guid.NewGuid():N}", TestUsers.Unique("other"))));
            await open[0].CloseAsync();
            await Eventually.HoldsAsync(
                async () => await WebSocketUpgrade.TryAsync(Subscriber.WebSocketUri(stack, $"/ws/{open[0].Id}", user)) == HttpStatusCode.SwitchingProtocols,
                TimeSpan.FromSeconds(5), "a closed socket frees its place");
        }
        finally
        {
            foreach (var subscriber in open)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Observes_and_writes_beyond_the_rate_are_429_with_retry_after_and_other_users_are_unaffected()
    {
        var user = TestUsers.Unique("rate");
        using var api = stack.CreateApiClient(user);
        using var other = stack.CreateApiClient(TestUsers.Unique("calm"));

        // More than a burst (twice the rate) at once: some are refused.
        var writes = await Task.WhenAll(Enumerable.Range(0, LimitsStack.PerSecond * 4).Select(i => api.PostAsJsonAsync("/api/boards", new { name = $"burst {i}" }, Cancellation)));
        var observes = await Task.WhenAll(Enumerable.Range(0, LimitsStack.PerSecond * 4).Select(i => api.GetAsync($"/api/boards?observe=rate-{i}-{Guid.NewGuid():N}", Cancellation)));

        foreach (var responses in new[] { writes, observes })
        {
            var refused = responses.Where(response => response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(refused);
            Assert.All(responses, response => Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
            await ProblemAssert.IsProblemAsync(refused[0], HttpStatusCode.TooManyRequests);
            Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After names a delay");
        }

        // Plain reads are not observes and are not limited; another user's writes are unaffected.
        using var read = await api.GetAsync("/api/boards", Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var calm = await other.PostAsJsonAsync("/api/boards", new { name = "calm" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, calm.StatusCode);
    }

    [Fact]
    public async Task A_subscriber_id_with_a_trailing_newline_is_refused()
    {
        using var api = stack.CreateApiClient(TestUsers.Unique("newline"));

        using var response = await api.GetAsync("/api/boards?observe=alice%0A", Cancellation);

        await ProblemAssert.IsValidationProblemAsync(response, "observe");
    }

    /// <summary>Runs a request of the test's own set-up, waiting out the rate limit this stack enforces.</summary>
    internal static async Task<T> WithinRateAsync<T>(Func<Task<T>> request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                var result = await request();
                if (result is not HttpResponseMessage { StatusCode: HttpStatusCode.TooManyRequests } || DateTime.UtcNow > deadline)
                {
                    return result;
                }
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                // A helper asserted success on a response the rate limit refused.
            }

            await Task.Delay(250, Cancellation);
        }
    }
}
