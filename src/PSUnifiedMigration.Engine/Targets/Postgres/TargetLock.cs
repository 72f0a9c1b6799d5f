using Npgsql;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// The session-level advisory lock that lets one run, savepoint or restore at a time use a target.
/// Pooled connections keep session locks, so it is released explicitly; a broken connection loses it anyway.
/// </summary>
public sealed class TargetLock : IAsyncDisposable
{
    public const long Key = 0x5053_554D_0001;

    private NpgsqlConnection? _connection;

    private TargetLock(NpgsqlConnection connection) => _connection = connection;

    public static async Task<TargetLock> AcquireAsync(NpgsqlConnection connection, object? target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = Key } } };
        if (!(bool)(await command.ExecuteScalarAsync(cancellationToken))!)
        {
            throw new MigrationException("TargetBusy", MigrationErrorKind.ResourceBusy,
                "Another migration run, savepoint or savepoint restore is using this target. Wait for it to finish, then try again.", target);
        }

        return new TargetLock(connection);
    }

    /// <summary>Releases the lock once; later calls do nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is not { } connection)
        {
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = Key } } };
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The session is gone or unusable, and the lock with it; make sure the pool does not keep the connection.
            await connection.CloseAsync();
        }
    }
}
