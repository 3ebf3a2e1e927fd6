using System.Linq.Expressions;
using System.Text.Json;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// The single definition of a resource that clients can list, filter, order and (later) observe: its fields, its
/// primary key and its default ordering. The API's endpoints and the observers evaluate queries through it, so both
/// always compute the same result.
/// </summary>
public sealed class ReactiveResource<TEntity> where TEntity : class
{
    private readonly Dictionary<string, ResourceField> _fields = new(StringComparer.Ordinal);
    private readonly List<OrderingTerm> _defaultOrdering = [];

    public ReactiveResource(string name, Expression<Func<TEntity, int>> key)
    {
        Name = name;
        Key = AddField(key);
    }

    /// <summary>The path segment and name of the resource, such as <c>tasks</c>.</summary>
    public string Name { get; }

    /// <summary>The primary key field; it breaks every ordering tie so each order is total.</summary>
    public ResourceField Key { get; }

    public IReadOnlyDictionary<string, ResourceField> Fields => _fields;

    /// <summary>The ordering used when the client names none, always ending with the key.</summary>
    public IReadOnlyList<OrderingTerm> DefaultOrdering =>
        _defaultOrdering.Count > 0 ? _defaultOrdering : [new OrderingTerm(Key.Name, false)];

    public ReactiveResource<TEntity> WithField<TValue>(Expression<Func<TEntity, TValue>> accessor)
    {
        AddField(accessor);
        return this;
    }

    public ReactiveResource<TEntity> OrderedBy(params string[] terms)
    {
        _defaultOrdering.Clear();
        _defaultOrdering.AddRange(terms.Select(ParseDefaultTerm));
        if (!_defaultOrdering.Any(term => term.Field == Key.Name))
        {
            _defaultOrdering.Add(new OrderingTerm(Key.Name, false));
        }

        return this;
    }

    private OrderingTerm ParseDefaultTerm(string term)
    {
        var descending = term.StartsWith('-');
        var field = descending ? term[1..] : term;
        return _fields.ContainsKey(field)
            ? new OrderingTerm(field, descending)
            : throw new ArgumentException($"Unknown field '{field}' in the default ordering of {Name}.");
    }

    private ResourceField AddField(LambdaExpression accessor)
    {
        if (accessor.Body is not MemberExpression member)
        {
            throw new ArgumentException("A field accessor must read one member, as in 'task => task.Title'.");
        }

        var name = JsonNamingPolicy.CamelCase.ConvertName(member.Member.Name);
        var field = new ResourceField(name, accessor);
        _fields.Add(name, field);
        return field;
    }
}
