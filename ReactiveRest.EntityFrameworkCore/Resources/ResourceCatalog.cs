using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// The reactive resources of an application, found by name (an observer's definition) or by table (a captured change),
/// and the tables that grant users access to them. Several resources may share a table, and a resource may read other
/// tables than its own (its visibility rule's): each such table's changes announce <see cref="QueryReads.KeyOf"/>.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Dictionary<string, IReactiveResource> _byName;
    private Dictionary<string, IReactiveResource[]> _byTable = [];
    private Dictionary<string, IAccessTable> _accessByTable = [];
    private HashSet<string> _readElsewhere = [];

    public ResourceCatalog(IEnumerable<IReactiveResource> resources, IEnumerable<IAccessTable>? accessTables = null)
    {
        All = [.. resources];
        AccessTables = [.. accessTables ?? []];
        var duplicate = All.GroupBy(resource => resource.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two reactive resources are named '{duplicate.Key}': names must be unique.");
        }

        _byName = All.ToDictionary(resource => resource.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<IReactiveResource> All { get; }

    public IReadOnlyList<IAccessTable> AccessTables { get; }

    /// <summary>Every table whose changes must be captured: the resources' own, those their queries read, the access tables.</summary>
    public IReadOnlyList<string> CapturedTables { get; private set; } = [];

    /// <summary>Binds to the model only (no query analysis): for tests of matching on a hand-made model.</summary>
    public void Bind(IModel model)
    {
        foreach (var access in AccessTables)
        {
            access.Bind(model);
        }

        foreach (var resource in All)
        {
            resource.Bind(model);
        }

        Index();
    }

    /// <summary>
    /// Binds every resource to the context's model and checks its definition against the provider; throws, naming the
    /// resource and the problem, for one that cannot work, so that a bad definition fails at start-up.
    /// </summary>
    public void Bind(DbContext db)
    {
        foreach (var access in AccessTables)
        {
            access.Bind(db.Model);
        }

        var accessTables = AccessTables.Select(access => access.Table!).ToHashSet(StringComparer.Ordinal);
        foreach (var resource in All)
        {
            resource.Bind(db, accessTables);
        }

        Index();
    }

    private void Index()
    {
        _byTable = All.Where(resource => resource.Table is not null)
            .GroupBy(resource => resource.Table!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToArray(), StringComparer.Ordinal);
        _accessByTable = AccessTables.ToDictionary(access => access.Table!, StringComparer.Ordinal);
        _readElsewhere = All.SelectMany(resource => resource.ForeignReads.Keys).ToHashSet(StringComparer.Ordinal);
        CapturedTables = [.. _byTable.Keys.Concat(_readElsewhere).Concat(_accessByTable.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public IAccessTable? AccessForTable(string table) => _accessByTable.GetValueOrDefault(table);

    public IReactiveResource? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The resources whose own table this is.</summary>
    public IReadOnlyList<IReactiveResource> ForTable(string table) => _byTable.GetValueOrDefault(table) ?? [];

    /// <summary>Whether a change of the table can matter to some resource's observers (access tables aside).</summary>
    public bool Matters(string table) => _byTable.ContainsKey(table) || _readElsewhere.Contains(table);

    /// <summary>
    /// The change keys a captured change announces to resources' observers: each resource's own keys for its table,
    /// and the table's read key when some resource's query reads it. Access keys come from <see cref="AccessForTable"/>.
    /// </summary>
    public IEnumerable<string> ChangeKeys(RowChange change)
    {
        foreach (var resource in ForTable(change.Table))
        {
            foreach (var key in resource.ChangeKeys(change))
            {
                yield return key;
            }
        }

        if (_readElsewhere.Contains(change.Table))
        {
            yield return QueryReads.KeyOf(change.Table);
        }
    }
}
