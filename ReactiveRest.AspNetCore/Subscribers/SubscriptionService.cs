using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Quotas;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Engine.Subscribers;

/// <summary>Ends subscriptions: one at a client's request, or all of a subscriber whose grace period is over.</summary>
public sealed class SubscriptionService(ObserverStore observers, SubscriberStore subscribers, ControlChannel control, ResourceCatalog catalog, UserQuotas quotas)
{
    /// <returns>False when there was no such subscription.</returns>
    public async Task<bool> UnsubscribeAsync(string observerId, string subscriberId)
    {
        var removed = await EndSubscriptionAsync(observerId, subscriberId);
        await subscribers.ForgetObserverAsync(subscriberId, observerId);
        if (removed)
        {
            await control.PublishAsync(new ControlMessage(ControlKind.Unsubscribed, subscriberId, observerId));
        }

        return removed;
    }

    /// <summary>Ends every subscription of a subscriber, unless a live connection serves it.</summary>
    /// <param name="deadReplica">The replica found dead that served it, or an empty string.</param>
    /// <returns>False when the subscriber turned out to be connected.</returns>
    public async Task<bool> EndSubscriberAsync(string subscriberId, string deadReplica)
    {
        if (await subscribers.DropAsync(subscriberId, deadReplica) is not { } dropped)
        {
            return false;
        }

        foreach (var observerId in dropped.Observers)
        {
            await EndSubscriptionAsync(observerId, subscriberId);
        }

        if (dropped.Owner.Length > 0)
        {
            await quotas.ForgetSubscriberAsync(dropped.Owner, subscriberId);
        }

        await subscribers.NotDueAsync(subscriberId);
        return true;
    }

    /// <summary>The observer's side; an observer left without subscribers is dropped and no longer counts for its user.</summary>
    private async Task<bool> EndSubscriptionAsync(string observerId, string subscriberId)
    {
        string? droppedDefinition = null;
        var removed = await observers.UnsubscribeAsync(observerId, subscriberId, definition =>
        {
            // Asked only when the observer was dropped.
            droppedDefinition = definition;
            return DependenciesOf(definition);
        });
        if (droppedDefinition is not null && ObserverQuery.FromDefinition(droppedDefinition, catalog) is { } query)
        {
            await quotas.ForgetObserverAsync(query.Principal, observerId);
        }

        return removed;
    }

    /// <summary>The change keys an observer with this stored definition was indexed under.</summary>
    public IReadOnlyList<string>? DependenciesOf(string definition) =>
        ObserverQuery.FromDefinition(definition, catalog) is { } query ? catalog.Find(query.Resource)!.DependencyKeys(query) : null;

    public string? UrlOf(string definition) => ObserverQuery.FromDefinition(definition, catalog)?.Url;

    /// <summary>Whether the observer with this stored definition runs as <paramref name="user"/>.</summary>
    public bool RunsAs(string definition, string user) => ObserverQuery.FromDefinition(definition, catalog)?.Principal == user;
}
