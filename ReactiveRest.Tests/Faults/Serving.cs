using ReactiveRest.Tests.Infrastructure;

namespace ReactiveRest.Tests.Faults;

/// <summary>
/// The fault tests share one stack and run one after another: each starts once the previous fault has healed, i.e.
/// the services' own health endpoints answer healthy again (their Redis and database connections included), rather
/// than only the resource that was restarted.
/// </summary>
public static class Serving
{
    public static async Task WaitAsync(ReactiveRestStack app)
    {
        using var api = app.CreateApiClient();
        using var observers = app.CreateObserversClient();
        await Eventually.HoldsAsync(async () => await HealthyAsync(api) && await HealthyAsync(observers), TimeSpan.FromSeconds(60), "api and observers report healthy");

        // The observers endpoint is shared by the replicas: a few answers in a row reach each of them.
        for (var i = 0; i < 6; i++)
        {
            await Eventually.HoldsAsync(() => HealthyAsync(observers), TimeSpan.FromSeconds(60), "every observers replica reports healthy");
        }
    }

    private static async Task<bool> HealthyAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
