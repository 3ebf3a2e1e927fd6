using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// The single definition of a resource that clients can list, filter, order and observe: its fields, its primary key,
/// its default ordering and its partitions. The API's endpoints and the observers evaluate queries through it, so both
/// always compute the same result.
/// </summary>
/// <remarks>
/// Its key is one member of the entity of type <see cref="int"/>, <see cref="long"/>, <see cref="Guid"/> or
/// <see cref="string"/>, declared with the constructor of that type (or <see cref="KeyedBy{TKey}"/> from generic code).
/// Clients see it as the item's <c>id</c>, a JSON number or string, and address a detail as <c>{Path}/{id}</c>.
/// </remarks>
public sealed class ReactiveResource<TEntity> : IReactiveResource, IQuerySchema where TEntity : class
{
    private readonly Dictionary<string, ResourceField> _fields = new(StringComparer.Ordinal);
    private readonly List<OrderingTerm> _defaultOrdering = [];
    private readonly List<ResourceField> _partitions = [];
    private readonly Func<TEntity, object> _keyOf;
    private readonly Func<TEntity, string> _keyTextOf;
    private Func<DbContext, IQueryable<TEntity>> _source = db => db.Set<TEntity>();
    private Func<DbContext, string, Expression<Func<TEntity, bool>>>? _visibleTo;
    private Dictionary<string, string> _columns = [];

    /// <summary>A resource whose key is an <see cref="int"/> (a serial or identity column, typically).</summary>
    /// <param name="name">Its name: the path <c>/api/{name}</c>, the observers' resource name, the change keys' prefix.</param>
    /// <param name="key"><c>entity =&gt; entity.Id</c>: the member holding the primary key.</param>
    public ReactiveResource(string name, Expression<Func<TEntity, int>> key)
        : this(name, (LambdaExpression)key)
    {
    }

    /// <summary>A resource whose key is a <see cref="long"/> (a bigint identity column, typically).</summary>
    /// <inheritdoc cref="ReactiveResource{TEntity}(string, Expression{Func{TEntity, int}})" path="/param"/>
    public ReactiveResource(string name, Expression<Func<TEntity, long>> key)
        : this(name, (LambdaExpression)key)
    {
    }

    /// <summary>A resource whose key is a <see cref="Guid"/> (a uuid column), served as a JSON string in the "D" format.</summary>
    /// <inheritdoc cref="ReactiveResource{TEntity}(string, Expression{Func{TEntity, int}})" path="/param"/>
    public ReactiveResource(string name, Expression<Func<TEntity, Guid>> key)
        : this(name, (LambdaExpression)key)
    {
    }

    /// <summary>A resource whose key is a <see cref="string"/> (a natural key such as a code or a slug).</summary>
    /// <inheritdoc cref="ReactiveResource{TEntity}(string, Expression{Func{TEntity, int}})" path="/param"/>
    public ReactiveResource(string name, Expression<Func<TEntity, string>> key)
        : this(name, (LambdaExpression)key)
    {
    }

    private ReactiveResource(string name, LambdaExpression key)
    {
        Name = name;
        Path = $"/api/{name}";
        if (!KeyText.IsSupported(key.ReturnType))
        {
            throw Invalid($"its key '{FieldName(key)}' is of type {key.ReturnType.Name}; keys may be {KeyText.SupportedTypes}.");
        }

        Key = AddField(key);
        var entity = key.Parameters[0];
        _keyOf = Expression.Lambda<Func<TEntity, object>>(Expression.Convert(key.Body, typeof(object)), entity).Compile();
        // The typed overload: every evaluated row's key, with no boxing on the way.
        var toText = typeof(KeyText).GetMethod(nameof(KeyText.Of), [key.ReturnType])!;
        _keyTextOf = Expression.Lambda<Func<TEntity, string>>(Expression.Call(toText, key.Body), entity).Compile();
        _partitions.Add(Key);
    }

    /// <summary>
    /// A resource whose key's type is a type parameter, for code generic over its entities' keys. The type must be one
    /// the constructors take; any other fails here, while the resources are registered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key's type is not int, long, Guid or string; the message names the resource.</exception>
    public static ReactiveResource<TEntity> KeyedBy<TKey>(string name, Expression<Func<TEntity, TKey>> key) => new(name, key);

    public string Name { get; }

    public Type EntityType => typeof(TEntity);

    /// <summary>What one row is called in messages, such as "Task 5 does not exist."; the entity's type name unless set.</summary>
    public string DisplayName { get; private set; } = typeof(TEntity).Name;

    /// <summary>How clients write it through <c>MapReactiveResources</c>; null for a read-only resource.</summary>
    public ResourceWrites<TEntity>? Writes { get; private set; }

    /// <summary>Whether the application maps its endpoints itself, so that <c>MapReactiveResources</c> leaves it out.</summary>
    public bool MappedByHand { get; private set; }

    public string Path { get; private set; }

    public string? Table { get; private set; }

    public TimeSpan? PollInterval { get; private set; }

    /// <summary>The primary key field; it breaks every ordering tie so each order is total.</summary>
    public ResourceField Key { get; }

    /// <summary>The key's type: int, long, Guid or string.</summary>
    public Type KeyType => Key.ValueType;

    public IReadOnlyDictionary<string, ResourceField> Fields => _fields;

    /// <summary>The ordering used when the client names none, always ending with the key.</summary>
    public IReadOnlyList<OrderingTerm> DefaultOrdering =>
        _defaultOrdering.Count > 0 ? _defaultOrdering : [new OrderingTerm(Key.Name, false)];

    /// <summary>The table key: every change of this resource announces it, and unpartitioned observers depend on it.</summary>
    public string TableKey => Name;

    public ReactiveResource<TEntity> WithField<TValue>(Expression<Func<TEntity, TValue>> accessor)
    {
        AddField(accessor);
        return this;
    }

    /// <summary>
    /// Declares a field (a foreign key, typically) that changes announce and queries may depend on, so that a
    /// change re-evaluates only the observers of its own partition: a task moved from board 1 to 2 touches observers of
    /// <c>boardId=1</c> and <c>boardId=2</c>, not those of board 3. Like a key, it is an int, long, Guid or string.
    /// </summary>
    /// <exception cref="InvalidOperationException">The field is of another type; the message names the resource.</exception>
    public ReactiveResource<TEntity> PartitionedBy<TValue>(Expression<Func<TEntity, TValue>> accessor)
    {
        if (!KeyText.IsSupported(typeof(TValue)))
        {
            throw Invalid($"its partition '{FieldName(accessor)}' is of type {typeof(TValue).Name}; partitions may be {KeyText.SupportedTypes}.");
        }

        _partitions.Add(AddField(accessor));
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

    /// <summary>What one row is called in messages (default: the entity's type name).</summary>
    public ReactiveResource<TEntity> DisplayedAs(string displayName)
    {
        DisplayName = displayName;
        return this;
    }

    /// <summary>
    /// Lets clients create, replace, update and delete rows through the mapped REST surface: the fields they may set,
    /// the values the server sets, who may change a row. Without it the resource is read-only.
    /// </summary>
    public ReactiveResource<TEntity> WritableThrough(Action<ResourceWrites<TEntity>> configure)
    {
        var writes = new ResourceWrites<TEntity>();
        configure(writes);
        Writes = writes;
        return this;
    }

    /// <summary>The application maps this resource's endpoints itself (with rules no definition expresses).</summary>
    public ReactiveResource<TEntity> WithOwnEndpoints()
    {
        MappedByHand = true;
        return this;
    }

    /// <summary>Where the API serves the resource, when not <c>/api/{name}</c>.</summary>
    public ReactiveResource<TEntity> ServedAt(string path)
    {
        Path = path;
        return this;
    }

    /// <summary>
    /// A computed resource (a projection or an aggregate) instead of an entity set. No change key announces its changes,
    /// so it must also be <see cref="PolledEvery"/>.
    /// </summary>
    public ReactiveResource<TEntity> ComputedBy(Func<DbContext, IQueryable<TEntity>> source)
    {
        _source = source;
        return this;
    }

    /// <summary>Its observers are evaluated again every <paramref name="interval"/>, shared and diffed like any other.</summary>
    public ReactiveResource<TEntity> PolledEvery(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(100));
        PollInterval = interval;
        return this;
    }

    /// <summary>
    /// Which rows a user may see, as a condition the database evaluates (a membership join, typically). Every read and
    /// every evaluation of an observer applies it with the user the request or the observer runs as, and a change
    /// of that user's access (see <see cref="AccessTable{TEntity}"/>) re-evaluates the user's observers.
    /// </summary>
    public ReactiveResource<TEntity> VisibleTo(Func<DbContext, string, Expression<Func<TEntity, bool>>> rule)
    {
        _visibleTo = rule;
        return this;
    }

    /// <summary>Whether rows are visible per user (<see cref="VisibleTo"/>).</summary>
    public bool IsPerUser => _visibleTo is not null;

    /// <summary>The rows <paramref name="user"/> sees, as the API lists them.</summary>
    public IQueryable<TEntity> Source(DbContext db, string user)
    {
        var rows = _source(db).AsNoTracking();
        return _visibleTo is null ? rows : rows.Where(_visibleTo(db, user));
    }

    /// <summary>The entity's key, a value of <see cref="KeyType"/>.</summary>
    public object KeyOf(TEntity entity) => _keyOf(entity);

    /// <summary>The entity's key in canonical text (<see cref="KeyText"/>), as URLs and change keys spell it.</summary>
    public string KeyTextOf(TEntity entity) => _keyTextOf(entity);

    /// <summary>
    /// Reads a key as a URL spells it (<see cref="KeyText.TryParse"/>); false when it is no key of this resource, such
    /// as <c>abc</c> for an integer key.
    /// </summary>
    public bool TryParseKey(string text, out object key) => KeyText.TryParse(KeyType, text, out key);

    /// <summary>
    /// The tables other than its own that the resource's query reads (its visibility rule's, typically), with the
    /// columns it reads of each (null for all); tables that grant access (<see cref="AccessTable{TEntity}"/>) are
    /// left out, as their changes re-evaluate exactly the observers of the user they name. Known once bound.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>?> ForeignReads { get; private set; } = new Dictionary<string, IReadOnlySet<string>?>();

    /// <summary>Resolves the table and column names from the EF Core model (no query analysis; see <see cref="Bind(DbContext, IReadOnlySet{string})"/>).</summary>
    public void Bind(IModel model)
    {
        if (PollInterval is not null)
        {
            // Computed or polled: no captured change is this resource's.
            return;
        }

        var entity = model.FindEntityType(typeof(TEntity))
            ?? throw Invalid($"its entity {typeof(TEntity).Name} is not in the model (add a DbSet or an entity configuration for it).");
        if (entity.FindPrimaryKey() is { Properties.Count: > 1 } composite)
        {
            throw Invalid($"its entity {typeof(TEntity).Name} has a composite primary key ({string.Join(", ", composite.Properties.Select(property => property.Name))}); "
                + $"a resource's key is one member, of type {KeyText.SupportedTypes}.");
        }

        var table = entity.GetTableName()
            ?? throw Invalid($"its entity {typeof(TEntity).Name} is mapped to no table, so its changes cannot be captured (poll it with PolledEvery).");
        var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in _fields.Values)
        {
            var member = ((MemberExpression)field.Accessor.Body).Member.Name;
            columns[field.Name] = entity.FindProperty(member)?.GetColumnName(store)
                ?? throw Invalid($"its field '{field.Name}' is not a mapped column of {typeof(TEntity).Name}.");
        }

        _columns = columns;
        Table = table;
    }

    /// <summary>
    /// Binds to the model, then checks the definition against the database provider and works out what its query reads:
    /// the visibility rule must translate to SQL, and every table the query reads must be one the model maps.
    /// </summary>
    /// <param name="accessTables">The tables that grant users access, whose changes are matched by user instead.</param>
    /// <exception cref="InvalidOperationException">The definition cannot work; the message names the resource and why.</exception>
    public void Bind(DbContext db, IReadOnlySet<string> accessTables)
    {
        Bind(db.Model);
        var query = Source(db, "\u0001reactiverest:probe\u0001");
        try
        {
            _ = query.ToQueryString();
        }
        catch (Exception exception) when (exception is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw Invalid($"its query cannot be translated to SQL (is the visibility rule a condition the database can evaluate?): {exception.Message}", exception);
        }

        if (PollInterval is not null)
        {
            return;
        }

        IReadOnlyDictionary<string, IReadOnlySet<string>?> reads;
        try
        {
            reads = QueryReads.Of(query.Expression, db.Model);
        }
        catch (NotSupportedException exception)
        {
            throw Invalid(exception.Message, exception);
        }

        ForeignReads = reads.Where(read => read.Key != Table && !accessTables.Contains(read.Key))
            .ToDictionary(read => read.Key, read => read.Value, StringComparer.Ordinal);
    }

    private InvalidOperationException Invalid(string problem, Exception? inner = null) =>
        new($"Reactive resource '{Name}' cannot work: {problem}", inner);

    public ListQuery? ParseQuery(IEnumerable<KeyValuePair<string, StringValues>> parameters, QueryErrors errors, IReadOnlySet<string>? ignored = null) =>
        ListQueryParser.Parse(this, parameters, errors, ignored);

    public async Task<IReadOnlyList<ObservedItem>> EvaluateAsync(DbContext db, ObserverQuery query, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        // A key matches at most one row; no Take(1), which EF Core warns about without an ordering.
        var items = query.Id is { } id
            ? await Source(db, query.Principal).Where(KeyEquals(id)).ToListAsync(cancellationToken)
            : await Source(db, query.Principal).FilterAndOrder(this, query.List!).Page(query.List!).ToListAsync(cancellationToken);
        return [.. items.Select(item => Observed(item, json))];
    }

    private ObservedItem Observed(TEntity item, JsonSerializerOptions json) => new(_keyTextOf(item), JsonSerializer.Serialize(item, json));

    /// <summary>
    /// The query as a member of a batch: what it shares with others of its shape (everything but the value of its
    /// first pinned partition and its user) and what it does not. Null for a computed resource, evaluated alone.
    /// </summary>
    public BatchMember? BatchMemberOf(ObserverQuery query)
    {
        if (PollInterval is not null)
        {
            return null;
        }

        if (query.Id is { } id)
        {
            return new BatchMember(new BatchShape($"{Name}/{{id}}", Key, null), id, query.Principal);
        }

        var list = query.List!;
        foreach (var partition in _partitions)
        {
            if (list.Filters.FirstOrDefault(filter => filter.Field == partition && filter.Lookup == Lookup.Exact) is { } pinned)
            {
                var rest = list with { Filters = [.. list.Filters.Where(filter => !ReferenceEquals(filter, pinned))] };
                return new BatchMember(new BatchShape($"{Name}?{partition.Name}={{pin}}&{CanonicalQuery.Of(rest)}", partition, rest), pinned.Values[0], query.Principal);
            }
        }

        return new BatchMember(new BatchShape($"{Name}?{query.Query}", null, list), 0, query.Principal);
    }

    /// <summary>Evaluates queries of one shape in one statement; the results come in the members' order.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<ObservedItem>>> EvaluateBatchAsync(
        DbContext db, BatchShape shape, IReadOnlyList<BatchMember> members, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var rows = await BatchedQuery.RunAsync(db, this, shape, members, cancellationToken);
        return [.. rows.Select(items => (IReadOnlyList<ObservedItem>)[.. items.Select(item => Observed(item, json))])];
    }

    /// <summary>Whether <paramref name="user"/> sees the row with key <paramref name="id"/> (a foreign key's target, say).</summary>
    public Task<bool> IsVisibleAsync(DbContext db, object id, string user, CancellationToken cancellationToken) =>
        Source(db, user).AnyAsync(KeyEquals(id), cancellationToken);

    /// <summary><c>entity =&gt; entity.Key == id</c>, with the id as a parameter.</summary>
    /// <param name="id">A value of <see cref="KeyType"/>, an int for a long key, or the key's text.</param>
    /// <exception cref="ArgumentException">The id cannot be a key of this resource.</exception>
    public Expression<Func<TEntity, bool>> KeyEquals(object id)
    {
        var key = KeyValue(id);
        var box = Activator.CreateInstance(typeof(StrongBox<>).MakeGenericType(KeyType), key)!;
        var parameter = Expression.Field(Expression.Constant(box), nameof(StrongBox<object>.Value));
        return Expression.Lambda<Func<TEntity, bool>>(Expression.Equal(Key.Accessor.Body, parameter), Key.Accessor.Parameters);
    }

    private object KeyValue(object id) =>
        KeyText.TryConvert(KeyType, id, out var key) ? key : throw new ArgumentException($"'{id}' is not a key of {Name}, whose keys are {KeyType.Name}.", nameof(id));

    public IReadOnlyList<string> DependencyKeys(ObserverQuery query)
    {
        IReadOnlyList<string> data = PollInterval is not null ? []
            : query.Id is { } id ? [ItemKey(id)]
            : DependencyKeys(query.List!);
        IEnumerable<string> foreign = PollInterval is not null ? [] : ForeignReads.Keys.Select(QueryReads.KeyOf);
        return [.. data, .. foreign, .. IsPerUser ? [AccessTables.KeyOf(query.Principal)] : Array.Empty<string>()];
    }

    /// <summary>
    /// The keys a list query's result depends on: the values of the first partition it pins with an exact or
    /// <c>__in</c> filter (the key first), else the whole table.
    /// </summary>
    public IReadOnlyList<string> DependencyKeys(ListQuery query)
    {
        foreach (var partition in _partitions)
        {
            var pinned = query.Filters.FirstOrDefault(filter => filter.Field == partition && filter.Lookup is Lookup.Exact or Lookup.In);
            if (pinned is not null)
            {
                return [.. pinned.Values.Select(value => PartitionKey(partition.Name, KeyText.Of(value))).Distinct()];
            }
        }

        return [TableKey];
    }

    /// <summary>The key a detail GET depends on.</summary>
    public string ItemKey(object id) => PartitionKey(Key.Name, KeyText.Of(KeyValue(id)));

    public IReadOnlyList<string> ChangeKeys(RowChange change)
    {
        var keys = new List<string> { TableKey };
        foreach (var row in new[] { change.Before, change.After })
        {
            if (row is not { } present)
            {
                continue;
            }

            foreach (var partition in _partitions)
            {
                if (ReadColumn(present, partition.Name) is { } value && KeyText.FromJson(value, partition.ValueType) is { } text
                    && PartitionKey(partition.Name, text) is var key && !keys.Contains(key))
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    public bool MayAffect(ObserverQuery query, RowChange change)
    {
        if (change.Table != Table)
        {
            return ForeignReads.TryGetValue(change.Table, out var columns) && QueryReads.MayAffect(columns, change);
        }

        if (query.IdText is { } id)
        {
            return Pins(change.Before, id) || Pins(change.After, id);
        }

        return (change.Before is { } before && RowPredicate.MayMatch(query.List!.Filters, FieldsOf(before)))
            || (change.After is { } after && RowPredicate.MayMatch(query.List!.Filters, FieldsOf(after)));
    }

    /// <summary>A row as the query language sees it: its values by field name.</summary>
    public IReadOnlyDictionary<string, JsonElement> FieldsOf(JsonElement row)
    {
        var fields = new Dictionary<string, JsonElement>(_columns.Count, StringComparer.Ordinal);
        foreach (var (field, column) in _columns)
        {
            if (row.TryGetProperty(column, out var value))
            {
                fields[field] = value;
            }
        }

        return fields;
    }

    private bool Pins(JsonElement? row, string id)
    {
        if (row is not { } present)
        {
            return false;
        }

        // A key that cannot be read might be this item's.
        return ReadColumn(present, Key.Name) is not { } value || KeyText.FromJson(value, KeyType) is not { } key || key == id;
    }

    private JsonElement? ReadColumn(JsonElement row, string field) =>
        _columns.TryGetValue(field, out var column) && row.TryGetProperty(column, out var value) ? value : null;

    /// <param name="value">The value in canonical text (<see cref="KeyText"/>), from a filter and from a captured row alike.</param>
    private string PartitionKey(string field, string value) => $"{Name}:{field}={value}";

    private OrderingTerm ParseDefaultTerm(string term)
    {
        var descending = term.StartsWith('-');
        var field = descending ? term[1..] : term;
        return _fields.ContainsKey(field)
            ? new OrderingTerm(field, descending)
            : throw new ArgumentException($"Unknown field '{field}' in the default ordering of {Name}.");
    }

    private static string FieldName(LambdaExpression accessor) =>
        accessor.Body is MemberExpression member ? JsonNamingPolicy.CamelCase.ConvertName(member.Member.Name) : accessor.Body.ToString();

    private ResourceField AddField(LambdaExpression accessor)
    {
        if (accessor.Body is not MemberExpression)
        {
            throw new ArgumentException("A field accessor must read one member, as in 'task => task.Title'.");
        }

        var name = FieldName(accessor);
        var field = new ResourceField(name, accessor);
        _fields.Add(name, field);
        return field;
    }
}
