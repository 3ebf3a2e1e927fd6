using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// The tables a query reads, and which of their columns, worked out from the query's own LINQ expression against the
/// EF Core model, as django-rest-framework-reactive records every table a query touches. A table is read when the
/// expression holds a query of its entity (a <c>DbSet</c>, <c>db.Set&lt;T&gt;()</c>, a query root, a captured query) or
/// follows a navigation to it; a column is read when a member of its entity is. A table of which no column is read is
/// still read for its rows' existence (<c>db.Set&lt;T&gt;().Any()</c>): only inserts and deletes can change that.
/// </summary>
public static class QueryReads
{
    /// <summary>The change key every captured change of a table announces when some resource's query reads the table.</summary>
    public static string KeyOf(string table) => $"table:{table}";

    /// <summary>
    /// Whether a change of a table the query reads (not its resource's own) can alter the query's result: an insert or
    /// a delete can (a row appears or goes), an update only when it changes a column the query reads.
    /// </summary>
    /// <param name="columns">The columns read; null for all.</param>
    public static bool MayAffect(IReadOnlySet<string>? columns, RowChange change)
    {
        if (change.Before is not { } before || change.After is not { } after)
        {
            return true;
        }

        if (columns is null)
        {
            return true;
        }

        foreach (var column in columns)
        {
            var had = before.TryGetProperty(column, out var old);
            var has = after.TryGetProperty(column, out var now);
            if (had != has || (had && !System.Text.Json.JsonElement.DeepEquals(old, now)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every table <paramref name="query"/> reads: table name → the columns read, or null when all of them may be.</summary>
    /// <exception cref="NotSupportedException">The query reads something whose tables the model cannot name (raw SQL, a view).</exception>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>?> Of(Expression query, IModel model)
    {
        var visitor = new ReadVisitor(model);
        visitor.Visit(query);
        return visitor.Result();
    }

    private sealed class ReadVisitor(IModel model) : ExpressionVisitor
    {
        private static readonly MethodInfo SetMethod = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!;

        private readonly Dictionary<string, HashSet<string>?> _tables = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, IReadOnlySet<string>?> Result() =>
            _tables.ToDictionary(pair => pair.Key, pair => (IReadOnlySet<string>?)pair.Value, StringComparer.Ordinal);

        public override Expression? Visit(Expression? node)
        {
            if (node is not null && EntityOfQueryable(node.Type) is { } queried)
            {
                Table(queried);
            }

            return base.Visit(node);
        }

        protected override Expression VisitExtension(Expression node)
        {
            switch (node)
            {
                case EntityQueryRootExpression root when root.GetType() == typeof(EntityQueryRootExpression):
                    Table(root.EntityType);
                    return node;
                case QueryRootExpression other:
                    // Raw SQL (FromSql), a table-valued function: what they read is not in the model.
                    throw new NotSupportedException($"its query reads {other.GetType().Name.Replace("QueryRootExpression", "", StringComparison.Ordinal)} ({other}), whose tables cannot be known.");
                default:
                    return base.VisitExtension(node);
            }
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.IsGenericMethod && node.Method.GetGenericMethodDefinition() == SetMethod && Entity(node.Method.GetGenericArguments()[0]) is { } set)
            {
                // db.Set<T>() on a captured context: EF Core turns it into a query root when it compiles the query.
                Table(set);
                return node;
            }

            return base.VisitMethodCall(node);
        }

        /// <summary>Lambda parameters are declarations, not reads of their whole entity.</summary>
        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            Visit(node.Body);
            return node;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            // An entity used whole (compared, projected, passed on): any of its columns may matter.
            if (Entity(node.Type) is { } whole)
            {
                AllColumns(whole);
            }

            return node;
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression is { } owner && Entity(owner.Type) is { } entity)
            {
                if (entity.FindProperty(node.Member.Name) is { } property)
                {
                    Column(entity, property);
                }
                else if (entity.FindNavigation(node.Member.Name) is { } navigation)
                {
                    // Following a navigation joins its target table on the foreign key's columns.
                    foreach (var key in navigation.ForeignKey.Properties)
                    {
                        Column(navigation.ForeignKey.DeclaringEntityType, key);
                    }

                    foreach (var key in navigation.ForeignKey.PrincipalKey.Properties)
                    {
                        Column(navigation.ForeignKey.PrincipalEntityType, key);
                    }

                    Table(navigation.TargetEntityType);
                }
                else
                {
                    AllColumns(entity);
                }

                // The owner is read through this member only, not whole.
                return owner is ParameterExpression ? node : node.Update(Visit(owner));
            }

            if (node.Expression is ConstantExpression closure && typeof(IQueryable).IsAssignableFrom(node.Type)
                && Read(node.Member, closure.Value) is IQueryable captured)
            {
                // A query captured by the rule's closure (a DbSet property, a composed query): its own expression.
                Visit(captured.Expression);
                return node;
            }

            return base.VisitMember(node);
        }

        protected override Expression VisitConstant(ConstantExpression node)
        {
            if (node.Value is IQueryable captured && captured.Expression != node)
            {
                Visit(captured.Expression);
            }

            return node;
        }

        private static object? Read(MemberInfo member, object? target) => member switch
        {
            FieldInfo field => field.GetValue(target),
            PropertyInfo property => property.GetValue(target),
            _ => null,
        };

        private IEntityType? Entity(Type type) => model.FindEntityType(type);

        private IEntityType? EntityOfQueryable(Type type)
        {
            var queryable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IQueryable<>) ? type
                : type.GetInterfaces().FirstOrDefault(candidate => candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IQueryable<>));
            return queryable is null ? null : Entity(queryable.GetGenericArguments()[0]);
        }

        private string TableOf(IEntityType entity) => entity.GetTableName()
            ?? throw new NotSupportedException($"its query reads {entity.DisplayName()}, which is mapped to no table (a view or a query), so its changes cannot be captured.");

        private void Table(IEntityType entity)
        {
            var table = TableOf(entity);
            _tables.TryAdd(table, []);
        }

        private void AllColumns(IEntityType entity) => _tables[TableOf(entity)] = null;

        private void Column(IEntityType entity, IProperty property)
        {
            var table = TableOf(entity);
            if (!_tables.TryGetValue(table, out var columns))
            {
                _tables[table] = columns = [];
            }

            if (columns is not null && property.GetColumnName(StoreObjectIdentifier.Table(table, entity.GetSchema())) is { } column)
            {
                columns.Add(column);
            }
        }
    }
}
