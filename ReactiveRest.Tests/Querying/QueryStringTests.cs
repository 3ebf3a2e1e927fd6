using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.WebUtilities;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Tests.Querying;

/// <summary>The observers read stored queries as the API read them: <see cref="QueryString"/> agrees with ASP.NET Core's parser.</summary>
public sealed class QueryStringTests
{
    [Theory]
    [InlineData("")]
    [InlineData("?")]
    [InlineData("boardId=1&ordering=-position")]
    [InlineData("?title__icontains=a+b%20c&title__icontains=%C3%A9")]
    [InlineData("a&&b=&=c&Title=x&title=y")]
    [InlineData("%zz=1&x=%&y=%2")]
    [InlineData(" lead=1&=&&")]
    public void Agrees_with_aspnetcore_on_examples(string query) => AssertAgrees(query);

    [Property(MaxTest = 2000)]
    public Property Agrees_with_aspnetcore_on_random_query_strings()
    {
        var pieces = Gen.Elements("a", "A", "id", "boardId", "=", "&", "+", "%", "%2", "%20", "%26", "%3D", "%C3%A9", "é", " ", "?", "__in", ",", "-", "1");
        var queries = Gen.ListOf(pieces).Select(parts => string.Concat(parts));
        return Prop.ForAll(Arb.From(queries), query =>
        {
            AssertAgrees(query);
            return true;
        });
    }

    private static void AssertAgrees(string query)
    {
        var expected = QueryHelpers.ParseQuery(query);
        var actual = QueryString.Parse(query);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values.ToArray(), actual[name].ToArray());
        }
    }
}
