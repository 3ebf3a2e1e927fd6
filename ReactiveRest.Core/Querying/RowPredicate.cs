using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// Decides in the process whether a written row can belong to a list query's result, so that a write re-evaluates only
/// the observers whose filters its row matched before or after. A false positive costs one needless evaluation; a false
/// negative loses an update, so every answer the process cannot reproduce exactly from PostgreSQL is "may match".
/// </summary>
/// <remarks>
/// <para>
/// The row is keyed by field name and holds each value as PostgreSQL's <c>to_jsonb(row)</c> writes it: integers as
/// numbers, text as strings, booleans as <c>true</c>/<c>false</c>, <c>timestamptz</c> as ISO 8601 with an offset
/// and up to six fractional digits (<c>2026-11-30T17:15:04.123456+00:00</c>, <c>2026-11-30T17:15:04+01:00</c>).
/// The rules mirror the SQL that <c>QueryableExtensions</c> produces:
/// </para>
/// <list type="bullet">
/// <item>No filters: may match. A field missing from the row, a JSON null, a value of the wrong JSON kind or an
/// unreadable one, a filter without values or with values of the wrong type: may match. Nothing throws.</item>
/// <item>Integers (32- or 64-bit) and booleans: every lookup is exact (booleans order false before true, as in
/// PostgreSQL).</item>
/// <item>UUIDs (JSON strings, which PostgreSQL writes in the "D" format): exact and <c>__in</c> compare the parsed
/// values exactly.</item>
/// <item>Timestamps: compared as instants, exactly, at PostgreSQL's microsecond precision. A filter value with
/// sub-microsecond ticks is cut to microseconds by Npgsql, truncating toward 2000-01-01 (down after it, up before
/// it); the predicate tries both neighbouring microseconds and may match if either does, so it never depends on that
/// detail. <see cref="DateTimeOffset.MinValue"/> and <see cref="DateTimeOffset.MaxValue"/> may be sent as
/// <c>-infinity</c> and <c>infinity</c>, so filters on them may match. A row value that is not a finite timestamp
/// in that format (<c>infinity</c>, years beyond 9999, BC, offsets with seconds) may match.</item>
/// <item>Strings, exact and <c>__in</c>: ordinal equality, which is what <c>=</c> does on text in a UTF-8 database under
/// a deterministic collation (every database default is one; a column declared with a nondeterministic collation
/// would break this rule). A string PostgreSQL cannot hold as such (a NUL character, a lone surrogate) may match.</item>
/// <item>Strings, <c>__gt</c>, <c>__gte</c>, <c>__lt</c>, <c>__lte</c>: their order is the column's collation, which
/// the process cannot know: may match.</item>
/// <item>Strings, <c>__icontains</c>: the SQL is <c>lower(column)</c> containing the C#-lowered value. PostgreSQL's
/// <c>lower</c> follows the database locale beyond ASCII, so the predicate is exact (ordinal containment after
/// lowering A–Z) only when both the row's text and the value are ASCII, and may match otherwise. Locales that lower
/// an ASCII letter to a non-ASCII one (Turkish <c>I</c> to <c>ı</c>) make the database match less, never more,
/// against a lowered ASCII value, so exactness there errs only toward may-match.</item>
/// </list>
/// </remarks>
public static class RowPredicate
{
    // How to_jsonb writes timestamptz (ISO 8601, XSD style); 'F' digits are optional, so whole seconds parse too.
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFzzz";

    /// <summary>True when the row satisfies every filter of the query, or when that cannot be decided exactly here.</summary>
    public static bool MayMatch(IReadOnlyList<FieldFilter> filters, IReadOnlyDictionary<string, JsonElement> row)
    {
        foreach (var filter in filters)
        {
            if (!MayMatch(filter, row))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MayMatch(FieldFilter filter, IReadOnlyDictionary<string, JsonElement> row)
    {
        if (filter.Values.Count == 0 || !row.TryGetValue(filter.Field.Name, out var cell))
        {
            return true;
        }

        try
        {
            return filter.Field.Kind switch
            {
                FieldKind.Integer when cell.ValueKind == JsonValueKind.Number && cell.TryGetInt64(out var integer) =>
                    MayMatchOrdered(filter, integer),
                FieldKind.Uuid when cell.ValueKind == JsonValueKind.String && Guid.TryParse(cell.GetString(), out var uuid) =>
                    MayMatchUuid(filter, uuid),
                FieldKind.Boolean when cell.ValueKind is JsonValueKind.True or JsonValueKind.False =>
                    MayMatchOrdered(filter, cell.GetBoolean() ? 1 : 0),
                FieldKind.Timestamp when cell.ValueKind == JsonValueKind.String && ReadMicroseconds(cell.GetString()!) is { } microseconds =>
                    MayMatchOrdered(filter, microseconds),
                FieldKind.String when cell.ValueKind == JsonValueKind.String =>
                    MayMatchText(filter, cell.GetString()!),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            // A string with an invalid escape, or an element of a disposed document: nothing can be decided.
            return true;
        }
    }

    /// <summary>Integers, booleans (0 and 1) and timestamps (microseconds) compare as what the database compares.</summary>
    private static bool MayMatchOrdered(FieldFilter filter, long cell)
    {
        if (SentValues(filter) is not { } sent)
        {
            return true;
        }

        return filter.Lookup switch
        {
            Lookup.Exact or Lookup.In => sent.Contains(cell),
            Lookup.GreaterThan => sent.Any(value => cell > value),
            Lookup.GreaterThanOrEqual => sent.Any(value => cell >= value),
            Lookup.LessThan => sent.Any(value => cell < value),
            Lookup.LessThanOrEqual => sent.Any(value => cell <= value),
            _ => true,
        };
    }

    /// <summary>
    /// The values the database may compare the column with, on the same scale as the cell: one per filter value, or
    /// two for a timestamp whose rounding to microseconds is not ours to decide. Null when that cannot be told.
    /// </summary>
    private static List<long>? SentValues(FieldFilter filter)
    {
        var sent = new List<long>(filter.Values.Count);
        foreach (var value in filter.Values)
        {
            switch (filter.Field.Kind, value)
            {
                // A value of the other integer type would not be the parameter the query sends.
                case (FieldKind.Integer, int integer) when filter.Field.ValueType == typeof(int):
                    sent.Add(integer);
                    break;
                case (FieldKind.Integer, long integer) when filter.Field.ValueType == typeof(long):
                    sent.Add(integer);
                    break;
                case (FieldKind.Boolean, bool boolean):
                    sent.Add(boolean ? 1 : 0);
                    break;
                case (FieldKind.Timestamp, DateTimeOffset timestamp)
                    when timestamp != DateTimeOffset.MinValue && timestamp != DateTimeOffset.MaxValue:
                    sent.Add(timestamp.UtcTicks / TimeSpan.TicksPerMicrosecond);
                    if (timestamp.UtcTicks % TimeSpan.TicksPerMicrosecond != 0)
                    {
                        sent.Add(timestamp.UtcTicks / TimeSpan.TicksPerMicrosecond + 1);
                    }

                    break;
                default:
                    return null;
            }
        }

        return sent;
    }

    private static long? ReadMicroseconds(string text)
    {
        if (!DateTimeOffset.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
        {
            return null;
        }

        return timestamp.UtcTicks % TimeSpan.TicksPerMicrosecond == 0 ? timestamp.UtcTicks / TimeSpan.TicksPerMicrosecond : null;
    }

    /// <summary>UUIDs are filtered by equality only; a value that is not a UUID may match.</summary>
    private static bool MayMatchUuid(FieldFilter filter, Guid cell)
    {
        if (filter.Lookup is not (Lookup.Exact or Lookup.In))
        {
            return true;
        }

        foreach (var value in filter.Values)
        {
            if (value is not Guid candidate || candidate == cell)
            {
                return true;
            }
        }

        return false;
    }

    private static bool MayMatchText(FieldFilter filter, string text)
    {
        if (!IsStorable(text))
        {
            return true;
        }

        switch (filter.Lookup)
        {
            case Lookup.Exact or Lookup.In:
                foreach (var value in filter.Values)
                {
                    if (value is not string candidate || !IsStorable(candidate) || string.Equals(candidate, text, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            case Lookup.IContains:
                return filter.Values[0] is not string fragment
                    || !Ascii.IsValid(fragment)
                    || !Ascii.IsValid(text)
                    || !IsStorable(fragment)
                    || text.ToLowerInvariant().Contains(fragment.ToLowerInvariant(), StringComparison.Ordinal);
            default:
                return true;
        }
    }

    /// <summary>Whether PostgreSQL text holds exactly this string: well-formed UTF-16 without NUL.</summary>
    private static bool IsStorable(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done || rune.Value == 0)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }
}
