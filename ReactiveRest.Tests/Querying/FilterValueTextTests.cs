using System.Text;
using FsCheck.Xunit;
using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Querying;
using ReactiveRest.Engine.Resources;

namespace ReactiveRest.Tests.Querying;

/// <summary>Filter values the database cannot hold are refused under their parameter's name instead of failing there.</summary>
public sealed class FilterValueTextTests
{
    private sealed class Note
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";

        public int Rank { get; set; }

        public DateTimeOffset At { get; set; }
    }

    private static readonly ReactiveResource<Note> Notes = new ReactiveResource<Note>("notes", note => note.Id)
        .WithField(note => note.Text)
        .WithField(note => note.Rank)
        .WithField(note => note.At);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static IDictionary<string, string[]> Errors(string name, string value)
    {
        var errors = new QueryErrors();
        ListQueryParser.Parse(Notes, [new KeyValuePair<string, StringValues>(name, value)], errors);
        return errors.ToDictionary();
    }

    [Theory]
    [InlineData("text", "a\0b")]
    [InlineData("text__icontains", "\0")]
    [InlineData("text__in", "x,\0")]
    [InlineData("text__gt", "\0a")]
    [InlineData("rank", "5\0")]
    [InlineData("rank__in", "1,2\0")]
    [InlineData("at__gte", "2026-01-01T00:00:00Z\0")]
    public void A_nul_is_refused_under_the_parameter_name(string name, string value)
    {
        Assert.Equal([StorableText.NulError], Errors(name, value)[name]);
    }

    /// <summary>
    /// Built in code and enumerated when run: attribute arguments and serialized test cases are UTF-8, which would turn
    /// each lone surrogate into U+FFFD before the test saw it.
    /// </summary>
    public static TheoryData<string, string> LoneSurrogates => new()
    {
        { "text", "\uD800" },
        { "text", "x\uDC00y" },
        { "text", "\uDC00\uD800" },
        { "text", "ok\uD83D" },
        { "text__icontains", "\uDFFF" },
        { "text__in", "a,b\uD800" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates), DisableDiscoveryEnumeration = true)]
    public void A_lone_surrogate_is_refused_under_the_parameter_name(string name, string value)
    {
        Assert.Equal([StorableText.LoneSurrogateError], Errors(name, value)[name]);
    }

    [Theory]
    [InlineData("\uFFFD")]
    [InlineData("\uD83D\uDE00")]
    [InlineData("a\u0001b")]
    [InlineData("")]
    public void Other_text_is_accepted(string value)
    {
        Assert.Empty(Errors("text", value));
    }

    [Fact]
    public void A_nul_is_refused_for_every_kind_of_field_even_where_dotnet_would_ignore_it()
    {
        foreach (var field in Notes.Fields.Values)
        {
            Assert.False(field.TryParseValue("1\0", out _, out var error), field.Name);
            Assert.Equal(StorableText.NulError, error);
        }
    }

    [Property(MaxTest = 1000)]
    public bool Text_is_storable_exactly_when_it_has_no_nul_and_encodes_to_utf8(char[] characters)
    {
        var text = new string(characters);
        bool encodes;
        try
        {
            StrictUtf8.GetByteCount(text);
            encodes = true;
        }
        catch (EncoderFallbackException)
        {
            encodes = false;
        }

        return (StorableText.ProblemWith(text) is null) == (encodes && !text.Contains('\0'));
    }
}
