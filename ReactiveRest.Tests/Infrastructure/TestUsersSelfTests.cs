namespace ReactiveRest.Tests.Infrastructure;

/// <summary>
/// <see cref="TestUsers.Current"/> is what keeps tests that count from sharing a user: it must be one user for the
/// whole test (its constructor included, where test classes create their API clients), another test's users never,
/// and the shared user only where no test runs.
/// </summary>
public sealed class TestUsersSelfTests
{
    private readonly string _atConstruction = TestUsers.Current;

    [Fact]
    public void A_test_runs_as_a_user_of_its_own_from_its_constructor_on()
    {
        Assert.NotEqual(TestUsers.Shared, TestUsers.Current);
        Assert.Equal(_atConstruction, TestUsers.Current);
        Assert.StartsWith("t-", TestUsers.Current, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_a_test_starts_runs_as_its_user_too()
    {
        Assert.Equal(TestUsers.Current, await Task.Run(() => TestUsers.Current, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Outside_any_test_the_shared_user_is_the_fallback_so_the_check_above_can_fail()
    {
        // Without the test's context flowing, as in a fixture starting, Current is the shared user: the first check's
        // NotEqual is not vacuous.
        Task<string> outside;
        using (ExecutionContext.SuppressFlow())
        {
            outside = Task.Run(() => TestUsers.Current);
        }

        Assert.Equal(TestUsers.Shared, await outside);
    }
}
