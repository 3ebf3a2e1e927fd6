using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ReactiveRest.Engine.Changes;

/// <summary>
/// Hands the current trace to the change-capture trigger: every write runs in a transaction (SaveChanges is made to
/// open one), and each transaction sets <see cref="ChangeCapture.TraceSetting"/> for the trigger to record. Thus one
/// write is one trace from the HTTP request to the WebSocket push, even though the change travels through PostgreSQL.
/// </summary>
public sealed class TraceContextInterceptor : DbTransactionInterceptor, ISaveChangesInterceptor
{
    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Activity.Current is not null && eventData.Context is { } context)
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }

        return ValueTask.FromResult(result);
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        if (Activity.Current?.Id is { } traceParent)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = result;
            command.CommandText = $"SELECT set_config('{ChangeCapture.TraceSetting}', @traceparent, true)";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "traceparent";
            parameter.Value = traceParent;
            command.Parameters.Add(parameter);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return result;
    }
}
