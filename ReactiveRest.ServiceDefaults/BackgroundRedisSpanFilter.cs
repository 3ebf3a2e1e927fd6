using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps Redis commands that belong to no trace (the observers' polling safety nets, maintenance, health probes) out
/// of the exported traces, where they would bury the traces of writes. Redis commands inside a request or an
/// evaluation have a parent and are kept.
/// </summary>
internal sealed class BackgroundRedisSpanFilter : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (data.ParentSpanId == default && data.Source.Name.EndsWith("StackExchangeRedis", StringComparison.Ordinal))
        {
            // Export processors skip activities that are not recorded.
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
