using System.Text.Json;

namespace ReactiveRest.Tests.Infrastructure;

public static class Convergence
{
    /// <summary>
    /// Waits until the subscriber's reconstruction of <paramref name="url"/> equals a fresh GET of it, item for item
    /// and in order, then checks it stays equal; fails with both lists after <paramref name="timeout"/>.
    /// </summary>
    public static async Task AssertConvergesAsync(HttpClient api, Subscriber subscriber, string observer, string url, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        string expected, actual;
        do
        {
            expected = await FreshAsync(api, url);
            actual = Render(subscriber.View(observer));
            if (expected == actual)
            {
                // Nothing is still in flight that would undo it.
                await Task.Delay(300, TestContext.Current.CancellationToken);
                actual = Render(subscriber.View(observer));
                expected = await FreshAsync(api, url);
                if (expected == actual)
                {
                    return;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"Subscriber {subscriber.Id} did not converge on {url}.\nexpected: {expected}\nactual:   {actual}");
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
