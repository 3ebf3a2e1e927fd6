using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ReactiveRest.Engine.Protocol;
using ReactiveRest.Engine.Resources;
using ReactiveRest.Engine.Security;

namespace ReactiveRest.Engine.Http;

/// <summary>
/// The whole REST surface of a resource from its definition alone, as the task board's hand-written APIs have it: list
/// (the query language, <c>?observe=</c>), detail, create, replace, update and delete, each as the authenticated user
/// sees it, validated against the model's constraints, answering RFC 9457 problems, described in OpenAPI.
/// </summary>
public static class ResourceApi
{
    /// <summary>Create and update bodies are small; anything larger is refused with 413 before it is read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Maps every registered resource (<see cref="ResourceCatalog"/>) except those the application maps itself
    /// (<see cref="ReactiveResource{TEntity}.WithOwnEndpoints"/>). Binding the catalog here makes a definition that
    /// cannot work fail at start-up.
    /// </summary>
    public static IEndpointRouteBuilder MapReactiveResources(this IEndpointRouteBuilder app)
    {
        var catalog = app.ServiceProvider.GetRequiredService<ResourceCatalog>();
        var map = typeof(ResourceApi).GetMethod(nameof(MapReactiveResource))!;
        foreach (var resource in catalog.All)
        {
            var definition = typeof(ReactiveResource<>).MakeGenericType(resource.EntityType);
            if (definition.IsInstanceOfType(resource) && !(bool)definition.GetProperty(nameof(ReactiveResource<>.MappedByHand))!.GetValue(resource)!)
            {
                try
                {
                    map.MakeGenericMethod(resource.EntityType).Invoke(null, [app, resource]);
                }
                catch (TargetInvocationException exception) when (exception.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception.InnerException);
                }
            }
        }

        return app;
    }

    /// <summary>Maps one resource at its <see cref="IReactiveResource.Path"/>.</summary>
    public static RouteGroupBuilder MapReactiveResource<TEntity>(this IEndpointRouteBuilder app, ReactiveResource<TEntity> resource) where TEntity : class
    {
        var catalog = app.ServiceProvider.GetRequiredService<ResourceCatalog>();
        var contextType = app.ServiceProvider.GetRequiredService<ReactiveDatabase>().ContextType;
        using (var scope = app.ServiceProvider.CreateScope())
        {
            CheckWrites(resource, ((DbContext)scope.ServiceProvider.GetRequiredService(contextType)).Model);
        }

        var plural = Pascal(resource.Name);
        var singular = Pascal(resource.DisplayName);
        var api = app.MapGroup(resource.Path)
            .WithTags(plural)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .RequireAuthorization()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        DbContext Db(HttpContext context) => (DbContext)context.RequestServices.GetRequiredService(contextType);

        api.MapGet("/", (HttpRequest request, CancellationToken cancellationToken) => Db(request.HttpContext).ListAsync(resource, request, cancellationToken))
            .WithName($"List{plural}").WithSummary($"List the {resource.Name} the caller may see, filtered, ordered and paginated")
            .Produces<ListPage<TEntity>>();
        // The route's constraint is the key's type, so an id that is not one (abc for an integer key) matches no route.
        var item = "/{id" + RouteConstraint(resource.KeyType) + "}";
        api.MapGet(item, (string id, HttpRequest request, CancellationToken cancellationToken) =>
                Key(resource, id) is { } key
                    ? Db(request.HttpContext).GetAsync(resource, key, resource.DisplayName, request, cancellationToken)
                    : Task.FromResult(Problems.NotFound(resource.DisplayName, id)))
            .WithName($"Get{singular}").WithSummary($"Get one {resource.DisplayName.ToLowerInvariant()}").Produces<TEntity>();

        if (resource.Writes is null)
        {
            return api;
        }

        api.MapPost("/", (HttpRequest request, TimeProvider time, CancellationToken cancellationToken) =>
                WriteAsync(resource, catalog, null, Write.Create, request, Db(request.HttpContext), time, cancellationToken))
            .WithName($"Create{singular}").WithSummary($"Create a {resource.DisplayName.ToLowerInvariant()}")
            .Accepts<TEntity>("application/json").Produces<TEntity>(StatusCodes.Status201Created);
        api.MapPut(item, (string id, HttpRequest request, TimeProvider time, CancellationToken cancellationToken) =>
                Key(resource, id) is { } key
                    ? WriteAsync(resource, catalog, key, Write.Replace, request, Db(request.HttpContext), time, cancellationToken)
                    : Task.FromResult(Problems.NotFound(resource.DisplayName, id)))
            .WithName($"Replace{singular}").WithSummary($"Replace a {resource.DisplayName.ToLowerInvariant()}")
            .Accepts<TEntity>("application/json").Produces<TEntity>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPatch(item, (string id, HttpRequest request, TimeProvider time, CancellationToken cancellationToken) =>
                Key(resource, id) is { } key
                    ? WriteAsync(resource, catalog, key, Write.Update, request, Db(request.HttpContext), time, cancellationToken)
                    : Task.FromResult(Problems.NotFound(resource.DisplayName, id)))
            .WithName($"Update{singular}").WithSummary($"Update some fields of a {resource.DisplayName.ToLowerInvariant()}")
            .Accepts<TEntity>("application/json").Produces<TEntity>().ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapDelete(item, (string id, HttpContext context, CancellationToken cancellationToken) =>
                Key(resource, id) is { } key ? DeleteAsync(resource, key, context, Db(context), cancellationToken) : Task.FromResult(Problems.NotFound(resource.DisplayName, id)))
            .WithName($"Delete{singular}").WithSummary($"Delete a {resource.DisplayName.ToLowerInvariant()}")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    /// <summary>The route constraint of a key type: <c>:int</c>, <c>:long</c>, <c>:guid</c>, none for a string.</summary>
    private static string RouteConstraint(Type keyType) =>
        keyType == typeof(int) ? ":int" : keyType == typeof(long) ? ":long" : keyType == typeof(Guid) ? ":guid" : "";

    /// <summary>
    /// The route's id as a key, or null when it is none (the constraint lets through only what parses). Kestrel decodes
    /// every escape of the path but %2F, which would split the path; in a text key it is the slash it stands for.
    /// </summary>
    private static object? Key<TEntity>(ReactiveResource<TEntity> resource, string id) where TEntity : class =>
        resource.TryParseKey(resource.KeyType == typeof(string) ? id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : id, out var key) ? key : null;

    private enum Write
    {
        Create,
        Replace,
        Update,
    }

    private static async Task<IResult> WriteAsync<TEntity>(
        ReactiveResource<TEntity> resource, ResourceCatalog catalog, object? id, Write write, HttpRequest request, DbContext db, TimeProvider time, CancellationToken cancellationToken)
        where TEntity : class
    {
        var (fields, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (fields is null)
        {
            return problem!;
        }

        var user = Users.Of(request.HttpContext.User);
        var writes = resource.Writes!;
        TEntity? entity = null;
        if (id is { } existing)
        {
            // Another user's row is "not found": its existence does not leak.
            entity = await resource.Source(db, user).AsTracking().FirstOrDefaultAsync(resource.KeyEquals(existing), cancellationToken);
            if (entity is null)
            {
                return Problems.NotFound(resource.DisplayName, existing);
            }

            if (Forbidden(resource, entity, user, existing) is { } forbidden)
            {
                return forbidden;
            }
        }

        var model = db.Model.FindEntityType(typeof(TEntity))!;
        var values = new List<(WritableField Field, object Value)>();
        foreach (var field in writes.Fields.Where(field => entity is null || field.When == FieldWrite.Always))
        {
            var property = model.FindProperty(field.Property.Name)!;
            if (Read(fields, field, property, required: write != Write.Update && IsRequired(field, property)) is { } value)
            {
                values.Add((field, value));
            }
        }

        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        // A foreign key must name a row the writer sees, or the write would attach to (and reveal) another user's data.
        foreach (var (field, value) in values)
        {
            if (Target(catalog, model, field) is { } target && KeyText.TryConvert(target.KeyType, value, out var key)
                && (entity is null || !Equals(field.Property.GetValue(entity), value))
                && !await target.IsVisibleAsync(db, key, user, cancellationToken))
            {
                fields.Fail(field.Name, $"{target.DisplayName} {key} does not exist.");
            }
        }

        if (fields.Errors.Any)
        {
            return Problems.Validation(fields.Errors);
        }

        var context = new WriteContext(user, time.UtcNowForDatabase(), db);
        var creating = entity is null;
        entity ??= Activator.CreateInstance<TEntity>();
        foreach (var (field, value) in values)
        {
            field.Property.SetValue(entity, value);
        }

        if (creating)
        {
            await writes.CreatingAsync(entity, context, [.. values.Select(pair => pair.Field.Property)], cancellationToken);
            db.Add(entity);
        }

        writes.Writing(entity, context);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another request between our read and our update.
            return Problems.NotFound(resource.DisplayName, id ?? resource.KeyOf(entity));
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            // A target deleted between the check above and the commit.
            foreach (var (field, value) in values.Where(pair => Target(catalog, model, pair.Field) is not null || model.FindProperty(pair.Field.Property.Name)!.IsForeignKey()))
            {
                fields.Fail(field.Name, $"{Target(catalog, model, field)?.DisplayName ?? field.Name} {value} does not exist.");
            }

            return Problems.Validation(fields.Errors);
        }

        return creating ? TypedResults.Created($"{resource.Path}/{Uri.EscapeDataString(resource.KeyTextOf(entity))}", entity) : TypedResults.Ok(entity);
    }

    private static async Task<IResult> DeleteAsync<TEntity>(ReactiveResource<TEntity> resource, object id, HttpContext context, DbContext db, CancellationToken cancellationToken)
        where TEntity : class
    {
        var user = Users.Of(context.User);
        var entity = await resource.Source(db, user).AsTracking().FirstOrDefaultAsync(resource.KeyEquals(id), cancellationToken);
        if (entity is null)
        {
            return Problems.NotFound(resource.DisplayName, id);
        }

        if (Forbidden(resource, entity, user, id) is { } forbidden)
        {
            return forbidden;
        }

        db.Remove(entity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.NotFound(resource.DisplayName, id);
        }

        return TypedResults.NoContent();
    }

    private static IResult? Forbidden<TEntity>(ReactiveResource<TEntity> resource, TEntity entity, string user, object id) where TEntity : class =>
        resource.Writes!.OwnerOf is { } ownerOf && ownerOf(entity) != user
            ? Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                $"Only the {resource.Writes.OwnerField} of {resource.DisplayName.ToLowerInvariant()} {id} may change or delete it.")
            : null;

    /// <summary>The registered resource a foreign key field points at, if any.</summary>
    private static IReactiveResource? Target(ResourceCatalog catalog, IEntityType model, WritableField field) =>
        model.FindProperty(field.Property.Name)?.GetContainingForeignKeys().Select(key => key.PrincipalEntityType.ClrType)
            .SelectMany(type => catalog.All.Where(resource => resource.EntityType == type && resource.PollInterval is null))
            .FirstOrDefault();

    /// <summary>Required unless declared otherwise when the model says it cannot be null and no default fits: text and foreign keys.</summary>
    private static bool IsRequired(WritableField field, IProperty property) =>
        field.RequiredOverride ?? (!property.IsNullable && (property.ClrType == typeof(string) || property.IsForeignKey()));

    private static object? Read(Http.JsonFields fields, WritableField field, IProperty property, bool required)
    {
        var range = field.Property.GetCustomAttribute<RangeAttribute>();
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        return type == typeof(string) ? fields.String(field.Name, required, property.GetMaxLength() ?? int.MaxValue)
            : type == typeof(int) ? fields.Integer(field.Name, required,
                range?.Minimum is int min ? min : int.MinValue, range?.Maximum is int max ? max : int.MaxValue)
            : type == typeof(long) ? fields.Long(field.Name, required)
            : type == typeof(Guid) ? fields.Uuid(field.Name, required)
            : type == typeof(bool) ? fields.Boolean(field.Name, required)
            : throw new InvalidOperationException($"{field.Name} has a type no writer reads.");
    }

    /// <summary>Fails at start-up, naming the resource, for writable fields the model lacks or whose type cannot be read.</summary>
    private static void CheckWrites<TEntity>(ReactiveResource<TEntity> resource, IModel model) where TEntity : class
    {
        if (resource.Writes is null)
        {
            return;
        }

        var entity = model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"Reactive resource '{resource.Name}' cannot work: its entity {typeof(TEntity).Name} is not in the model.");
        foreach (var field in resource.Writes.Fields)
        {
            var property = entity.FindProperty(field.Property.Name)
                ?? throw new InvalidOperationException($"Reactive resource '{resource.Name}' cannot work: its writable field '{field.Name}' is not a mapped property.");
            var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            if (type != typeof(string) && type != typeof(int) && type != typeof(long) && type != typeof(Guid) && type != typeof(bool))
            {
                throw new InvalidOperationException(
                    $"Reactive resource '{resource.Name}' cannot work: its writable field '{field.Name}' is a {type.Name}; clients may write text, 32- and 64-bit integers, UUIDs and booleans (set other values in OnCreate or OnWrite).");
            }
        }
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];
}
