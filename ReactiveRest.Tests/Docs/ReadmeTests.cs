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
        var readme = await File.ReadAllTextAsync(Path.Combine(Commands.RepositoryRoot(), "README.md"), Cancellation);
        var live = BashBlocks(Section(readme, "## A first live query"));
        var use = BashBlocks(Section(readme, "## Use the API"));
        Assert.Equal(2, live.Count);
        Assert.Single(use);

        var user = TestUsers.Unique("readme");
        var subscriber = "readme-" + Guid.NewGuid().ToString("N")[..12];
        var api = app.App.GetEndpoint("api", "http");
        var observers = app.App.GetEndpoint("observers", "http");
        string Adapt(string block) => block
            .Replace("localhost:5180", $"127.0.0.1:{api.Port}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5190", $"127.0.0.1:{observers.Port}", StringComparison.Ordinal)
            .Replace("\"user\": \"alice\"", $"\"user\": \"{user}\"", StringComparison.Ordinal)
            .Replace("alice-1", subscriber, StringComparison.Ordinal);

        var listenerOutput = new StringBuilder();
        using var listener = Commands.Start("bash", ["-euo", "pipefail", "-c", Adapt(live[0])], Commands.RepositoryRoot(), new Dictionary<string, string>(), listenerOutput);
        try
        {
            await WaitForAsync(listenerOutput, "connected to", listener);

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

            await WaitForAsync(listenerOutput, "\"msg\":\"added\"", listener);
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

    private static async Task WaitForAsync(StringBuilder output, string text, Process process)
    {
        var deadline = DateTime.UtcNow + Deadline;
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
                Assert.Fail($"The README's listener exited ({process.ExitCode}) before printing '{text}':\n{seen}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"The README's listener did not print '{text}' in {Deadline.TotalSeconds} s:\n{seen}");
            await Task.Delay(100, Cancellation);
        }
    }
}
