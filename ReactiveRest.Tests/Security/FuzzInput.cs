using System.Globalization;
using System.Text;

namespace ReactiveRest.Tests.Security;

/// <summary>
/// Random request pieces for the fuzz tests: query strings, bodies, header values and WebSocket text, mostly wrong in
/// the ways clients and attackers are wrong (wrong types, wrong encodings, too long, too deep), drawn from one seeded
/// <see cref="Random"/> so that a run can be replayed.
/// </summary>
public sealed class FuzzInput(Random random)
{
    /// <summary>Escapes that decode to bytes that are not UTF-8, a NUL, or are no escape at all.</summary>
    public static readonly string[] BadEscapes =
    [
        "%C3%28", "%FF", "%C3", "%ED%A0%80", "%C0%80", "%F4%90%80%80", "%80", "%E2%82", "%00", "a%00b", "%", "%zz", "%%41",
        "%F", "%FE%FF", "%EF%BB%BF", "%0A", "%0D%0A", "%2F", "%26", "%3D", "+", "%2B", "%C3%A9%A9",
    ];

    private static readonly string[] Unicode =
    [
        "é", "ü", "ß", "Ω", "😀", "🏳️‍🌈", "\u200B", "\u202E", "中文", "日本語", "\uFFFD", "\uFEFF", "e\u0301", "א", "ℌ", "１", "٣", "\u00A0",
    ];

    private static readonly string[] Specials =
    [
        "null", "undefined", "[]", "{}", "true", "NaN", "Infinity", "-Infinity", "-0", "0e0", "' OR 1=1 --", "\"", "'", "\\",
        "${jndi:ldap://x}", "../../etc/passwd", "<script>", "%s%s%n", "*", "?", "__", "-", ",", ",,", " ", "\t",
    ];

    private static readonly string[] Numbers =
    [
        "0", "1", "-1", "42", "01", "0042", "2147483647", "2147483648", "-2147483649", "9223372036854775808",
        "99999999999999999999999", "1.5", "1e3", "1e400", "0x10", "+1", " 1", "1 ", "1_000", "１", "٣", "1000000001",
    ];

    private static readonly string[] Booleans = ["true", "false", "True", "FALSE", "1", "0", "yes", "maybe", "t", ""];

    private static readonly string[] Timestamps =
    [
        "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+02:00", "2026-13-45",
        "0001-01-01", "9999-12-31T23:59:59.9999999", "yesterday", "1700000000", "2026-02-30T25:61:61",
    ];

    public static readonly string[] Fields = ["id", "name", "boardId", "title", "done", "position", "createdAt", "updatedAt"];

    private static readonly string[] Lookups = ["", "", "", "__exact", "__gt", "__gte", "__lt", "__lte", "__in", "__icontains", "__startswith", "__regex", "__", "__in__in", "__GT"];

    private static readonly string[] ReservedParameters =
    [
        "observe", "ordering", "limit", "offset", "access_token", "resume", "observer", "subscriber", "format", "page", "search", "fields",
    ];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public bool Chance(double probability) => random.NextDouble() < probability;

    public int Between(int min, int maxInclusive) => random.Next(min, maxInclusive + 1);

    public string Word(int min = 1, int max = 12)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        var length = Between(min, max);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(letters[random.Next(letters.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Printable ASCII, including the characters with a meaning in URLs and JSON.</summary>
    public string Printable(int min = 0, int max = 40)
    {
        var length = Between(min, max);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append((char)Between(0x20, 0x7E));
        }

        return builder.ToString();
    }

    /// <summary>Text with multi-byte characters, surrogate pairs, joiners, direction marks, mixed with ASCII.</summary>
    public string UnicodeText(int min = 1, int max = 12)
    {
        var parts = Between(min, max);
        var builder = new StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            builder.Append(Chance(0.5) ? Pick(Unicode) : Word(1, 3));
        }

        return builder.ToString();
    }

    public string Hex(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append("0123456789abcdef"[random.Next(16)]);
        }

        return builder.ToString();
    }

    /// <summary>A parameter name: a real one, a filter with a real or made-up lookup, or junk.</summary>
    public string QueryName()
    {
        return random.Next(10) switch
        {
            < 4 => Pick(Fields) + Pick(Lookups),
            < 6 => Pick(ReservedParameters),
            6 => Word(1, 20),
            7 => Uri.EscapeDataString(UnicodeText(1, 3)),
            8 => Pick(BadEscapes) + (Chance(0.5) ? Pick(Fields) : ""),
            _ => Pick(["", "__", "id__", "__in", "a[b]", "a.b", "a%5Bb%5D", "%20", "x%3Dy", "observe%00", "limit%0A"]),
        };
    }

    /// <summary>A value, already written for a query string: escaped where it should be, raw where it is meant to be wrong.</summary>
    public string QueryValue(IReadOnlyList<string> subscriberIds, IReadOnlyList<string> observerIds)
    {
        switch (random.Next(18))
        {
            case 0:
                return "";
            case 1:
                return random.Next(-5, 2000).ToString(CultureInfo.InvariantCulture);
            case 2:
                return Uri.EscapeDataString(Pick(Numbers));
            case 3:
                return Pick(Booleans);
            case 4:
                return Uri.EscapeDataString(Pick(Timestamps));
            case 5:
                return string.Join(",", Enumerable.Range(0, Between(0, 6)).Select(_ => Chance(0.7) ? Pick(Numbers) : Word(0, 3)));
            case 6:
                return Uri.EscapeDataString(UnicodeText());
            case 7:
                // Left raw: the client encodes it as UTF-8.
                return UnicodeText(1, 4);
            case 8:
                return (Chance(0.5) ? Word(0, 4) : "") + Pick(BadEscapes) + (Chance(0.5) ? Word(0, 4) : "");
            case 9:
                // Long, and now and then longer than a request line may be (Kestrel answers 414 itself).
                return new string(Pick(['a', '1', '-', 'é']), Chance(0.9) ? Between(200, 3000) : Between(9000, 12000));
            case 10:
                return string.Join(",", Enumerable.Range(0, Between(1, 4)).Select(_ => (Chance(0.4) ? "-" : "") + (Chance(0.8) ? Pick(Fields) : Word(1, 6))));
            case 11:
                return Pick(subscriberIds);
            case 12:
                return Pick(observerIds);
            case 13:
                return Uri.EscapeDataString(Printable(0, 30));
            case 14:
                return Uri.EscapeDataString(Pick(Specials));
            case 15:
                return Word(1, 64) + Pick(["", "%0A", "%00", "%20", "\u00e9", "!", "%C3%28"]);
            case 16:
                return string.Concat(Enumerable.Range(0, Between(1, 5)).Select(_ => Pick(BadEscapes)));
            default:
                return Word();
        }
    }

    /// <summary>0 to 7 parameters, now and then repeated, valueless, nameless or empty.</summary>
    public string QueryString(IReadOnlyList<string> subscriberIds, IReadOnlyList<string> observerIds)
    {
        var parameters = new List<string>();
        var count = random.Next(10) switch
        {
            0 => 0,
            < 7 => Between(1, 3),
            _ => Between(4, 7),
        };
        for (var i = 0; i < count; i++)
        {
            var name = QueryName();
            parameters.Add(random.Next(12) switch
            {
                0 => name,
                1 => "=" + QueryValue(subscriberIds, observerIds),
                2 => "",
                _ => name + "=" + QueryValue(subscriberIds, observerIds),
            });
            if (Chance(0.1))
            {
                parameters.Add(Chance(0.5) ? parameters[^1] : name + "=" + QueryValue(subscriberIds, observerIds));
            }
        }

        return string.Join(Chance(0.05) ? "&&" : "&", parameters);
    }

    /// <summary>A JSON value of a random type; deep or long now and then.</summary>
    public string JsonValue(int depth = 0)
    {
        switch (random.Next(depth > 3 ? 9 : 12))
        {
            case 0:
                return "null";
            case 1:
                return Chance(0.5) ? "true" : "false";
            case 2:
                return Pick(["0", "-1", "1", "1.5", "-0", "1e400", "2147483648", "99999999999999999999", "1000000001", "1E2", "0.0000001"]);
            case 3:
                return random.Next(-10, 100).ToString(CultureInfo.InvariantCulture);
            case 4:
                return JsonString(Printable(0, 30));
            case 5:
                return JsonString(UnicodeText());
            case 6:
                return Pick(["\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udc00y\"", "\"\\ud83d\\ude00\"", "\"\\n\"", "\"\\t \\r\""]);
            case 7:
                return JsonString(new string('x', Chance(0.8) ? Between(100, 600) : Between(1000, 5000)));
            case 8:
                return JsonString(Pick(Numbers));
            case 9:
                return "[" + string.Join(",", Enumerable.Range(0, Between(0, 4)).Select(_ => JsonValue(depth + 1))) + "]";
            case 10:
                return JsonObject(depth + 1);
            default:
                return JsonString(Word());
        }
    }

    public string JsonObject(int depth = 0, IReadOnlyList<int>? ids = null)
    {
        var fields = new List<string>();
        var names = new[] { "name", "title", "boardId", "done", "position", "user", "id", "createdAt", "updatedAt" };
        var count = Between(0, 5);
        for (var i = 0; i < count; i++)
        {
            var name = random.Next(10) switch
            {
                < 7 => Pick(names),
                7 => Word(),
                8 => UnicodeText(1, 2),
                _ => Pick(["", " name", "Name", "NAME", "\\u0000", "\\ud800", "name\\u0000", "__proto__", "constructor"]),
            };
            var value = name is "boardId" or "id" && ids is { Count: > 0 } && Chance(0.5) ? Pick(ids).ToString(CultureInfo.InvariantCulture) : JsonValue(depth);
            fields.Add($"\"{name}\":{value}");
        }

        return "{" + string.Join(",", fields) + "}";
    }

    public static string JsonString(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>A body and its Content-Type (null: no header); <paramref name="summary"/> says what kind it is.</summary>
    public (byte[] Body, string? ContentType) Body(IReadOnlyList<int> ids, out string summary)
    {
        var contentType = random.Next(20) switch
        {
            < 11 => "application/json",
            11 => "application/json; charset=utf-8",
            12 => Pick(["application/problem+json", "application/merge-patch+json", "text/json", "application/vnd.api+json"]),
            13 => Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream"]),
            14 => Pick(["application/json; charset=utf-16", "application/json; charset=latin1", "application/json;;;", "application/json; boundary=\"x"]),
            15 => Pick(["garbage", ";", "*/*", "application/", "/json", "application/json\u00e9", "APPLICATION/JSON"]),
            16 => null,
            _ => "application/json",
        };

        string text;
        switch (random.Next(14))
        {
            case < 6:
                summary = "object";
                text = JsonObject(ids: ids);
                break;
            case 6:
                summary = "non-object";
                text = JsonValue();
                break;
            case 7:
                var depth = Chance(0.5) ? Between(10, 80) : Between(500, 5000);
                summary = $"nested {depth}";
                text = Chance(0.5)
                    ? new string('[', depth) + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"name\":", depth)) + "1" + new string('}', depth);
                break;
            case 8:
                summary = "invalid json";
                var valid = JsonObject(ids: ids);
                text = random.Next(6) switch
                {
                    0 => valid[..random.Next(valid.Length)],
                    1 => valid + Pick(["}", ",", "x", "]", "\u0000"]),
                    2 => "{name: 'x'}",
                    3 => "{\"name\":\"x\",}",
                    4 => "/* c */ {\"name\":\"x\"}",
                    _ => Pick(["", " ", "\uFEFF{\"name\":\"x\"}", "{\"name\":NaN}", "{\"name\":\"x\"}{}", "{\"name\" \"x\"}", "{\"a\":\"\\x41\"}", "{\"a\":01}"]),
                };
                break;
            case 9:
                var size = Chance(0.7) ? Between(60_000, 66_000) : Between(66_000, 100_000);
                summary = $"huge {size}";
                text = $"{{\"name\":\"{new string('n', size)}\",\"title\":\"t\"}}";
                break;
            case 10:
                summary = "random bytes";
                var bytes = new byte[Between(0, 300)];
                random.NextBytes(bytes);
                return (bytes, contentType);
            case 11:
                summary = "bad utf-8 in a string";
                var prefix = Encoding.UTF8.GetBytes("{\"name\":\"a");
                var suffix = Encoding.UTF8.GetBytes("b\",\"title\":\"t\",\"user\":\"u\"}");
                byte[] bad = Pick<byte[]>([[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]]);
                return ([.. prefix, .. bad, .. suffix], contentType);
            case 12:
                summary = "duplicate keys";
                text = "{\"name\":\"a\",\"name\":" + JsonValue() + ",\"title\":\"t\",\"title\":" + JsonValue() + ",\"boardId\":" +
                       (ids.Count > 0 ? Pick(ids) : 1) + ",\"boardId\":" + JsonValue() + "}";
                break;
            default:
                summary = "member";
                text = "{\"user\":" + (Chance(0.5) ? JsonString(Word(1, 70)) : JsonValue()) + "}";
                break;
        }

        return (Encoding.UTF8.GetBytes(text), contentType);
    }

    /// <summary>Headers that are not about authentication: origins, cookies, content negotiation, tracing, forwarding.</summary>
    public List<(string Name, string Value)> Headers()
    {
        var headers = new List<(string, string)>();
        var count = Between(0, 4);
        for (var i = 0; i < count; i++)
        {
            headers.Add(random.Next(11) switch
            {
                0 => ("Origin", Pick(["null", "http://evil.example", "", "://", "http://127.0.0.1", "http://[::1", "ftp://x", "http://é.example", new string('o', 3000)])),
                1 => ("Cookie", "rr_token=" + Pick(["", "garbage", "a.b.c", "e30.e30.", new string('c', 4000), "%00", "\"quoted\""])),
                2 => ("Accept", Pick(["application/xml", "text/html", "*/*;q=abc", "", "application/json;q=0", ";;;", "image/*"])),
                3 => ("Accept-Encoding", Pick(["gzip", "br, deflate", "identity;q=0", "x-unknown", "*;q=0"])),
                4 => ("traceparent", Pick(["00-zz-zz-01", "00-00000000000000000000000000000000-0000000000000000-00", "garbage", "ff-" + Hex(32) + "-" + Hex(16) + "-01"])),
                5 => ("X-Forwarded-For", Pick(["garbage", "999.999.999.999", "::1, ::1, ::1", ""])),
                6 => ("X-Forwarded-Proto", Pick(["gopher", "https", ""])),
                7 => ("Accept-Language", Pick(["xx-YY", "*", "é", "en;q=2"])),
                8 => ("If-None-Match", Pick(["*", "\"x\"", "garbage"])),
                9 => ("baggage", Pick(["a=b", "====", new string('b', 2000)])),
                _ => (Word(1, 10), Printable(0, 50)),
            });
        }

        return headers;
    }

    /// <summary>A text frame's content that is not the heartbeat: junk, JSON of the wrong shape, unicode; at most <paramref name="maxBytes"/> bytes.</summary>
    public string FrameText(int maxBytes)
    {
        var text = random.Next(8) switch
        {
            0 => Printable(1, 200),
            1 => JsonObject(),
            2 => Pick(["{\"msg\":\"subscribe\"}", "{\"msg\":\"hello\"}", "{\"msg\":null}", "[]", "42", "null", "\"--heartbeat--\"", "{}", "{\"msg\":\"unsubscribe\",\"observer\":\"" + Hex(32) + "\"}"]),
            3 => UnicodeText(1, 40),
            4 => Pick(["--heartbeat--\n", " --heartbeat--", "--HEARTBEAT--", "--heartbeat-", "--heartbeat----heartbeat--", "\u0000"]),
            5 => new string('[', Between(10, 2000)),
            6 => JsonValue(),
            _ => Word(1, 64),
        };
        while (Encoding.UTF8.GetByteCount(text) > maxBytes)
        {
            text = text[..(text.Length / 2)];
        }

        return text.Length == 0 ? "x" : text;
    }
}
