using System.Net.WebSockets;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Reactive;

/// <summary>Malformed ids, unknown subscriptions and frames that are not part of the protocol: clear errors, no crash.</summary>
public sealed class ProtocolBadInputTests(ReactiveRestApp app)
{
    private readonly HttpClient _api = app.CreateApiClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string> BadSubscriberIds => ["bad!id", "a%20b", "", "x/y", new string('a', 65), "%C3%A9t%C3%A9"];

    [Theory]
    [MemberData(nameof(BadSubscriberIds))]
    public async Task A_malformed_subscriber_id_is_refused_with_400_before_the_upgrade(string id)
    {
        using var observers = app.CreateObserversClient();
        using var plain = await observers.GetAsync($"/ws/{id}", Cancellation);
        await ProblemAssert.IsProblemAsync(plain, HttpStatusCode.BadRequest);

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(Subscriber.WebSocketUri(app, $"/ws/{id}"), Cancellation));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    [Fact]
    public async Task A_plain_http_request_to_a_valid_websocket_url_is_a_400()
    {
        using var observers = app.CreateObserversClient();
        using var response = await observers.GetAsync("/ws/valid-id_1", Cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("bad!id")]
    [InlineData("")]
    public async Task A_malformed_observe_parameter_is_named_in_the_problem(string id)
    {
        using var list = await _api.GetAsync($"/api/tasks?observe={id}", Cancellation);
        using var detail = await _api.GetAsync($"/api/boards/1?observe={id}", Cancellation);
        using var twice = await _api.GetAsync("/api/tasks?observe=a&observe=b", Cancellation);

        await ProblemAssert.IsValidationProblemAsync(list, "observe");
        await ProblemAssert.IsValidationProblemAsync(detail, "observe");
        await ProblemAssert.IsValidationProblemAsync(twice, "observe");
    }

    [Theory]
    [InlineData("", "observer")]
    [InlineData("?observer=0123456789abcdef0123456789abcdef", "subscriber")]
    [InlineData("?subscriber=s1", "observer")]
    [InlineData("?observer=nothex&subscriber=s1", "observer")]
    [InlineData("?observer=0123456789abcdef0123456789abcdef&subscriber=bad!", "subscriber")]
    public async Task Unsubscribe_with_a_missing_or_malformed_parameter_is_a_400(string query, string parameter)
    {
        using var response = await _api.PostAsync($"/api/queryobserver/unsubscribe{query}", null, Cancellation);

        await ProblemAssert.IsValidationProblemAsync(response, parameter);
    }

    [Fact]
    public async Task Unsubscribe_ends_a_subscription_once_and_then_answers_404()
    {
        var board = await _api.CreateBoardAsync();
        var sentinelBoard = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");
        await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={sentinelBoard.Id()}");

        using var unknown = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber=nobody", null, Cancellation);
        using var first = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber.Id}", null, Cancellation);
        using var second = await _api.PostAsync($"/api/queryobserver/unsubscribe?observer={observer}&subscriber={subscriber.Id}", null, Cancellation);

        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await ProblemAssert.IsProblemAsync(second, HttpStatusCode.NotFound);

        // The observer had no other subscriber: it is gone, and writes reach nobody.
        using var stats = await _api.GetAsync($"/api/queryobserver/{observer}", Cancellation);
        await ProblemAssert.IsProblemAsync(stats, HttpStatusCode.NotFound);
        await _api.CreateTaskAsync(board.Id(), "unseen");
        await subscriber.AssertNothingBeforeAsync(() => _api.CreateTaskAsync(sentinelBoard.Id(), "sentinel"));
    }

    [Fact]
    public async Task Frames_outside_the_protocol_get_an_error_frame_and_the_connection_lives_on()
    {
        var board = await _api.CreateBoardAsync();
        await using var subscriber = await Subscriber.ConnectAsync(app);
        var observer = await subscriber.ObserveAsync(_api, $"/api/tasks?boardId={board.Id()}");

        await subscriber.SendTextAsync("{\"msg\": \"hello\"}");
        var error = await subscriber.NextAsync();
        await subscriber.SendTextAsync("not json");
        var error2 = await subscriber.NextAsync();
        await subscriber.SendTextAsync("--heartbeat--");
        var heartbeat = await subscriber.NextAsync();

        Assert.Equal("error", error.GetProperty("msg").GetString());
        Assert.Equal("error", error2.GetProperty("msg").GetString());
        Assert.Equal("--heartbeat--", heartbeat.GetString());
        await _api.CreateTaskAsync(board.Id(), "still delivered");
        var added = await subscriber.NextAsync();
        Assert.Equal(observer, added.GetProperty("observer").GetString());
    }

    [Fact]
    public async Task An_oversized_frame_closes_the_connection_with_1009()
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);

        await subscriber.SendTextAsync(new string('x', 10_000));

        await subscriber.DrainAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, subscriber.CloseStatus);
    }

    [Fact]
    public async Task A_binary_frame_closes_the_connection_with_1003()
    {
        await using var subscriber = await Subscriber.ConnectAsync(app);

        await subscriber.SendBinaryAsync([1, 2, 3]);

        await subscriber.DrainAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, subscriber.CloseStatus);
    }
}
