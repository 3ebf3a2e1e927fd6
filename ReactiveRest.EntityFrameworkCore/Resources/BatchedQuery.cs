using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Resources;

/// <summary>
/// One statement for many queries of the same shape, in the manner of Hasura's multiplexed live queries: the values
/// that differ between them (a pinned partition value, the user whose rights apply) are passed as two arrays, unnested
/// into one row per query, and each row is joined laterally with the shared query written against that row's values.
/// So 100 users watching one board, or one user watching 100 boards, cost one round trip and one plan.
/// </summary>
/// <remarks>
/// <code>
/// SELECT k."Ordinal", t.* FROM (SELECT … FROM unnest(@pins, @principals) WITH ORDINALITY) AS k
/// CROSS JOIN LATERAL (SELECT … FROM tasks WHERE board_id = k."Pin" AND &lt;visible to k."Principal"&gt; AND … ORDER BY … LIMIT … OFFSET …) AS t
/// ORDER BY k."Ordinal", &lt;the query's ordering&gt;
/// </code>
/// </remarks>
public static class BatchedQuery
{
    /// <summary>Stands for the user in the visibility rule until it is replaced by the batch row's user.</summary>
    private const string PrincipalMarker = "\u0001reactiverest:batched-principal\u0001";

    /// <summary>
    /// The rows of every query, in order, each list tagged with its query's position in <paramref name="members"/>.
    /// </summary>
    /// <param name="shape">What every member shares.</param>
    /// <param name="members">Per member: the pinned value (ignored without a pin) and the user.</param>
    public static Task<IReadOnlyList<List<TEntity>>> RunAsync<TEntity>(
        DbContext db,
        ReactiveResource<TEntity> resource,
        BatchShape shape,
        IReadOnlyList<BatchMember> members,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        // The pins travel as an array of the pinned field's own type (int[], bigint[], uuid[], text[]); without a pin, zeros.
        var pinType = shape.Pin?.ValueType ?? typeof(int);
        return pinType == typeof(long) ? RunAsync<TEntity, long>(db, resource, shape, members, cancellationToken)
            : pinType == typeof(Guid) ? RunAsync<TEntity, Guid>(db, resource, shape, members, cancellationToken)
            : pinType == typeof(string) ? RunAsync<TEntity, string>(db, resource, shape, members, cancellationToken)
            : RunAsync<TEntity, int>(db, resource, shape, members, cancellationToken);
    }

    private static async Task<IReadOnlyList<List<TEntity>>> RunAsync<TEntity, TPin>(
        DbContext db,
        ReactiveResource<TEntity> resource,
        BatchShape shape,
        IReadOnlyList<BatchMember> members,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        var pins = members.Select(member => (TPin)member.Pin).ToArray();
        var principals = members.Select(member => member.Principal).ToArray();
        var keys = db.Database.SqlQuery<BatchRowKey<TPin>>(
            $"""SELECT k.ordinal AS "Ordinal", k.pin AS "Pin", k.principal AS "Principal" FROM unnest({pins}, {principals}) WITH ORDINALITY AS k(pin, principal, ordinal)""");

        var key = Expression.Parameter(typeof(BatchRowKey<TPin>), "k");
        var query = resource.Source(db, PrincipalMarker);
        if (shape.Pin is { } pin)
        {
            var equals = Expression.Equal(pin.Accessor.Body, Expression.Property(key, nameof(BatchRowKey<TPin>.Pin)));
            query = query.Where(Expression.Lambda<Func<TEntity, bool>>(equals, pin.Accessor.Parameters));
        }

        if (shape.List is { } list)
        {
            query = query.FilterAndOrder(resource, list).Page(list);
        }

        var memberExpression = new PrincipalBinder(Expression.Property(key, nameof(BatchRowKey<TPin>.Principal))).Visit(query.Expression);
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var collection = Expression.Lambda<Func<BatchRowKey<TPin>, IEnumerable<TEntity>>>(memberExpression, key);
        var tag = Expression.Lambda<Func<BatchRowKey<TPin>, TEntity, BatchRow<TEntity>>>(
            Expression.MemberInit(
                Expression.New(typeof(BatchRow<TEntity>)),
                Expression.Bind(typeof(BatchRow<TEntity>).GetProperty(nameof(BatchRow<TEntity>.Ordinal))!, Expression.Property(key, nameof(BatchRowKey<TPin>.Ordinal))),
                Expression.Bind(typeof(BatchRow<TEntity>).GetProperty(nameof(BatchRow<TEntity>.Item))!, entity)),
            key,
            entity);

        IQueryable<BatchRow<TEntity>> rows = keys.SelectMany(collection, tag).OrderBy(row => row.Ordinal);
        if (shape.List is { } ordered)
        {
            // Each member's rows in its query's order: the lateral subquery's ORDER BY does not order the join's output.
            var tagged = Expression.Parameter(typeof(BatchRow<TEntity>), "row");
            var item = Expression.Property(tagged, nameof(BatchRow<TEntity>.Item));
            LambdaExpression OnItem(LambdaExpression accessor) =>
                Expression.Lambda(new ParameterReplacer(accessor.Parameters[0], item).Visit(accessor.Body), tagged);
            rows = rows.OrderByKeys([.. ordered.Ordering.Select(term => (OnItem(resource.Fields[term.Field].Accessor), term.Descending))], continues: true);
        }

        var results = Enumerable.Range(0, members.Count).Select(_ => new List<TEntity>()).ToList();
        await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            results[(int)row.Ordinal - 1].Add(row.Item);
        }

        return results;
    }

    /// <summary>Replaces the captured user the visibility rule was built with by the batch row's user.</summary>
    private sealed class PrincipalBinder(Expression principal) : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Type == typeof(string) && node.Expression is ConstantExpression { Value: var holder }
                && Read(node.Member, holder) is PrincipalMarker)
            {
                return principal;
            }

            return base.VisitMember(node);
        }

        private static object? Read(System.Reflection.MemberInfo member, object? holder) => member switch
        {
            System.Reflection.FieldInfo field => field.GetValue(holder),
            System.Reflection.PropertyInfo property => property.GetValue(holder),
            _ => null,
        };
    }

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }
}
