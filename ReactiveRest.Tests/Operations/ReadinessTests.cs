namespace ReactiveRest.Tests.Operations;

/// <summary>
/// The API reports ready only once it can serve: its database migrated (and Redis and PostgreSQL reachable). The
/// observers wait for that report before they evaluate queries on the migrated tables, so it must not come early.
/// </summary>
[Collection(nameof(OperationsCollection))]
public sealed class ReadinessTests(OperationsStack stack)
{
    [Fact]
    public async Task At_a_first_start_the_api_becomes_healthy_only_after_its_migration_has_ended()
    {
        var migrated = await stack.Logs.WaitForEntryAsync("api",
            entry => entry.Text.StartsWith("Migrated the database", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var healthy = stack.FirstHealthy("api");

        Assert.NotNull(healthy);
        Assert.True(migrated.Time < healthy, $"The api was reported healthy at {healthy:HH:mm:ss.fff}, before its migration ended at {migrated.Time:HH:mm:ss.fff}.");
    }
}
