namespace ReactiveRest.Engine.Querying;

/// <summary>
/// What the list query language needs of a resource to parse a query against it, so that the language does not
/// depend on how a resource reads its rows.
/// </summary>
public interface IQuerySchema
{
    /// <summary>The resource's name, as error messages call it.</summary>
    string Name { get; }

    IReadOnlyDictionary<string, ResourceField> Fields { get; }

    /// <summary>The primary key, the last term of every ordering so that pages are stable.</summary>
    ResourceField Key { get; }

    IReadOnlyList<OrderingTerm> DefaultOrdering { get; }
}
