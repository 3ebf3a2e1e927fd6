using Microsoft.EntityFrameworkCore.Metadata;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// The reactive resources of an application, found by name (an observer's definition) or by table (a captured change),
/// and the tables that grant users access to them.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Dictionary<string, IReactiveResource> _byName;
    private Dictionary<string, IReactiveResource> _byTable = [];
    private Dictionary<string, IAccessTable> _accessByTable = [];

    public ResourceCatalog(IEnumerable<IReactiveResource> resources, IEnumerable<IAccessTable>? accessTables = null)
    {
        All = [.. resources];
        AccessTables = [.. accessTables ?? []];
        _byName = All.ToDictionary(resource => resource.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<IReactiveResource> All { get; }

    public IReadOnlyList<IAccessTable> AccessTables { get; }

    public void Bind(IModel model)
    {
        foreach (var resource in All)
        {
            resource.Bind(model);
        }

        foreach (var access in AccessTables)
        {
            access.Bind(model);
        }

        _byTable = All.Where(resource => resource.Table is not null).ToDictionary(resource => resource.Table!, StringComparer.Ordinal);
        _accessByTable = AccessTables.ToDictionary(access => access.Table!, StringComparer.Ordinal);
    }

    public IAccessTable? AccessForTable(string table) => _accessByTable.GetValueOrDefault(table);

    public IReactiveResource? Find(string name) => _byName.GetValueOrDefault(name);

    public IReactiveResource? ForTable(string table) => _byTable.GetValueOrDefault(table);
}
