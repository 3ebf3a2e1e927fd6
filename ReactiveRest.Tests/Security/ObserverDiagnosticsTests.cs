using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using ReactiveRest.AppHost.Commands;
using ReactiveRest.Engine.Diagnostics;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// <c>GET /diagnostics/observers</c>, a development tool, still needs a token and shows the caller's observers and
/// subscribers only, never another user's subscriber ids or queries (issue 17).
/// </summary>
public sealed class ObserverDiagnosticsTests(ReactiveRestApp app)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_valid_token_it_is_a_401_problem()
    {
        using var anonymous = app.CreateObserversClient(user: null);
        using var missing = await anonymous.GetAsync(ObserverDiagnosticsEndpoint.Path, Cancellation);
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.Unauthorized);

        using var forged = new HttpRequestMessage(HttpMethod.Get, ObserverDiagnosticsEndpoint.Path);
        forged.Headers.Authorization = new("Bearer", "not.a.token");
        using var refused = await anonymous.SendAsync(forged, Cancellation);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Each_user_sees_only_their_own_observers_and_subscribers_on_every_replica()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (alice, bob) = ($"diag-alice-{suffix}", $"diag-bob-{suffix}");
        using var aliceApi = app.CreateApiClient(alice);
        using var bobApi = app.CreateApiClient(bob);
        var aliceBoard = (await aliceApi.CreateBoardAsync("alice's diagnostics")).Id();
        var bobBoard = (await bobApi.CreateBoardAsync("bob's diagnostics")).Id();
        await using var aliceSubscriber = await Subscriber.ConnectAsync(app, user: alice);
        await using var bobSubscriber = await Subscriber.ConnectAsync(app, user: bob);
        var aliceObserver = await aliceSubscriber.ObserveAsync(aliceApi, $"/api/tasks?boardId={aliceBoard}");
        var bobObserver = await bobSubscriber.ObserveAsync(bobApi, $"/api/tasks?boardId={bobBoard}");
        // A change delivered: each feed is live on its subscriber's replica.
        await aliceApi.CreateTaskAsync(aliceBoard, "delivered");
        await bobApi.CreateTaskAsync(bobBoard, "delivered");
        await aliceSubscriber.NextAsync();
        await bobSubscriber.NextAsync();

        var asAlice = await DescribeEveryReplicaAsync(alice);
        var asBob = await DescribeEveryReplicaAsync(bob);

        AssertOnly(asAlice, aliceObserver, aliceSubscriber.Id, $"/api/tasks?boardId={aliceBoard}", bobObserver, bobSubscriber.Id, $"boardId={bobBoard}");
        AssertOnly(asBob, bobObserver, bobSubscriber.Id, $"/api/tasks?boardId={bobBoard}", aliceObserver, aliceSubscriber.Id, $"boardId={aliceBoard}");
    }

    private static void AssertOnly(
        IReadOnlyList<JsonElement> replicas, string observer, string subscriber, string url, string othersObserver, string othersSubscriber, string othersQuery)
    {
        var raw = string.Join("\n", replicas.Select(replica => replica.GetRawText()));
        Assert.DoesNotContain(othersObserver, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(othersSubscriber, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(othersQuery, raw, StringComparison.Ordinal);

        var observers = replicas.SelectMany(replica => replica.GetProperty("observers").EnumerateArray()).ToList();
        var mine = Assert.Single(observers);
        Assert.Equal(observer, mine.GetProperty("observer").GetString());
        Assert.Equal([subscriber], mine.GetProperty("subscribers").EnumerateArray().Select(each => each.GetString()));
        Assert.Contains(url, mine.GetProperty("url").GetString(), StringComparison.Ordinal);
        // The user's one socket, on whichever replica holds it; no one else's is counted.
        Assert.Equal(1, replicas.Sum(replica => replica.GetProperty("connections").GetInt32()));
    }

    /// <summary>Every observers replica asked itself (DCP's proxy would pick one), as the user.</summary>
    private async Task<IReadOnlyList<JsonElement>> DescribeEveryReplicaAsync(string user)
    {
        var observers = app.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>().Single(resource => resource.Name == "observers");
        var replicas = await ReplicaAddresses.OfAsync(observers, app.App.ResourceNotifications, new EndpointReference(observers, "http"), Cancellation);
        Assert.Equal(2, replicas.Count);
        var descriptions = new List<JsonElement>();
        foreach (var (_, address) in replicas)
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = address }.As(user);
            var (status, body) = await client.GetJsonAsync(ObserverDiagnosticsEndpoint.Path);
            Assert.Equal(HttpStatusCode.OK, status);
            descriptions.Add(body);
        }

        return descriptions;
    }
}
