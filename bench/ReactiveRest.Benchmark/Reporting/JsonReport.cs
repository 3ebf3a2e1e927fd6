using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveRest.Benchmark.Reporting;

internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static Task WriteAsync(RunReport report, string path) =>
        File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Options) + "\n");
}
