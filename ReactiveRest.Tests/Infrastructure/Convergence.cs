using System.Text.Json;

namespace ReactiveRest.Tests.Infrastructure;

public static class Convergence
{
    /// <summary>
    /// Waits until the subscriber's reconstruction of <paramref name="url"/> equals a fresh GET of it, item for item
    /// and in order, with nothing in flight that could still change it: the observer has evaluated every change it
    /// was told of, and the subscriber has applied its log up to the head. Fails with both lists after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static async Task AssertConvergesAsync(HttpClient api, Subscriber subscriber, string observer, string url, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        string expected, actual, settled;
        do
        {
            settled = await SettledAsync(api, subscriber, observer);
            expected = await FreshAsync(api, url);
            actual = Render(subscriber.View(observer));
            if (expected == actual && settled.Length == 0)
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Subscriber {subscriber.Id} did not converge on {url}{(settled.Length > 0 ? " (" + settled + ")" : "")}.\nexpected: {expected}\nactual:   {actual}");
    }

    /// <summary>Empty when nothing is in flight for the subscriber's view of <paramref name="observer"/>; else what is.</summary>
    private static async Task<string> SettledAsync(HttpClient api, Subscriber subscriber, string observer)
    {
        using var response = await api.GetAsync($"/api/queryobserver/{observer}", TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return $"its statistics answered {(int)response.StatusCode}";
        }

        var stats = await response.ReadJsonAsync();
        var (changes, evaluated, head, applied) = (stats.GetProperty("changes").GetInt64(), stats.GetProperty("evaluated").GetInt64(), stats.GetProperty("seq").GetInt64(), subscriber.Seq(observer));
        return changes != evaluated ? $"{changes - evaluated} changes not evaluated yet"
            : applied != head ? $"applied seq {applied}, the log's head is {head}"
            : "";
    }

    private static async Task<string> FreshAsync(HttpClient api, string url)
    {
        using var response = await api.GetAsync(url, TestContext.Current.CancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && IsDetail(url))
        {
            // A row gone or hidden: its detail observer's view is empty. A list never answers 404, so there it fails.
            return "[]";
        }

        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // A dependency still recovering: not converged yet, and the failure message says why.
            return "(GET answered 503)";
        }

        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        var body = await response.ReadJsonAsync();
        return body.TryGetProperty("results", out var results) ? Render(results.EnumerateArray()) : Render([body]);
    }

    /// <summary>Whether <paramref name="url"/> is one row's (<c>/api/{resource}/{id}</c>) rather than a list's.</summary>
    internal static bool IsDetail(string url)
    {
        var path = url.Split('?')[0].Trim('/').Split('/');
        return path is ["api", _, var id] && id.Length > 0;
    }

    private static string Render(IEnumerable<JsonElement> items) => "[" + string.Join(",", items.Select(item => item.GetRawText())) + "]";
}
