using PSUnifiedMigration.Engine.Records;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// Finds the records an earlier run migrated that the source no longer holds. Every key a step reads (migrated or
/// rejected) goes into a temporary table of the run's session with its batch; once the step has read its whole
/// table in this session, the id map's keys of that table missing from it are the deletions. Memory holds none of the keys.
/// The key table is indexed and analysed before the comparison, so the planner picks a hash (or index) anti-join that is
/// linear in the table; without statistics it guessed a tiny table and nested-looped (42 s at 50,000 chunks, issue 14).
/// </summary>
internal sealed class DeletedRecordFinder
{
    /// <summary>How many deleted records a result lists by key; all of them are counted.</summary>
    private const int Listed = 1000;
    private const string Seen = "pg_temp.psum_seen_keys";
    private static readonly string IdMap = $"{Sql.Quote(UnifiedSchema.DataSchema)}.{Sql.Quote(UnifiedSchema.IdMapTable)}";
    private readonly NpgsqlConnection _connection;

    private DeletedRecordFinder(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Creates the session's key table, outside any transaction so that a rolled-back batch cannot take it away.</summary>
    public static async Task<DeletedRecordFinder> CreateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            CREATE TEMP TABLE IF NOT EXISTS psum_seen_keys (source_name text NOT NULL, source_table text NOT NULL, legacy_id text NOT NULL);
            CREATE INDEX IF NOT EXISTS psum_seen_keys_idx ON pg_temp.psum_seen_keys (source_name, source_table, legacy_id);
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new DeletedRecordFinder(connection);
    }

    /// <summary>
    /// Whether this step can report the records the source deleted since an earlier run: only when an earlier run
    /// migrated some (otherwise there is nothing to delete and no key is worth keeping), and this session reads the
    /// whole table (a step resumed in the middle of it cannot tell).
    /// </summary>
    public async Task<DeletionCheck> BeginStepAsync(SourceStep step, bool readsWholeTable, MigrationResult result, CancellationToken cancellationToken)
    {
        if (!await EarlierRunsMigratedAsync(step, result.RunId, cancellationToken))
        {
            return DeletionCheck.NothingToDelete;
        }

        if (readsWholeTable)
        {
            return DeletionCheck.Tracking;
        }

        result.Warnings.Add($"Step {step.Name} resumed in the middle of its table, so it could not check for records deleted from the source. " +
                            "The next run checks.");
        return DeletionCheck.NotPossible;
    }

    /// <summary>The step's deleted records, counted and listed on the result; null when the step could not check.</summary>
    public async Task<long?> EndStepAsync(SourceStep step, DeletionCheck check, MigrationResult result, CancellationToken cancellationToken)
    {
        if (check != DeletionCheck.Tracking)
        {
            return check == DeletionCheck.NothingToDelete ? 0 : null;
        }

        var (count, keys) = await FindAsync(step, Math.Max(0, Listed - result.Deletions.Count), cancellationToken);
        result.Deletions.AddRange(keys.Select(k => new MigrationDeletedRecord(step.Name, step.SourceTable, k)));
        if (count > 0)
        {
            result.Warnings.Add($"{count} record(s) of {step.Name} that an earlier run migrated are no longer in the source; they stay in the target " +
                                $"(first: {keys[0]}). The result's Deletions lists them.");
        }

        return count;
    }

    private async Task<bool> EarlierRunsMigratedAsync(SourceStep step, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT EXISTS (SELECT 1 FROM {IdMap} WHERE source_name = $1 AND source_table = $2 AND run_id <> $3)", _connection)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = runId } },
        };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Records the keys of a batch; called inside the batch's transaction, so they commit or roll back with it.</summary>
    public async Task RecordAsync(SourceBatch batch, CancellationToken cancellationToken)
    {
        await using var importer = await _connection.BeginBinaryImportAsync(
            $"COPY {Seen} (source_name, source_table, legacy_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var key in batch.Records.Select(r => r.LegacyId).Concat(batch.Rejects.Select(r => r.RecordKey)))
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(batch.Step.SourceName, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(batch.Step.SourceTable, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(key, NpgsqlDbType.Text, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// The set-based comparison: the id map's keys of step $1/$2 without a seen key, counted, the first $3 listed. One
    /// anti-join over both tables, never a probe per key.
    /// </summary>
    internal static readonly string MissingKeysSql = $"""
        SELECT m.legacy_id, count(*) OVER () FROM {IdMap} AS m
        WHERE m.source_name = $1 AND m.source_table = $2
          AND NOT EXISTS (SELECT 1 FROM {Seen} AS s WHERE s.source_name = $1 AND s.source_table = $2 AND s.legacy_id = m.legacy_id)
        ORDER BY m.legacy_id LIMIT $3
        """;

    /// <summary>Gives the planner the key table's true size; autovacuum never analyses a temporary table.</summary>
    internal async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        await using var analyze = new NpgsqlCommand($"ANALYZE {Seen}", _connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How many of the step's migrated records the source no longer holds, and the first <paramref name="listed"/> keys; then forgets the step's keys.</summary>
    private async Task<(long Count, IReadOnlyList<string> Keys)> FindAsync(SourceStep step, int listed, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        long count = 0;
        await DatabaseErrors.TimedAsync($"checking step {step.Name} for records deleted at the source", step.Name, async () =>
        {
            await AnalyzeAsync(cancellationToken);
            await using var command = new NpgsqlCommand(MissingKeysSql, _connection)
            {
                Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = listed } },
            };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
                count = reader.GetInt64(1);
            }

            return count;
        });

        await using var forget = new NpgsqlCommand($"DELETE FROM {Seen} WHERE source_name = $1 AND source_table = $2", _connection)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable } },
        };
        await forget.ExecuteNonQueryAsync(cancellationToken);
        return (count, keys);
    }
}

/// <summary>Whether a step reports the records the source deleted, and why not.</summary>
internal enum DeletionCheck
{
    /// <summary>No earlier run migrated the step's records: none can have been deleted since.</summary>
    NothingToDelete,

    /// <summary>The step's keys are kept as it reads, to compare with the id map at its end.</summary>
    Tracking,

    /// <summary>The step resumed in the middle of its table and cannot tell.</summary>
    NotPossible,
}
