using System.Net;
using System.Text.Json;
using ReactiveRest.Engine.Reactive;

namespace ReactiveRest.Observers.Evaluation;

/// <summary>
/// Evaluates an observed query by issuing the very GET the client issued, on the API: one definition of every
/// resource (filters, ordering, paging, serialization) serves the first evaluation and every later one.
/// </summary>
public sealed class ApiQueryEvaluator(HttpClient api)
{
    public async Task<IReadOnlyList<ObservedItem>> EvaluateAsync(string url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { ObservedQuery.EvaluationHeader, "1" } } };
        using var response = await api.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // A detail query whose item was deleted: its result is empty.
            return [];
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var root = document.RootElement;
        return root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array
            ? ObservedItem.ListFrom(items)
            : [ObservedItem.From(root)];
    }
}
