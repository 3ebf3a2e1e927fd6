using Microsoft.Extensions.Options;
using ReactiveRest.Engine.Changes;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Quotas;
using ReactiveRest.Engine.Reactive;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Subscribers;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// Subscribes a subscriber to the observer of a query it has just read. The items it is answered with are always the
/// observer's result at a position of its log, so that the messages it receives next, and a later resume, continue
/// exactly from there: no write is lost between the read and the subscription, and none is applied twice.
/// </summary>
public sealed class ObserveService(
    ObserverStore observers,
    SubscriberStore subscribers,
    ObserverEvaluator evaluator,
    ChangeStream changes,
    ControlChannel control,
    TimeProvider time,
    UserQuotas quotas,
    IOptions<ReactiveOptions> options)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Whether the subscriber id may be used by the query's user (the id belongs to whoever first used it), and may
    /// subscribe to one more observer; and whether the user may hold one more subscriber id and observer.
    /// </summary>
    public async Task<(Ownership Ownership, QuotaRefusal? Refusal)> OwnAsync(ObserverQuery query, string observerId, string subscriberId)
    {
        var user = query.Principal;
        // All in one round trip. A place taken for a request refused below is found by the next recount.
        var owning = subscribers.OwnAsync(subscriberId, user, observerId);
        var subscriberPlace = quotas.TakeSubscriberAsync(user, subscriberId);
        var observerPlace = quotas.TakeObserverAsync(user, observerId);
        await Task.WhenAll(owning, subscriberPlace, observerPlace);
        var ownership = await owning;
        if (ownership is Ownership.Foreign or Ownership.AtObserverLimit)
        {
            return (ownership, null);
        }

        var refusal = await subscriberPlace ?? await observerPlace;
        if (refusal is not null && ownership == Ownership.Claimed)
        {
            await subscribers.GiveBackClaimAsync(subscriberId, user);
        }

        return (ownership, refusal);
    }

    /// <summary>Whether the user's observers may store this result too (null), or what the user is at.</summary>
    public Task<QuotaRefusal?> StoreAsync(ObserverQuery query, string observerId, string resultJson) =>
        quotas.StoreAsync(query.Principal, observerId, resultJson, refuse: true);

    /// <summary>The id of the query's observer (a keyed hash: compute it once per request).</summary>
    public string ObserverIdOf(ObserverQuery query) => query.ObserverIdWith(options.Value.ObserverIdSecret);

    /// <param name="observerId">The query's observer (<see cref="ObserverIdOf"/>).</param>
    /// <param name="items">What the subscriber's own GET read.</param>
    /// <param name="itemsJson"><paramref name="items"/> as a JSON array, when the caller wrote it already.</param>
    /// <exception cref="TimeoutException">The observer stayed locked by another evaluation (answer 503).</exception>
    public async Task<Observed> ObserveAsync(
        IReactiveResource resource, ObserverQuery query, string observerId, string subscriberId, IReadOnlyList<ObservedItem> items, CancellationToken cancellationToken, string? itemsJson = null)
    {
        var dependencies = resource.DependencyKeys(query);
        var candidate = Guid.NewGuid().ToString("N");

        // The subscriber's side, so that expiry finds the subscription, and the indexes, so that any write after this
        // point reaches the observer (both in one round trip); then the observer itself.
        await Task.WhenAll(
            subscribers.ObserveAsync(subscriberId, observerId),
            observers.IndexAsync(observerId, candidate, dependencies, resource.PollInterval, time.GetUtcNow()));

        var json = itemsJson ?? ObservedItem.ToJsonArray(items);
        Observed? observed = null;
        var evaluation = Task.CompletedTask;
        for (var attempt = 1; observed is null; attempt++)
        {
            var subscribed = await observers.SubscribeAsync(observerId, query.ToDefinition(), subscriberId, json, ResultDigest.Of(json), candidate);
            if (subscribed.Subscribed)
            {
                observed = new Observed(observerId, subscribed.Seq, items, subscribed.Incarnation) { ItemsJson = json };
                if (subscribed.Incarnation == candidate)
                {
                    // Created from this GET's read: a write committed between that read and the indexing above reached no
                    // observer, so one evaluation covers it (its messages go to the subscriber like any other).
                    evaluation = changes.RequestEvaluationAsync(observerId);
                }
            }
            else
            {
                try
                {
                    observed = await EvaluateAndSubscribeAsync(observerId, subscriberId, cancellationToken);
                }
                catch (ObserverGoneException) when (attempt < 3)
                {
                    // Dropped between the two steps (its last subscriber left): create it afresh.
                }
            }
        }

        if (observed.Incarnation != candidate)
        {
            await observers.IndexAsync(observerId, observed.Incarnation, dependencies, resource.PollInterval, time.GetUtcNow());
        }

        // The replica holding the subscriber's WebSocket, if any, delivers from here on.
        await Task.WhenAll(evaluation, control.PublishAsync(new ControlMessage(ControlKind.Subscribed, subscriberId, observerId, observed.Seq)));
        return observed;
    }

    /// <summary>
    /// The observer's result differs from what the GET read (a write is being evaluated, or is about to be): evaluate
    /// again under the observer's lock, so the answer is newer than every committed result, and subscribe at it.
    /// </summary>
    private async Task<Observed> EvaluateAndSubscribeAsync(string observerId, string subscriberId, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.EvaluationLockTime + TimeSpan.FromSeconds(1);
        var wait = FirstRetry;
        while (true)
        {
            var outcome = await evaluator.BringUpToDateAsync(observerId, EvaluationCause.None, cancellationToken, subscriberId);
            switch (outcome.Status)
            {
                case EvaluationStatus.UpToDate:
                    return new Observed(observerId, outcome.Seq, outcome.Result, outcome.Incarnation);
                case EvaluationStatus.Gone:
                    // Dropped between the two steps (its last subscriber left): nothing to join, subscribe afresh.
                    throw new ObserverGoneException();
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Observer {observerId} stayed locked by another evaluation.");
            }

            await Task.Delay(wait, time, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
    }
}

/// <summary>A subscription made: the observer, and its result at <see cref="Seq"/>, which the subscriber is answered with.</summary>
public sealed record Observed(string ObserverId, long Seq, IReadOnlyList<ObservedItem> Items, string Incarnation)
{
    /// <summary><see cref="Items"/> as a JSON array, when it was already written.</summary>
    public string? ItemsJson { get; init; }
}

/// <summary>The observer was dropped while the subscription was being made; the caller subscribes again.</summary>
public sealed class ObserverGoneException() : Exception("The observer was dropped while subscribing.");
