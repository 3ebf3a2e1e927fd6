using Microsoft.Extensions.DependencyInjection;
using ReactiveRest.Engine.Observers;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Engine;

public sealed class EvaluationSlotsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slot_within_the_share_is_taken_at_once_and_a_freed_one_goes_to_the_other_user_waiting()
    {
        using var services = Services();
        var slots = new EvaluationSlots(2, services.GetRequiredService<ReactiveMetrics>());

        Assert.True(slots.EnterAsync("heavy", Cancellation).IsCompletedSuccessfully);
        Assert.True(slots.EnterAsync("heavy", Cancellation).IsCompletedSuccessfully);
        var heavy = slots.EnterAsync("heavy", Cancellation);
        var light = slots.EnterAsync("light", Cancellation);
        Assert.False(heavy.IsCompleted);
        Assert.False(light.IsCompleted);

        // The heavy user waited first, but holds its share (one of two, with two users): the light user goes first.
        slots.Leave("heavy");
        await light.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.False(heavy.IsCompleted);
        slots.Leave("light");
        await heavy.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(2, slots.Held);
    }

    [Fact]
    public async Task A_waiter_cancelled_holds_no_slot()
    {
        using var services = Services();
        var slots = new EvaluationSlots(1, services.GetRequiredService<ReactiveMetrics>());
        await slots.EnterAsync("a", Cancellation);
        using var cancel = new CancellationTokenSource();
        var waiting = slots.EnterAsync("b", cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, slots.Held);
        slots.Leave("a");
        Assert.Equal(0, slots.Held);
        Assert.True(slots.EnterAsync("b", Cancellation).IsCompletedSuccessfully);
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<ReactiveMetrics>();
        return services.BuildServiceProvider();
    }
}
