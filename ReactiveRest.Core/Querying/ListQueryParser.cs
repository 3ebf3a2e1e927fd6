using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace ReactiveRest.Engine.Querying;

/// <summary>
/// Parses a list query string in the django-filter / DRF style: <c>field=value</c>, <c>field__lookup=value</c>,
/// <c>field__in=a,b</c>, <c>ordering=field,-field</c>, <c>limit</c> and <c>offset</c>. Every problem is reported
/// against the parameter that caused it; nothing unknown is silently ignored.
/// </summary>
public static class ListQueryParser
{
    public const string OrderingParameter = "ordering";
    public const string LimitParameter = "limit";
    public const string OffsetParameter = "offset";
    private const string LookupSeparator = "__";

    /// <param name="ignored">Parameters that belong to another layer (such as <c>observe</c>) and are not filters.</param>
    public static ListQuery? Parse(
        IQuerySchema resource,
        IEnumerable<KeyValuePair<string, StringValues>> parameters,
        QueryErrors errors,
        IReadOnlySet<string>? ignored = null)
    {
        var filters = new List<FieldFilter>();
        IReadOnlyList<OrderingTerm> ordering = resource.DefaultOrdering;
        var limit = ListQuery.DefaultLimit;
        var offset = 0;

        foreach (var (name, values) in parameters)
        {
            if (ignored?.Contains(name) == true)
            {
                continue;
            }

            if (values.Count != 1)
            {
                errors.Add(name, "The parameter is given more than once.");
                continue;
            }

            var value = values[0] ?? "";
            switch (name)
            {
                case OrderingParameter:
                    ordering = ParseOrdering(resource, value, errors) ?? ordering;
                    break;
                case LimitParameter:
                    limit = ParseBounded(name, value, 1, ListQuery.MaxLimit, errors) ?? limit;
                    break;
                case OffsetParameter:
                    offset = ParseBounded(name, value, 0, int.MaxValue, errors) ?? offset;
                    break;
                default:
                    if (ParseFilter(resource, name, value, errors) is { } filter)
                    {
                        filters.Add(filter);
                    }

                    break;
            }
        }

        return errors.Any ? null : new ListQuery(filters, ordering, limit, offset);
    }

    private static FieldFilter? ParseFilter(IQuerySchema resource, string name, string value, QueryErrors errors)
    {
        var separator = name.IndexOf(LookupSeparator, StringComparison.Ordinal);
        var fieldName = separator < 0 ? name : name[..separator];
        var lookupName = separator < 0 ? "exact" : name[(separator + LookupSeparator.Length)..];

        if (!resource.Fields.TryGetValue(fieldName, out var field))
        {
            errors.Add(name, $"Unknown field '{fieldName}'. Filterable fields of {resource.Name}: {string.Join(", ", resource.Fields.Keys)}.");
            return null;
        }

        if (!LookupNames.TryParse(lookupName, out var lookup) || !field.Lookups.Contains(lookup))
        {
            var allowed = string.Join(", ", field.Lookups.Select(allowedLookup => allowedLookup.ToSuffix()));
            errors.Add(name, $"Unknown lookup '{lookupName}' for field '{fieldName}'. Allowed: {allowed}.");
            return null;
        }

        var texts = lookup == Lookup.In ? value.Split(',') : [value];
        var parsed = new List<object>(texts.Length);
        foreach (var text in texts)
        {
            if (field.TryParseValue(text, out var typed, out var error))
            {
                parsed.Add(typed);
            }
            else
            {
                errors.Add(name, error);
                return null;
            }
        }

        return new FieldFilter(field, lookup, parsed);
    }

    private static List<OrderingTerm>? ParseOrdering(IQuerySchema resource, string value, QueryErrors errors)
    {
        var terms = new List<OrderingTerm>();
        foreach (var raw in value.Split(','))
        {
            var term = raw.Trim();
            var descending = term.StartsWith('-');
            var fieldName = descending ? term[1..] : term;
            if (!resource.Fields.ContainsKey(fieldName))
            {
                errors.Add(OrderingParameter, $"Cannot order by '{term}': unknown field. Fields of {resource.Name}: {string.Join(", ", resource.Fields.Keys)}.");
                return null;
            }

            if (terms.Any(existing => existing.Field == fieldName))
            {
                errors.Add(OrderingParameter, $"The field '{fieldName}' is named twice.");
                return null;
            }

            terms.Add(new OrderingTerm(fieldName, descending));
        }

        // Ties are broken by the key so that every order is total and pages never overlap.
        if (!terms.Any(term => term.Field == resource.Key.Name))
        {
            terms.Add(new OrderingTerm(resource.Key.Name, false));
        }

        return terms;
    }

    private static int? ParseBounded(string name, string value, int min, int max, QueryErrors errors)
    {
        // .NET's integer parsing ignores trailing NULs; "5\0" is not a number here.
        if (!value.Contains('\0', StringComparison.Ordinal)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add(name, max == int.MaxValue
            ? $"Must be an integer of at least {min}."
            : $"Must be an integer from {min} to {max}.");
        return null;
    }
}
