using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Primitives;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// What the reactive layer needs of a resource, whatever its entity type: parse and evaluate its queries, and tell
/// which observers a captured row change can affect.
/// </summary>
public interface IReactiveResource
{
    /// <summary>The resource's name, such as <c>tasks</c>; also its table key among change keys.</summary>
    string Name { get; }

    /// <summary>The entity type its rows are.</summary>
    Type EntityType { get; }

    /// <summary>What one row is called in messages, such as "Task 5 does not exist."</summary>
    string DisplayName { get; }

    /// <summary>The type of its key: int, long, Guid or string.</summary>
    Type KeyType { get; }

    /// <summary>
    /// Whether the user sees the row with this key (a foreign key's target must be visible to the writer); the key is a
    /// value of <see cref="KeyType"/>, an int for a long key, or the key's text.
    /// </summary>
    Task<bool> IsVisibleAsync(DbContext db, object id, string user, CancellationToken cancellationToken);

    /// <summary>Where the API serves it, such as <c>/api/tasks</c>; a detail is <c>{Path}/{id}</c>.</summary>
    string Path { get; }

    /// <summary>The table whose changes are captured, once bound to the model; null for a computed resource.</summary>
    string? Table { get; }

    /// <summary>For data no change key announces (a computed aggregate): its observers are evaluated on this timer.</summary>
    TimeSpan? PollInterval { get; }

    /// <summary>
    /// The tables other than <see cref="Table"/> that its query reads (its visibility rule's), each with the columns it
    /// reads (null for all), access tables left out. Known once bound.
    /// </summary>
    IReadOnlyDictionary<string, IReadOnlySet<string>?> ForeignReads { get; }

    /// <summary>Resolves the table and column names from the EF Core model.</summary>
    void Bind(IModel model);

    /// <summary>Binds to the model and checks the definition; throws, naming the resource, when it cannot work.</summary>
    void Bind(DbContext db, IReadOnlySet<string> accessTables);

    ListQuery? ParseQuery(IEnumerable<KeyValuePair<string, StringValues>> parameters, QueryErrors errors, IReadOnlySet<string>? ignored = null);

    /// <summary>Evaluates an observer's query: the page of a list, or the one item of a detail (empty when it is gone).</summary>
    Task<IReadOnlyList<ObservedItem>> EvaluateAsync(DbContext db, ObserverQuery query, JsonSerializerOptions json, CancellationToken cancellationToken);

    /// <summary>The query as a member of a batch of its shape; null when it must be evaluated alone.</summary>
    BatchMember? BatchMemberOf(ObserverQuery query);

    /// <summary>Evaluates queries of one shape (<see cref="BatchMemberOf"/>) in one statement, in the members' order.</summary>
    Task<IReadOnlyList<IReadOnlyList<ObservedItem>>> EvaluateBatchAsync(
        DbContext db, BatchShape shape, IReadOnlyList<BatchMember> members, JsonSerializerOptions json, CancellationToken cancellationToken);

    /// <summary>The change keys whose writes can affect the query; empty for a polled resource.</summary>
    IReadOnlyList<string> DependencyKeys(ObserverQuery query);

    /// <summary>The change keys a captured row change of its own table announces: the table, and each partition's old and new value.</summary>
    IReadOnlyList<string> ChangeKeys(RowChange change);

    /// <summary>
    /// Whether the row change can alter the query's result: for its own table, the row before or after the write may
    /// match its filters; for another table it reads, a row appeared or went, or a column it reads changed. Never false
    /// when it might (a false true costs one evaluation; a false false loses an update).
    /// </summary>
    bool MayAffect(ObserverQuery query, RowChange change);
}
