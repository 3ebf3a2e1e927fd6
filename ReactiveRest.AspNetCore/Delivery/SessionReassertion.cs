using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Delivery;

/// <summary>
/// After Redis was away long enough for this replica to be taken for dead, or lost its data: claims this replica's
/// connections again (closing those another connection took over meanwhile), then catches up the feeds.
/// </summary>
internal sealed class SessionReassertion(SessionRegistry sessions, SubscriberStore subscribers, ReplicaRegistry replicas, FeedCatchUp catchUp)
{
    public async Task ReassertAsync()
    {
        foreach (var session in sessions.All)
        {
            if (!await subscribers.ReassertAsync(session.SubscriberId, session.User, replicas.ReplicaId, session.ConnectionId))
            {
                session.RequestClose(SubscriberSession.Superseded, "Another connection took over this subscriber.");
            }
        }

        await catchUp.CatchUpAsync();
    }
}
