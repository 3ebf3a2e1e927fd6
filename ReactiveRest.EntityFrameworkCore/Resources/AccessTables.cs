using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ReactiveRest.Engine.Resources;

/// <summary>The change key of one user's access: the observers of per-user resources that run as the user depend on it.</summary>
public static class AccessTables
{
    public static string KeyOf(string user) => $"access:user={user}";
}

/// <summary>What the reactive layer needs of a table that grants users access (board memberships, say).</summary>
public interface IAccessTable
{
    /// <summary>The table, once bound to the model.</summary>
    string? Table { get; }

    void Bind(IModel model);

    /// <summary>The access keys of the users a captured change of the table grants or takes access from.</summary>
    IReadOnlyList<string> ChangeKeys(RowChange change);
}

/// <summary>
/// A table whose rows grant a user access to rows of <see cref="ReactiveResource{TEntity}.VisibleTo">per-user</see>
/// resources. Its changes are change keys like any other: adding or removing a row re-evaluates every observer of the
/// user it names, so rows appear in, or disappear from, that user's live lists.
/// </summary>
public sealed class AccessTable<TEntity>(Expression<Func<TEntity, string>> user) : IAccessTable where TEntity : class
{
    private string? _userColumn;

    public string? Table { get; private set; }

    public void Bind(IModel model)
    {
        var entity = model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var table = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(TEntity).Name} has no table.");
        var member = ((MemberExpression)user.Body).Member.Name;
        _userColumn = entity.FindProperty(member)?.GetColumnName(StoreObjectIdentifier.Table(table, entity.GetSchema()))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{member} has no column.");
        Table = table;
    }

    public IReadOnlyList<string> ChangeKeys(RowChange change)
    {
        var keys = new List<string>(2);
        foreach (var row in new[] { change.Before, change.After })
        {
            if (row is { } present && present.TryGetProperty(_userColumn!, out var value) && value.ValueKind == JsonValueKind.String
                && AccessTables.KeyOf(value.GetString()!) is var key && !keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
