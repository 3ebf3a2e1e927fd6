using Microsoft.Extensions.DependencyInjection;

namespace ReactiveRest.AppHost.Infrastructure;

public static class ConnectionStringHealthCheckExtensions
{
    /// <summary>
    /// Gates <c>WaitFor</c> on a health check that connects with the resource's own connection string, once it is
    /// known, as Aspire's Redis and PostgreSQL integrations do for their containers.
    /// </summary>
    /// <param name="addCheck">Registers the check: the builder, the connection string's source, the check's name.</param>
    public static IResourceBuilder<T> WithConnectionStringHealthCheck<T>(
        this IResourceBuilder<T> resource,
        Action<IHealthChecksBuilder, Func<IServiceProvider, string>, string> addCheck)
        where T : IResourceWithConnectionString
    {
        string? connectionString = null;
        resource.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource.Resource, async (_, cancellationToken) =>
            connectionString = await resource.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken));

        var name = $"{resource.Resource.Name}_check";
        addCheck(
            resource.ApplicationBuilder.Services.AddHealthChecks(),
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of {resource.Resource.Name} is not known yet."),
            name);
        return resource.WithHealthCheck(name);
    }
}
