using System.Diagnostics;
using System.Text.Json;

namespace ReactiveRest.Tests.AppHost;

/// <summary>
/// The deployment manifest azd reads (<c>--publisher manifest</c>), produced once by the AppHost as built next to the
/// tests, in a temporary folder that is deleted afterwards.
/// </summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    public const string GracePeriod = "00:02:00";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(2);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"reactiverest-manifest-{Guid.NewGuid():N}");

    public JsonElement Resources { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var output = Path.Combine(_directory, "aspire-manifest.json");
        // The AppHost as built next to the tests; no local Redis or PostgreSQL is asked for, and no container runtime.
        var start = new ProcessStartInfo(
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "ReactiveRest.AppHost.dll"), "--publisher", "manifest", "--output-path", output])
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPIRE_CONTAINER_RUNTIME"] = "no-such-container-runtime";
        // A production setting given to azd's environment, which the README says reaches both services.
        start.Environment["Reactive__GracePeriod"] = GracePeriod;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"The manifest publisher failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken));
        Resources = manifest.RootElement.GetProperty("resources").Clone();
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

}
