using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ReactiveRest.Engine.Resources;

/// <summary>When a client may set a writable field.</summary>
public enum FieldWrite
{
    /// <summary>On create and on every update.</summary>
    Always,

    /// <summary>On create only; an update ignores it, as a read-only field.</summary>
    OnCreate,
}

/// <summary>What a write hook knows: who writes, when (cut to the database's microseconds) and through which context.</summary>
public sealed record WriteContext(string User, DateTimeOffset Now, DbContext Db);

/// <summary>One field clients may write: its JSON name, when, whether a create must give it, and how to set it.</summary>
public sealed class WritableField
{
    internal WritableField(string name, PropertyInfo property, FieldWrite when, bool? required)
    {
        Name = name;
        Property = property;
        When = when;
        RequiredOverride = required;
    }

    public string Name { get; }

    public PropertyInfo Property { get; }

    public FieldWrite When { get; }

    /// <summary>As declared; null to follow the model (a non-nullable text or foreign key is required).</summary>
    public bool? RequiredOverride { get; }
}

/// <summary>
/// How clients write a resource through its mapped REST surface: which fields they may set (validated against the
/// model's own constraints: type, nullability, maximum length, foreign keys to resources the writer may see), what
/// the server sets itself, and who may change or delete a row. Pure data; the HTTP layer carries it out.
/// </summary>
public sealed class ResourceWrites<TEntity> where TEntity : class
{
    private readonly List<WritableField> _fields = [];
    private readonly List<Func<TEntity, WriteContext, CancellationToken, Task>> _onCreate = [];
    private readonly List<Action<TEntity, WriteContext>> _onWrite = [];
    private readonly List<(PropertyInfo Property, Func<TEntity, WriteContext, CancellationToken, Task> Set)> _defaults = [];

    public IReadOnlyList<WritableField> Fields => _fields;

    /// <summary>Who owns a row: only that user may update, replace or delete it; other users who see it get 403.</summary>
    public Func<TEntity, string>? OwnerOf { get; private set; }

    /// <summary>The owner's field name, for the 403's message.</summary>
    public string? OwnerField { get; private set; }

    public ResourceWrites<TEntity> Field<TValue>(Expression<Func<TEntity, TValue>> field, FieldWrite when = FieldWrite.Always, bool? required = null)
    {
        if (field.Body is not MemberExpression { Member: PropertyInfo { CanWrite: true } property })
        {
            throw new ArgumentException("A writable field must be one settable property, as in 'task => task.Title'.", nameof(field));
        }

        _fields.Add(new WritableField(JsonNamingPolicy.CamelCase.ConvertName(property.Name), property, when, required));
        return this;
    }

    /// <summary>
    /// Sets server-side values of a new row before it is saved (its author, its creation time). Rows the hook adds
    /// through <see cref="WriteContext.Db"/> are saved by the same SaveChanges, in one transaction with the new row:
    /// linked to it by a navigation, they get its generated key (a board's first member).
    /// </summary>
    public ResourceWrites<TEntity> OnCreate(Action<TEntity, WriteContext> set)
    {
        _onCreate.Add((entity, context, _) =>
        {
            set(entity, context);
            return Task.CompletedTask;
        });
        return this;
    }

    /// <summary>As <see cref="OnCreate(Action{TEntity, WriteContext})"/>, for a value read from the database.</summary>
    public ResourceWrites<TEntity> OnCreate(Func<TEntity, WriteContext, CancellationToken, Task> set)
    {
        _onCreate.Add(set);
        return this;
    }

    /// <summary>
    /// The value of a field a create leaves out, computed from the new row as the client gave it,
    /// possibly read from the database (a task's position: one past the last of its board). A create that gives the
    /// field keeps the client's value. Runs before the <see cref="OnCreate(Action{TEntity, WriteContext})"/> hooks.
    /// </summary>
    public ResourceWrites<TEntity> DefaultOnCreate<TValue>(Expression<Func<TEntity, TValue>> field, Func<TEntity, WriteContext, CancellationToken, Task<TValue>> value)
    {
        if (field.Body is not MemberExpression { Member: PropertyInfo { CanWrite: true } property })
        {
            throw new ArgumentException("A defaulted field must be one settable property, as in 'task => task.Position'.", nameof(field));
        }

        _defaults.Add((property, async (entity, context, cancellationToken) => property.SetValue(entity, await value(entity, context, cancellationToken))));
        return this;
    }

    /// <summary>Sets server-side values on every create and update (an update time), after the client's fields.</summary>
    public ResourceWrites<TEntity> OnWrite(Action<TEntity, WriteContext> set)
    {
        _onWrite.Add(set);
        return this;
    }

    /// <summary>Only the user this field names may update, replace or delete a row.</summary>
    public ResourceWrites<TEntity> OwnedBy(Expression<Func<TEntity, string>> owner)
    {
        if (owner.Body is not MemberExpression { Member: PropertyInfo property })
        {
            throw new ArgumentException("The owner must be one property, as in 'comment => comment.Author'.", nameof(owner));
        }

        OwnerOf = owner.Compile();
        OwnerField = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        return this;
    }

    /// <summary>Runs the create hooks on a new row the client gave no field of: every default, then OnCreate.</summary>
    public Task CreatingAsync(TEntity entity, WriteContext context, CancellationToken cancellationToken) =>
        CreatingAsync(entity, context, [], cancellationToken);

    /// <summary>Runs the create hooks on a new row whose <paramref name="given"/> fields the client set: defaults for the others, then OnCreate.</summary>
    public async Task CreatingAsync(TEntity entity, WriteContext context, IReadOnlyCollection<PropertyInfo> given, CancellationToken cancellationToken)
    {
        foreach (var (_, set) in _defaults.Where(pair => !given.Any(property => property.Name == pair.Property.Name)))
        {
            await set(entity, context, cancellationToken);
        }

        foreach (var set in _onCreate)
        {
            await set(entity, context, cancellationToken);
        }
    }

    public void Writing(TEntity entity, WriteContext context)
    {
        foreach (var set in _onWrite)
        {
            set(entity, context);
        }
    }
}
