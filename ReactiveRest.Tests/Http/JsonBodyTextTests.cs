using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ReactiveRest.Engine.Http;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Http;

/// <summary>Body strings that are not storable text are refused under their field's name, never with a 500.</summary>
public sealed class JsonBodyTextTests
{
    private static async Task<(JsonFields? Fields, IResult? Problem)> ReadAsync(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(body);
        return await JsonBody.ReadObjectAsync(context.Request, TestContext.Current.CancellationToken);
    }

    private static Task<(JsonFields? Fields, IResult? Problem)> ReadAsync(string json) => ReadAsync(Encoding.UTF8.GetBytes(json));

    /// <summary>The bytes of <c>{"title":"…"}</c> around raw, possibly invalid, value bytes.</summary>
    private static byte[] TitleWithRawBytes(params byte[] value) =>
        [.. "{\"title\":\"a"u8, .. value, .. "b\"}"u8];

    private static async Task<IDictionary<string, string[]>> TitleErrorsAsync(byte[] body)
    {
        var (fields, problem) = await ReadAsync(body);
        Assert.Null(problem);
        Assert.Null(fields!.String("title", required: true, maxLength: 500));
        return fields.Errors.ToDictionary();
    }

    [Theory]
    [InlineData("""{"title":"a\u0000b"}""")]
    [InlineData("""{"title":"\u0000"}""")]
    [InlineData("""{"title":"ok\u0000"}""")]
    public async Task An_escaped_nul_is_refused_under_the_field_name(string json)
    {
        Assert.Equal([StorableText.NulError], (await TitleErrorsAsync(Encoding.UTF8.GetBytes(json)))["title"]);
    }

    [Theory]
    [InlineData("""{"title":"\ud800"}""")]
    [InlineData("""{"title":"x\udc00y"}""")]
    [InlineData("""{"title":"\ude00\ud83d"}""")]
    [InlineData("""{"title":"\ud83d"}""")]
    public async Task An_escaped_lone_surrogate_is_refused_under_the_field_name(string json)
    {
        Assert.Equal([StorableText.LoneSurrogateError], (await TitleErrorsAsync(Encoding.UTF8.GetBytes(json)))["title"]);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0x80 })]
    public async Task Raw_bytes_that_are_not_utf8_are_refused_under_the_field_name(byte[] bytes)
    {
        Assert.Equal([JsonFields.InvalidUtf8Error], (await TitleErrorsAsync(TitleWithRawBytes(bytes)))["title"]);
    }

    [Fact]
    public async Task Raw_bytes_that_are_not_utf8_next_to_an_escape_are_refused_too()
    {
        Assert.Equal([JsonFields.InvalidUtf8Error], (await TitleErrorsAsync([.. "{\"title\":\"\\u0041"u8, 0xFF, .. "\"}"u8]))["title"]);
    }

    [Theory]
    [InlineData("""{"title":"\ud83d\ude00"}""", "\U0001F600")]
    [InlineData("""{"title":"\ufffd"}""", "\uFFFD")]
    [InlineData("""{"title":"�"}""", "\uFFFD")]
    [InlineData("""{"title":"caf\u00e9 é"}""", "café é")]
    public async Task Valid_text_is_read(string json, string expected)
    {
        var (fields, _) = await ReadAsync(json);

        Assert.Equal(expected, fields!.String("title", required: true, maxLength: 500));
        Assert.Empty(fields.Errors.ToDictionary());
    }

    [Fact]
    public async Task Every_bad_field_is_reported_at_once()
    {
        var (fields, _) = await ReadAsync("""{"name":"x\udc00y","title":"a\u0000b"}""");

        fields!.String("name", required: true, maxLength: 200);
        fields.String("title", required: true, maxLength: 500);
        Assert.Equal(["name", "title"], fields.Errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public async Task Fields_that_are_not_read_may_hold_anything_that_parses()
    {
        var (fields, problem) = await ReadAsync(
            [.. """{"note":"a\u0000b","other":"\ud800","nested":{"\ud800":"\u0000"},"raw":" """u8, 0xFF, .. """ ","title":"ok"}"""u8]);

        Assert.Null(problem);
        Assert.Equal("ok", fields!.String("title", required: true, maxLength: 500));
        Assert.Empty(fields.Errors.ToDictionary());
    }

    [Theory]
    [InlineData("""{"title":"x","\ud800":1}""")]
    [InlineData("""{"\udc00":1,"title":"x"}""")]
    [InlineData("""{"titl\u0065\ud800":"x"}""")]
    public async Task A_property_name_that_is_no_text_makes_the_body_malformed(string json)
    {
        var (fields, problem) = await ReadAsync(json);

        Assert.Null(fields);
        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(problem).StatusCode);
    }

    [Fact]
    public async Task A_property_name_with_raw_bytes_that_are_not_utf8_makes_the_body_malformed()
    {
        var (fields, problem) = await ReadAsync([.. "{\"title\":\"x\",\"ti"u8, 0xFF, .. "\":1}"u8]);

        Assert.Null(fields);
        Assert.Equal(StatusCodes.Status400BadRequest, Assert.IsType<ProblemHttpResult>(problem).StatusCode);
    }
}
