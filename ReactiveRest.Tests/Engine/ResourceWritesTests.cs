using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Engine;

public sealed class ResourceWritesTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly WriteContext Context = new("alice", DateTimeOffset.UnixEpoch, null!);

    [Fact]
    public async Task A_default_fills_a_field_the_create_left_out_and_leaves_a_given_one_alone()
    {
        var writes = new ResourceWrites<Row>()
            .Field(row => row.Position)
            .DefaultOnCreate(row => row.Position, (row, _, _) => Task.FromResult(row.Text.Length + 1));
        var left = new Row { Text = "four" };
        var given = new Row { Text = "four", Position = 0 };

        await writes.CreatingAsync(left, Context, [], Cancellation);
        await writes.CreatingAsync(given, Context, [typeof(Row).GetProperty(nameof(Row.Position))!], Cancellation);

        Assert.Equal(5, left.Position);
        Assert.Equal(0, given.Position);
    }

    [Fact]
    public async Task Defaults_run_before_the_create_hooks()
    {
        var writes = new ResourceWrites<Row>()
            .OnCreate((row, context) => row.Text = $"{context.User} at {row.Position}")
            .DefaultOnCreate(row => row.Position, (_, _, _) => Task.FromResult(7));
        var row = new Row();

        await writes.CreatingAsync(row, Context, Cancellation);

        Assert.Equal("alice at 7", row.Text);
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";

        public int Position { get; set; }
    }
}
