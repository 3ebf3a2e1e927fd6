using System.Text.Json;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// One captured row change, as the database trigger recorded it in the write's own transaction: the row before and
/// after (column names, as <c>to_jsonb</c> writes them; null for an insert or a delete), the trace of the request that
/// wrote it, and when.
/// </summary>
public sealed record RowChange(string Table, JsonElement? Before, JsonElement? After, string? TraceParent, DateTimeOffset CapturedAt);
