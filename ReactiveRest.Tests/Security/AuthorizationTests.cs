using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Boards have members; a user reads and writes only their boards and those boards' tasks. Anything else is a 404,
/// as if it did not exist, so that its existence does not leak.
/// </summary>
public sealed class AuthorizationTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Another_users_board_and_tasks_do_not_exist_for_a_non_member()
    {
        var (owner, stranger) = (TestUsers.Unique("owner"), TestUsers.Unique("stranger"));
        using var mine = app.CreateApiClient(owner);
        using var theirs = app.CreateApiClient(stranger);
        var board = await mine.CreateBoardAsync("private");
        var task = await mine.CreateTaskAsync(board.Id(), "secret");

        await ProblemAssert.IsProblemAsync(await theirs.GetAsync($"/api/boards/{board.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.GetAsync($"/api/tasks/{task.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.GetAsync($"/api/boardstats/{board.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.PatchAsJsonAsync($"/api/boards/{board.Id()}", new { name = "taken" }, Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.DeleteAsync($"/api/boards/{board.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.PatchAsJsonAsync($"/api/tasks/{task.Id()}", new { title = "taken" }, Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.DeleteAsync($"/api/tasks/{task.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.GetAsync($"/api/boards/{board.Id()}/members", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await theirs.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = stranger }, Cancellation), HttpStatusCode.NotFound);
        // A task cannot be put on, or moved to, a board one does not belong to: the board "does not exist".
        var own = await theirs.CreateBoardAsync("own");
        var ownTask = await theirs.CreateTaskAsync(own.Id(), "mine");
        await ProblemAssert.IsValidationProblemAsync(await theirs.PostAsJsonAsync("/api/tasks", new { boardId = board.Id(), title = "planted" }, Cancellation), "boardId");
        await ProblemAssert.IsValidationProblemAsync(await theirs.PatchAsJsonAsync($"/api/tasks/{ownTask.Id()}", new { boardId = board.Id() }, Cancellation), "boardId");

        var (_, boards) = await theirs.GetJsonAsync("/api/boards?limit=1000");
        var (_, tasks) = await theirs.GetJsonAsync($"/api/tasks?boardId={board.Id()}");
        var (_, stats) = await theirs.GetJsonAsync("/api/boardstats?limit=1000");
        Assert.DoesNotContain(boards.GetProperty("results").EnumerateArray(), item => item.Id() == board.Id());
        Assert.Equal(0, tasks.GetProperty("count").GetInt32());
        Assert.DoesNotContain(stats.GetProperty("results").EnumerateArray(), item => item.Id() == board.Id());
        var (status, unchanged) = await mine.GetJsonAsync($"/api/tasks/{task.Id()}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("secret", unchanged.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Members_see_and_change_a_shared_board_and_only_members_change_membership()
    {
        var (alice, bob, carol) = (TestUsers.Unique("alice"), TestUsers.Unique("bob"), TestUsers.Unique("carol"));
        using var asAlice = app.CreateApiClient(alice);
        using var asBob = app.CreateApiClient(bob);
        using var asCarol = app.CreateApiClient(carol);
        var board = await asAlice.CreateBoardAsync("shared");

        using var added = await asAlice.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = bob }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(bob, (await added.ReadJsonAsync()).GetProperty("user").GetString());
        await ProblemAssert.IsProblemAsync(await asAlice.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = bob }, Cancellation), HttpStatusCode.Conflict);
        await ProblemAssert.IsValidationProblemAsync(await asAlice.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = "bad name" }, Cancellation), "user");

        // Bob, a member now, reads and writes the board, and sees its members.
        var task = await asBob.CreateTaskAsync(board.Id(), "by bob");
        var (status, members) = await asBob.GetJsonAsync($"/api/boards/{board.Id()}/members");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([alice, bob], members.EnumerateArray().Select(member => member.GetProperty("user").GetString()).Order(StringComparer.Ordinal));
        await ProblemAssert.IsProblemAsync(await asCarol.DeleteAsync($"/api/boards/{board.Id()}/members/{bob}", Cancellation), HttpStatusCode.NotFound);

        // Bob removes Alice; Bob, the last member, cannot be removed; Alice no longer sees anything of it.
        using var removed = await asBob.DeleteAsync($"/api/boards/{board.Id()}/members/{alice}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await ProblemAssert.IsProblemAsync(await asBob.DeleteAsync($"/api/boards/{board.Id()}/members/{bob}", Cancellation), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await asBob.DeleteAsync($"/api/boards/{board.Id()}/members/{carol}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await asAlice.GetAsync($"/api/tasks/{task.Id()}", Cancellation), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await asAlice.PostAsJsonAsync($"/api/boards/{board.Id()}/members", new { user = alice }, Cancellation), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Two_users_observing_the_same_query_get_different_observers_with_their_own_rows()
    {
        var (alice, bob) = (TestUsers.Unique("alice"), TestUsers.Unique("bob"));
        using var asAlice = app.CreateApiClient(alice);
        using var asBob = app.CreateApiClient(bob);
        await asAlice.CreateTaskAsync((await asAlice.CreateBoardAsync("alice's")).Id(), "alice's task");
        await asBob.CreateTaskAsync((await asBob.CreateBoardAsync("bob's")).Id(), "bob's task");
        await using var aliceSubscriber = await Subscriber.ConnectAsync(app, user: alice);
        await using var bobSubscriber = await Subscriber.ConnectAsync(app, user: bob);

        var aliceObserver = await aliceSubscriber.ObserveAsync(asAlice, "/api/tasks?ordering=id");
        var bobObserver = await bobSubscriber.ObserveAsync(asBob, "/api/tasks?ordering=id");

        Assert.NotEqual(aliceObserver, bobObserver);
        Assert.Equal(["alice's task"], aliceSubscriber.View(aliceObserver).Select(item => item.GetProperty("title").GetString()));
        Assert.Equal(["bob's task"], bobSubscriber.View(bobObserver).Select(item => item.GetProperty("title").GetString()));
    }
}
