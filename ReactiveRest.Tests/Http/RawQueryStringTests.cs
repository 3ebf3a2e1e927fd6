using System.Text;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Http;
using ReactiveRest.Engine.Http;

namespace ReactiveRest.Tests.Http;

/// <summary>Query strings whose escapes are not UTF-8, which ASP.NET Core would otherwise pass on as literal text.</summary>
public sealed class RawQueryStringTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Theory]
    [InlineData("?title=%FF")]
    [InlineData("?title=%C3")]
    [InlineData("?title=%ED%A0%80")]
    [InlineData("?title=%C0%80")]
    [InlineData("?title=%80")]
    [InlineData("?title=%F4%90%80%80")]
    [InlineData("?title=%C3a")]
    [InlineData("?title=\u00e9%A9")]
    [InlineData("?title=ok%E2%82")]
    [InlineData("title=%ff")]
    public void A_value_that_is_not_utf8_once_decoded_names_its_parameter(string query)
    {
        Assert.Equal(["title"], RawQueryString.InvalidUtf8Parameters(query));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?")]
    [InlineData(null)]
    [InlineData("?title=%EF%BF%BD")]
    [InlineData("?title=%e2%82%ac&name=%F0%9F%98%80")]
    [InlineData("?title=\u00e9\U0001F600")]
    [InlineData("?title=a%00b")]
    [InlineData("?title=%&x=%F&y=%zz&z=%%41")]
    [InlineData("?title=a+b&&flag&=x")]
    public void Utf8_and_text_that_is_no_escape_pass(string? query)
    {
        Assert.Empty(RawQueryString.InvalidUtf8Parameters(query));
    }

    [Fact]
    public void Every_parameter_is_checked_and_named_once_in_order()
    {
        var query = "?limit=%FF&offset=%C3&boardId=1&ordering=%ED%A0%80&observe=%80&limit=%FE";

        Assert.Equal(["limit", "offset", "ordering", "observe"], RawQueryString.InvalidUtf8Parameters(query));
    }

    [Theory]
    [InlineData("?t%FFx=1", "t%FFx")]
    [InlineData("?t%FFx", "t%FFx")]
    [InlineData("?a+b%C3+=1", "a b%C3 ")]
    [InlineData("?%C3%A9t%C3=%FF", "\u00e9t%C3")]
    public void An_invalid_name_is_reported_as_the_request_query_names_it(string query, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);

        var name = Assert.Single(RawQueryString.InvalidUtf8Parameters(query));
        Assert.Equal(expected, name);
        Assert.Contains(name, context.Request.Query.Keys);
    }

    [Fact]
    public void A_lone_surrogate_written_into_the_string_itself_is_not_utf8()
    {
        Assert.Equal(["title"], RawQueryString.InvalidUtf8Parameters("?title=a\uD800"));
    }

    [Property(MaxTest = 2000)]
    public bool Any_bytes_are_reported_exactly_when_they_are_not_utf8(byte[] bytes)
    {
        bool valid;
        try
        {
            StrictUtf8.GetString(bytes);
            valid = true;
        }
        catch (DecoderFallbackException)
        {
            valid = false;
        }

        var reported = RawQueryString.InvalidUtf8Parameters($"?a=1&p={Encode(bytes)}&b=2");
        return valid ? reported.Count == 0 : reported.SequenceEqual(["p"]);
    }

    [Property(MaxTest = 1000)]
    public bool The_utf8_of_any_text_passes(string? text) =>
        RawQueryString.InvalidUtf8Parameters($"?p={Encode(Encoding.UTF8.GetBytes(text ?? ""))}").Count == 0;

    /// <summary>Letters and digits as themselves, every other byte as an escape: both forms must count.</summary>
    private static string Encode(byte[] bytes) =>
        string.Concat(bytes.Select(b => char.IsAsciiLetterOrDigit((char)b) ? ((char)b).ToString() : $"%{b:X2}"));
}
