using Microsoft.EntityFrameworkCore;

namespace ReactiveRest.Api.Extensions;

public static class TransactionExtensions
{
    /// <summary>
    /// Runs bulk statements (ExecuteDelete, raw SQL) in a transaction that the retrying strategy owns, so a retry repeats
    /// all of it, and that carries the request's trace to change capture as SaveChanges does.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await work(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
}
