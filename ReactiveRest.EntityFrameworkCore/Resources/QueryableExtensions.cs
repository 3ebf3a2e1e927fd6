using System.Linq.Expressions;
using System.Reflection;
using ReactiveRest.Engine.Querying;

namespace ReactiveRest.Engine.Resources;

/// <summary>Translates a <see cref="ListQuery"/> into LINQ so that the database, not the process, filters and orders.</summary>
public static class QueryableExtensions
{
    private static readonly MethodInfo StringToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>Applies the filters and the ordering, not the page: count this, then page it.</summary>
    public static IQueryable<TEntity> FilterAndOrder<TEntity>(this IQueryable<TEntity> source, ReactiveResource<TEntity> resource, ListQuery query)
        where TEntity : class
    {
        var filtered = query.Filters.Aggregate(source, (current, filter) => current.Where(Predicate<TEntity>(filter)));
        return filtered.OrderBy(resource, query.Ordering);
    }

    public static IQueryable<TEntity> Page<TEntity>(this IQueryable<TEntity> source, ListQuery query) =>
        source.Skip(query.Offset).Take(query.Limit);

    public static IQueryable<TEntity> OrderBy<TEntity>(this IQueryable<TEntity> source, ReactiveResource<TEntity> resource, IReadOnlyList<OrderingTerm> ordering)
        where TEntity : class =>
        source.OrderByKeys([.. ordering.Select(term => (resource.Fields[term.Field].Accessor, term.Descending))], continues: false);

    /// <summary>
    /// Orders by each key in turn (lambdas over <typeparamref name="T"/>, each typed with its own return type);
    /// <paramref name="continues"/> appends them to the source's existing ordering instead of starting a new one.
    /// </summary>
    public static IQueryable<T> OrderByKeys<T>(this IQueryable<T> source, IReadOnlyList<(LambdaExpression Key, bool Descending)> keys, bool continues)
    {
        var expression = source.Expression;
        for (var index = 0; index < keys.Count; index++)
        {
            var (key, descending) = keys[index];
            var method = (index == 0 && !continues, descending) switch
            {
                (true, false) => nameof(Queryable.OrderBy),
                (true, true) => nameof(Queryable.OrderByDescending),
                (false, false) => nameof(Queryable.ThenBy),
                (false, true) => nameof(Queryable.ThenByDescending),
            };
            expression = Expression.Call(typeof(Queryable), method, [typeof(T), key.ReturnType], expression, Expression.Quote(key));
        }

        return source.Provider.CreateQuery<T>(expression);
    }

    private static Expression<Func<TEntity, bool>> Predicate<TEntity>(FieldFilter filter)
    {
        var accessor = filter.Field.Accessor;
        var member = accessor.Body;
        var valueType = filter.Field.ValueType;

        Expression body = filter.Lookup switch
        {
            Lookup.Exact => Expression.Equal(member, Parameter(filter.Values[0], valueType)),
            Lookup.In => Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [valueType], TypedList(filter.Values, valueType), member),
            Lookup.IContains => Expression.Call(
                Expression.Call(member, StringToLower),
                StringContains,
                Parameter(((string)filter.Values[0]).ToLowerInvariant(), typeof(string))),
            _ => Compare(filter.Lookup, member, Parameter(filter.Values[0], valueType), valueType),
        };

        return Expression.Lambda<Func<TEntity, bool>>(body, accessor.Parameters);
    }

    private static BinaryExpression Compare(Lookup lookup, Expression left, Expression right, Type valueType)
    {
        if (valueType == typeof(string))
        {
            // string has no < operator in C#; EF translates string.Compare(a, b) > 0 into a > b.
            left = Expression.Call(StringCompare, left, right);
            right = Expression.Constant(0);
        }

        return lookup switch
        {
            Lookup.GreaterThan => Expression.GreaterThan(left, right),
            Lookup.GreaterThanOrEqual => Expression.GreaterThanOrEqual(left, right),
            Lookup.LessThan => Expression.LessThan(left, right),
            Lookup.LessThanOrEqual => Expression.LessThanOrEqual(left, right),
            _ => throw new ArgumentOutOfRangeException(nameof(lookup), lookup, "Not a comparison."),
        };
    }

    /// <summary>
    /// A value read through a closure-like box rather than a constant, so that the database sees a parameter and
    /// reuses one plan for every value.
    /// </summary>
    private static MemberExpression Parameter(object value, Type type)
    {
        var box = Activator.CreateInstance(typeof(ValueBox<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(box), nameof(ValueBox<object>.Value));
    }

    private static MemberExpression TypedList(IReadOnlyList<object> values, Type type)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
        foreach (var value in values)
        {
            list.Add(value);
        }

        return Parameter(list, list.GetType());
    }

    private sealed class ValueBox<T>(T value)
    {
        public T Value { get; } = value;
    }
}
