using System.Diagnostics;
using System.Text;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>Runs the programs some tests drive (npm, dotnet): output streamed into the test's, a deadline, and a failure that shows the output's end.</summary>
public static class Commands
{
    /// <summary>The directory that holds ReactiveRest.sln, above the test assembly.</summary>
    public static string RepositoryRoot()
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

    /// <summary>The dotnet host running the tests (the SDK's own when run by <c>dotnet test</c>).</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs a program to its end; fails the test with the output's last lines unless it exits 0 within <paramref name="deadline"/>.</summary>
    /// <param name="logPath">Where the whole output is appended too, when the test's output is not enough.</param>
    public static async Task RunAsync(
        string program, IReadOnlyList<string> arguments, string directory, IReadOnlyDictionary<string, string> environment, TimeSpan deadline, string? logPath = null)
    {
        var output = new StringBuilder();
        using var process = Start(program, arguments, directory, environment, output, logPath);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(deadline);
        var command = $"{Path.GetFileName(program)} {string.Join(' ', arguments)}";
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {deadline}:\n{Tail(output)}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode}:\n{Tail(output)}");
    }

    /// <summary>Starts a long-running program (a server); the caller kills it. Its output goes to the test's and into <paramref name="output"/>.</summary>
    public static Process Start(
        string program, IReadOnlyList<string> arguments, string directory, IReadOnlyDictionary<string, string> environment, StringBuilder output, string? logPath = null)
    {
        var start = new ProcessStartInfo(program, arguments)
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
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
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
                if (logPath is not null)
                {
                    File.AppendAllText(logPath, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}\n");
                }
            }
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            process.Dispose();
            Assert.Fail($"{program} is needed by this test ({error.Message}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static string Tail(StringBuilder output, int lines = 150)
    {
        lock (output)
        {
            var all = output.ToString().Split('\n');
            return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
        }
    }
}
