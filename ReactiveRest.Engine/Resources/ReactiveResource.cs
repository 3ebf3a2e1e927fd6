using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using ReactiveRest.Engine.Querying;

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
    private readonly List<(string Name, Func<TEntity, int> Read)> _partitions = [];

    public ReactiveResource(string name, Expression<Func<TEntity, int>> key)
    {
        Name = name;
        Key = AddField(key);
        _partitions.Add((Key.Name, key.Compile()));
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

    /// <summary>
    /// Declares an integer field (a foreign key, typically) that writes announce and queries may depend on, so that a
    /// change re-evaluates only the observers of its own partition: a task moved from board 1 to 2 touches observers of
    /// <c>boardId=1</c> and <c>boardId=2</c>, not those of board 3.
    /// </summary>
    public ReactiveResource<TEntity> PartitionedBy(Expression<Func<TEntity, int>> accessor)
    {
        var field = AddField(accessor);
        _partitions.Add((field.Name, accessor.Compile()));
        return this;
    }

    /// <summary>The table key: every change of this resource announces it, and unpartitioned observers depend on it.</summary>
    public string TableKey => Name;

    /// <summary>The change keys one write announces: the table, and each partition's old and new value.</summary>
    public IReadOnlyList<string> ChangeKeys(TEntity? before, TEntity? after)
    {
        var keys = new List<string> { TableKey };
        foreach (var entity in new[] { before, after })
        {
            if (entity is null)
            {
                continue;
            }

            foreach (var (name, read) in _partitions)
            {
                var key = PartitionKey(name, read(entity));
                if (!keys.Contains(key))
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// The keys a list query's result depends on: the values of the first partition it pins with an exact or
    /// <c>__in</c> filter (the key first), else the whole table.
    /// </summary>
    public IReadOnlyList<string> DependencyKeys(ListQuery query)
    {
        foreach (var (name, _) in _partitions)
        {
            var pinned = query.Filters.FirstOrDefault(filter => filter.Field.Name == name && filter.Lookup is Lookup.Exact or Lookup.In);
            if (pinned is not null)
            {
                return [.. pinned.Values.Select(value => PartitionKey(name, (int)value)).Distinct()];
            }
        }

        return [TableKey];
    }

    /// <summary>The key a detail GET depends on.</summary>
    public string ItemKey(int id) => PartitionKey(Key.Name, id);

    private string PartitionKey(string field, int value) => $"{Name}:{field}={value.ToString(CultureInfo.InvariantCulture)}";

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
