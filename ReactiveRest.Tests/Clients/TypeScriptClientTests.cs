using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Clients;

/// <summary>
/// The TypeScript client (<c>clients/typescript</c>, npm package <c>@reactiverest/client</c>) runs its own tests, its
/// unit tests and those against the real stack, here, on the stack the other integration tests share: its URLs are
/// given to <c>npm test</c> in REACTIVEREST_API_URL and REACTIVEREST_OBSERVERS_URL.
/// </summary>
public sealed class TypeScriptClientTests(ReactiveRestApp app)
{
    /// <summary>Generous: under the whole suite, two cores compile and run it beside every other test class.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    /// <summary>The whole npm output of the last run, beside the test assembly (the test's output shows only when it fails).</summary>
    private static readonly string LogPath = Path.Combine(AppContext.BaseDirectory, "typescript-client.log");

    [Fact]
    public async Task The_TypeScript_client_passes_its_tests_against_the_real_stack()
    {
        var package = Path.Combine(Commands.RepositoryRoot(), "clients", "typescript");
        File.Delete(LogPath);
        if (!Directory.Exists(Path.Combine(package, "node_modules")))
        {
            // scripts/prerequisites.sh installs them; this covers a test run without it.
            await RunAsync(package, ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>());
        }

        await RunAsync(package, ["test"], new Dictionary<string, string>
        {
            ["REACTIVEREST_API_URL"] = Loopback(app.App.GetEndpoint("api", "http")),
            ["REACTIVEREST_OBSERVERS_URL"] = Loopback(app.App.GetEndpoint("observers", "http")),
        });
    }

    /// <summary>Node resolves <c>localhost</c> to ::1 first, where the endpoints do not listen.</summary>
    private static string Loopback(Uri endpoint) =>
        new UriBuilder(endpoint) { Host = endpoint.IsLoopback ? "127.0.0.1" : endpoint.Host }.Uri.ToString().TrimEnd('/');

    private static Task RunAsync(string directory, string[] arguments, Dictionary<string, string> environment) =>
        Commands.RunAsync("npm", arguments, directory, environment, Deadline, LogPath);
}
