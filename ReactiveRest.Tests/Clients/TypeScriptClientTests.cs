using System.Diagnostics;
using System.Text;
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
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_TypeScript_client_passes_its_tests_against_the_real_stack()
    {
        var package = Path.Combine(RepositoryRoot(), "clients", "typescript");
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

    /// <summary>Runs npm, streaming its output into the test's and the console, and fails with the output's end unless it exits 0.</summary>
    private static async Task RunAsync(string directory, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("npm", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // No colours: the output is read as text.
        start.Environment["NO_COLOR"] = "1";
        var output = new StringBuilder();
        var writer = TestContext.Current.TestOutputHelper;
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
                writer?.WriteLine(line);

                // Also into the run's own log, live and whatever the result, marked as this test's.
                Console.Out.WriteLine($"[ts-client] {line}");
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            Assert.Fail($"npm is needed for the TypeScript client's tests ({error.Message}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"npm {string.Join(' ', arguments)} did not finish within {Deadline}:\n{Tail(output)}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"npm {string.Join(' ', arguments)} exited {process.ExitCode}:\n{Tail(output)}");
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            var lines = output.ToString().Split('\n');
            return string.Join('\n', lines[Math.Max(0, lines.Length - 150)..]);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReactiveRest.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ReactiveRest.sln above {AppContext.BaseDirectory}.");
    }
}
