using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Tests.Engine;

public sealed class ListChunkingTests
{
    [Fact]
    public void Consecutive_items_with_one_key_form_one_run_in_order()
    {
        var runs = new[] { "a1", "a2", "b1", "a3" }.ChunkBy(item => item[0]).Select(run => string.Join(",", run));

        Assert.Equal(["a1,a2", "b1", "a3"], runs);
        Assert.Empty(Array.Empty<string>().ChunkBy(item => item));
    }
}
