using System.Net.WebSockets;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>
/// A client that reconnects says, per observer, the seq of the last message it applied; the server continues exactly
/// after it, or answers <c>expired</c>, never a guess.
/// </summary>
public sealed class ResumeTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_resumed_connection_continues_exactly_after_what_the_client_applied()
    {
        var board = await _api.CreateBoardAsync();
        var url = $"/api/tasks?boardId={board.Id()}&ordering=-id&limit=5";
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, url);
        await _api.CreateTaskAsync(board.Id(), "before");
        await subscriber.NextAsync();
        var applied = subscriber.Seq(observer);

        await subscriber.AbortAsync();
        for (var i = 0; i < 8; i++)
        {
            await _api.CreateTaskAsync(board.Id(), $"while away {i}");
        }

        await subscriber.OpenAsync(app, resume: true);
        await Convergence.AssertConvergesAsync(_api, subscriber, observer, url);
        Assert.True(subscriber.Seq(observer) > applied);
        Assert.False(subscriber.IsExpired(observer));
    }

    [Fact]
    public async Task Resuming_what_the_server_cannot_continue_is_answered_expired()
    {
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        await subscriber.CloseAsync();

        var notMine = "0123456789abcdef0123456789abcdef";
        using var raw = new ClientWebSocket();
        await raw.ConnectAsync(Subscriber.WebSocketUri(app, $"/ws/{subscriber.Id}?resume={observer}:99999,{notMine}:0"), Cancellation);
        var reasons = new Dictionary<string, string>();
        var buffer = new byte[4096];
        while (reasons.Count < 2)
        {
            var received = await raw.ReceiveAsync(buffer, Cancellation);
            using var frame = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, received.Count));
            Assert.Equal("expired", frame.RootElement.GetProperty("msg").GetString());
            reasons[frame.RootElement.GetProperty("observer").GetString()!] = frame.RootElement.GetProperty("reason").GetString()!;
        }

        Assert.Equal("unknown_position", reasons[observer]);
        Assert.Equal("subscription_ended", reasons[notMine]);

        // Expired means the subscription ended: observing again starts clean and works.
        using var stats = await _api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
        await ProblemAssert.IsProblemAsync(stats, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task After_the_grace_period_a_returning_client_is_told_its_observers_are_gone()
    {
        var board = await _api.CreateBoardAsync();
        var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        await subscriber.DisposeAsync();
        await WaitUntilGoneAsync(observer);

        // Saying nothing: told anyway, from the tombstone its grace period left.
        await using var silent = await Subscriber.ConnectAsync(app, subscriber.Id);
        var told = await silent.NextAsync();
        Assert.Equal("expired", told.GetProperty("msg").GetString());
        Assert.Equal(observer, told.GetProperty("observer").GetString());
        Assert.Equal("subscription_ended", told.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("resume=nothex:1")]
    [InlineData("resume=0123456789abcdef0123456789abcdef:x")]
    [InlineData("resume=a&resume=b")]
    public async Task A_malformed_resume_is_refused_with_400_before_the_upgrade(string query)
    {
        using var observers = app.CreateObserversClient();
        using var response = await observers.GetAsync($"/ws/someone?{query}", Cancellation);

        await ProblemAssert.IsValidationProblemAsync(response, "resume");
    }

    private async Task WaitUntilGoneAsync(string observer)
    {
        var deadline = DateTime.UtcNow + ReactiveRestApp.GracePeriod + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            using var stats = await _api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
            if (stats.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            await Task.Delay(200, Cancellation);
        }

        Assert.Fail($"Observer {observer} outlived its subscriber's grace period.");
    }
}
