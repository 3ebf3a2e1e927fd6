namespace ReactiveRest.Tests.Operations;

/// <summary>
/// The API reports ready only once it can serve: its database migrated, Redis and PostgreSQL reachable. The observers
/// wait for that report before they evaluate queries on the migrated tables, so it must not come early. Watched from
/// before the AppHost starts, unlike a test that asks for health after the fixture waited for it.
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

    [Fact]
    public void Each_resource_becomes_healthy_after_what_it_waits_for()
    {
        var order = new[] { ("redis", "api"), ("reactivedb", "api"), ("postgres", "reactivedb"), ("api", "observers") };

        foreach (var (first, then) in order)
        {
            var before = stack.FirstHealthy(first);
            var after = stack.FirstHealthy(then);
            Assert.True(before is not null && after is not null && before <= after,
                $"{then} was reported healthy at {after:HH:mm:ss.fff}, {first} at {before:HH:mm:ss.fff}.");
        }
    }
}
