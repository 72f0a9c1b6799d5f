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
                $"Another migration run, savepoint or savepoint restore is using this target ({await HolderAsync(connection, cancellationToken)}). " +
                "Wait for it to finish, then try again; Get-MigrationRun -Target <target> -Watch follows a run.", target);
        }

        return new TargetLock(connection);
    }

    /// <summary>
    /// Who holds the lock, from pg_locks and pg_stat_activity, and the run the journal says is running. A bigint advisory
    /// key shows in pg_locks as classid (high 32 bits), objid (low 32 bits) and objsubid 1. Without the rights to see
    /// another user's session, PostgreSQL hides its details; what is hidden is said so.
    /// </summary>
    private static async Task<string> HolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT a.pid, a.usename, a.application_name, host(a.client_addr), to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ($1 >> 32)::oid AND l.objid = ($1 & 4294967295)::oid AND l.objsubid = 1
            LIMIT 1
            """, connection) { Parameters = { new() { Value = Key } } };
        string holder;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return "its holder has just released it";
            }

            string Text(int i) => reader.IsDBNull(i) || reader.GetValue(i) is "" ? "(not visible to this user)" : reader.GetValue(i).ToString()!;
            holder = $"held by PostgreSQL session pid {Text(0)}, user {Text(1)}, application '{Text(2)}', client {Text(3)}, connected since {Text(4)}";
        }

        var run = await RunJournalReader.RunningRunAsync(connection, cancellationToken);
        return run is null ? holder : $"{holder}; the journal's running run is {run}";
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
