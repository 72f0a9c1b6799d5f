using System.Data;
using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>The one way a source is read: a REPEATABLE READ READ ONLY transaction, so every page sees the same snapshot and nothing can be written.</summary>
internal static class ReadSnapshot
{
    public static async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction);
        await readOnly.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }
}
