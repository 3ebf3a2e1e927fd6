using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ReactiveRest.Engine.Resources;

/// <summary>The application's DbContext, as the domain-agnostic engine evaluates queries with it (one pooled context per evaluation).</summary>
public sealed class ReactiveDatabase(IServiceScopeFactory scopes, Type contextType)
{
    /// <summary>The application's DbContext type, as a request resolves it from its own scope.</summary>
    public Type ContextType => contextType;

    public async Task<T> RunAsync<T>(Func<DbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work((DbContext)scope.ServiceProvider.GetRequiredService(contextType));
    }
}
