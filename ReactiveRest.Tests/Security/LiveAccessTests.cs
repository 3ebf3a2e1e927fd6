using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Every evaluation applies the subscriber's own rights, and a change of membership is a change like any other: the
/// rows of a board appear in a user's live lists when the user is added, and leave them, as removed messages, when the
/// user is removed.
/// </summary>
public sealed class LiveAccessTests(ReactiveRestApp app)
{
    private static readonly TimeSpan Normal = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Adding_a_member_brings_the_boards_rows_into_their_live_lists_and_removing_takes_them_out()
    {
        var (alice, bob) = (TestUsers.Unique("alice"), TestUsers.Unique("bob"));
        using var asAlice = app.CreateApiClient(alice);
        using var asBob = app.CreateApiClient(bob);
        var board = await asAlice.CreateBoardAsync("to share");
        var first = await asAlice.CreateTaskAsync(board.Id(), "one");
        var second = await asAlice.CreateTaskAsync(board.Id(), "two");
        var own = await asBob.CreateBoardAsync("bob's own");

        await using var subscriber = await Subscriber.ConnectAsync(app, user: bob);
        var tasks = await subscriber.ObserveAsync(asBob, "/api/tasks?ordering=position,id");
        var boards = await subscriber.ObserveAsync(asBob, "/api/boards");
        var detail = await subscriber.ObserveAsync(asBob, $"/api/boards/{own.Id()}");
        Assert.Empty(subscriber.View(tasks));

        using var added = await asAlice.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = bob }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await Convergence.AssertConvergesAsync(asBob, subscriber, tasks, "/api/tasks?ordering=position,id", Normal);
        await Convergence.AssertConvergesAsync(asBob, subscriber, boards, "/api/boards", Normal);
        Assert.Equal([first.Id(), second.Id()], subscriber.View(tasks).Select(item => item.Id()));
        Assert.Contains(subscriber.View(boards), item => item.Id() == board.Id());

        // Live from there on, like any board of the user's.
        var third = await asAlice.CreateTaskAsync(board.Id(), "three");
        await Convergence.AssertConvergesAsync(asBob, subscriber, tasks, "/api/tasks?ordering=position,id", Normal);
        Assert.Contains(subscriber.View(tasks), item => item.Id() == third.Id());

        using var removed = await asAlice.DeleteAsync($"/api/boards/{board.Id()}/members/{bob}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        // The views are rebuilt from the messages alone, so rows can only have left them as removed messages.
        await subscriber.NextUntilAsync(
            _ => subscriber.View(tasks).Count == 0 && !subscriber.View(boards).Any(item => item.Id() == board.Id()), Normal);
        Assert.Empty(subscriber.View(tasks));
        Assert.DoesNotContain(subscriber.View(boards), item => item.Id() == board.Id());

        // Nothing more of it arrives: a write to it, then a sentinel on Bob's own board that must arrive, and nothing before it.
        var unseen = await asAlice.CreateTaskAsync(board.Id(), "after the removal");
        var sentinel = await asBob.CreateTaskAsync(own.Id(), "sentinel");
        var rest = await subscriber.NextUntilAsync(frame => frame.TryGetProperty("item", out var item) && item.Id() == sentinel.Id(), Normal);
        Assert.DoesNotContain(rest, frame => frame.GetProperty("item").Id() == unseen.Id());
        Assert.Single(subscriber.View(detail));
    }
}
