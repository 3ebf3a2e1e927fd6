using StackExchange.Redis;

namespace ReactiveRest.Engine.Changes;

/// <summary>Handles change entries of the change stream (and acknowledges them): the observers' consumer.</summary>
public interface IChangeHandler
{
    Task HandleAsync(IReadOnlyList<StreamEntry> entries);

    /// <summary>This process's name in the stream's consumer group.</summary>
    string ConsumerName { get; }
}
