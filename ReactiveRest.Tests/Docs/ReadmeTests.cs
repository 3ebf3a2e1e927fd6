using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Docs;

/// <summary>
/// The README's first live query and API walkthrough run as a newcomer types them, against the test stack: its bash
/// blocks, with only the ports (the test stack's instead of scripts/run.sh's) and the user and subscriber names (this
/// run's own) replaced. The listener must print the write's "added" frame.
/// </summary>
public sealed partial class ReadmeTests(ReactiveRestApp app)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_readmes_first_live_query_and_api_walkthrough_work_as_written()
    {
        var api = app.App.GetEndpoint("api", "http");
        var observers = app.App.GetEndpoint("observers", "http");
        await RunWalkthroughAsync(block => block
            .Replace("localhost:5180", $"127.0.0.1:{api.Port}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5190", $"127.0.0.1:{observers.Port}", StringComparison.Ordinal));
    }

    /// <summary>
    /// "Run it" as written: <c>scripts/run.sh</c> (with <c>--no-build</c>, which it passes to <c>dotnet run</c>, so that
    /// it does not rebuild what the other tests run) prints the dashboard's login URL, serves the API and the observers
    /// on the README's ports, where the walkthrough works unchanged, and stops on Ctrl+C (SIGINT), freeing its ports.
    /// </summary>
    [Fact]
    public async Task Run_sh_serves_the_readmes_walkthrough_on_its_own_ports_and_stops_on_ctrl_c()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Commands.RepositoryRoot(), "README.md"), Cancellation);
        var run = BashBlocks(Section(readme, "## Run it"));
        Assert.Single(run);
        Assert.Contains("scripts/run.sh", run[0], StringComparison.Ordinal);
        foreach (var port in ReadmePorts)
        {
            Assert.False(Listening(port), $"Port {port} is taken: stop what listens there (a scripts/run.sh of your own?) before running the tests.");
        }

        var output = new StringBuilder();
        // A process group of its own, so that Ctrl+C reaches every process of it, as in a terminal.
        using var system = Commands.Start("setsid", ["bash", "scripts/run.sh", "--no-build"], Commands.RepositoryRoot(), new Dictionary<string, string>(), output);
        try
        {
            await WaitForAsync(output, "/login?t=", system, "scripts/run.sh", StartDeadline);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var url in new[] { "http://localhost:5180/health", "http://127.0.0.1:5190/health" })
            {
                await Faults.Eventually.HoldsAsync(async () =>
                {
                    try
                    {
                        return (await http.GetAsync(url, Cancellation)).IsSuccessStatusCode;
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !Cancellation.IsCancellationRequested)
                    {
                        // Not listening yet, or DCP's proxy accepted before the service behind it was up.
                        return false;
                    }
                }, StartDeadline, $"{url} healthy under scripts/run.sh:\n{Tail(output)}");
            }

            await RunWalkthroughAsync(block => block);
        }
        finally
        {
            Signal("INT", system.Id);
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await system.WaitForExitAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                Signal("KILL", system.Id);
                Assert.Fail($"scripts/run.sh did not stop within 60 s of Ctrl+C:\n{Tail(output)}");
            }
        }

        await Faults.Eventually.HoldsAsync(() => Task.FromResult(!ReadmePorts.Any(Listening)), TimeSpan.FromSeconds(30), "the README's ports free again after Ctrl+C");
    }

    private static readonly int[] ReadmePorts = [5180, 5190, 15180];

    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(3);

    private static bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Signals every process of the group <paramref name="group"/> leads.</summary>
    private static void Signal(string signal, int group)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + group]) { RedirectStandardError = true })!;
        kill.WaitForExit();
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            var text = output.ToString();
            return text.Length <= 4000 ? text : text[^4000..];
        }
    }

    /// <summary>The "first live query" and "use the API" blocks, with this run's own user and subscriber names.</summary>
    private static async Task RunWalkthroughAsync(Func<string, string> ports)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Commands.RepositoryRoot(), "README.md"), Cancellation);
        var live = BashBlocks(Section(readme, "## A first live query"));
        var use = BashBlocks(Section(readme, "## Use the API"));
        Assert.Equal(2, live.Count);
        Assert.Single(use);

        var user = TestUsers.Unique("readme");
        var subscriber = "readme-" + Guid.NewGuid().ToString("N")[..12];
        string Adapt(string block) => ports(block)
            .Replace("\"user\": \"alice\"", $"\"user\": \"{user}\"", StringComparison.Ordinal)
            .Replace("alice-1", subscriber, StringComparison.Ordinal);

        var listenerOutput = new StringBuilder();
        using var listener = Commands.Start("bash", ["-euo", "pipefail", "-c", Adapt(live[0])], Commands.RepositoryRoot(), new Dictionary<string, string>(), listenerOutput);
        try
        {
            await WaitForAsync(listenerOutput, "connected to", listener, "The README's listener", Deadline);

            var walkthrough = new StringBuilder();
            var script = Adapt(live[1]) + "\n" + Adapt(use[0]);
            using (var shell = Commands.Start("bash", ["-euo", "pipefail", "-c", script], Commands.RepositoryRoot(), new Dictionary<string, string>(), walkthrough))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
                timeout.CancelAfter(Deadline);
                await shell.WaitForExitAsync(timeout.Token);
                Assert.True(shell.ExitCode == 0, $"The README's commands failed ({shell.ExitCode}):\n{walkthrough}");
            }

            var output = walkthrough.ToString();
            Assert.Contains("\"observer\":", output, StringComparison.Ordinal);
            Assert.Contains("\"title\":\"Ship it\"", output, StringComparison.Ordinal);
            Assert.Contains($"\"user\":\"bob\"", output, StringComparison.Ordinal);

            await WaitForAsync(listenerOutput, "\"msg\":\"added\"", listener, "The README's listener", Deadline);
            Assert.Contains("\"title\":\"Hello\"", listenerOutput.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            listener.Kill(entireProcessTree: true);
            await listener.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'.");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static List<string> BashBlocks(string markdown) =>
        [.. BashBlock().Matches(markdown).Select(match => match.Groups[1].Value)];

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    private static async Task WaitForAsync(StringBuilder output, string text, Process process, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            string seen;
            lock (output)
            {
                seen = output.ToString();
            }

            if (seen.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            if (process.HasExited)
            {
                Assert.Fail($"{what} exited ({process.ExitCode}) before printing '{text}':\n{seen}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"{what} did not print '{text}' in {within.TotalSeconds} s:\n{seen}");
            await Task.Delay(100, Cancellation);
        }
    }
}
