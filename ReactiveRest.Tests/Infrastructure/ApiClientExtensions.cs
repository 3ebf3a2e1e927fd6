using System.Text;
using System.Text.Json;

namespace ReactiveRest.Tests.Infrastructure;

/// <summary>Small conveniences for talking to the API the way any HTTP client would.</summary>
public static class ApiClientExtensions
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> CreateBoardAsync(this HttpClient client, string name = "board")
    {
        using var response = await client.PostAsJsonAsync("/api/boards", new { name }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> CreateTaskAsync(this HttpClient client, int boardId, string title, bool done = false, int? position = null)
    {
        var body = new Dictionary<string, object> { ["boardId"] = boardId, ["title"] = title, ["done"] = done };
        if (position is { } given)
        {
            body["position"] = given;
        }

        using var response = await client.PostAsJsonAsync("/api/tasks", body, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation)).RootElement.Clone();

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Cancellation);
        return (response.StatusCode, await response.ReadJsonAsync());
    }

    public static async Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string url, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        return await client.SendAsync(request, Cancellation);
    }

    public static int Id(this JsonElement item) => item.GetProperty("id").GetInt32();

    public static int[] Ids(this JsonElement page) =>
        [.. page.GetProperty("results").EnumerateArray().Select(Id)];
}
