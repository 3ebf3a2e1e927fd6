using Microsoft.EntityFrameworkCore.Metadata;

namespace ReactiveRest.Engine.Resources;

/// <summary>The reactive resources of an application, found by name (an observer's definition) or by table (a captured change).</summary>
public sealed class ResourceCatalog
{
    private readonly Dictionary<string, IReactiveResource> _byName;
    private Dictionary<string, IReactiveResource> _byTable = [];

    public ResourceCatalog(IEnumerable<IReactiveResource> resources)
    {
        All = [.. resources];
        _byName = All.ToDictionary(resource => resource.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<IReactiveResource> All { get; }

    public void Bind(IModel model)
    {
        foreach (var resource in All)
        {
            resource.Bind(model);
        }

        _byTable = All.Where(resource => resource.Table is not null).ToDictionary(resource => resource.Table!, StringComparer.Ordinal);
    }

    public IReactiveResource? Find(string name) => _byName.GetValueOrDefault(name);

    public IReactiveResource? ForTable(string table) => _byTable.GetValueOrDefault(table);
}
