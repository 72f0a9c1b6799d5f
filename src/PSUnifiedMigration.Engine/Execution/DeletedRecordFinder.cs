using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Sources;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// Finds the records an earlier run migrated that the source no longer holds. Every key a step reads (migrated or
/// rejected) goes into a temporary table of the run's session with its batch; once the step has read its whole
/// table in this session, the id map's keys of that table missing from it are the deletions. Memory holds none of the keys.
/// </summary>
internal sealed class DeletedRecordFinder
{
    private const string Seen = "pg_temp.psum_seen_keys";
    private static readonly string IdMap = $"{Sql.Quote(UnifiedSchema.DataSchema)}.{Sql.Quote(UnifiedSchema.IdMapTable)}";
    private readonly NpgsqlConnection _connection;

    private DeletedRecordFinder(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Creates the session's key table, outside any transaction so that a rolled-back batch cannot take it away.</summary>
    public static async Task<DeletedRecordFinder> CreateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "CREATE TEMP TABLE IF NOT EXISTS psum_seen_keys (source_name text NOT NULL, source_table text NOT NULL, legacy_id text NOT NULL)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new DeletedRecordFinder(connection);
    }

    /// <summary>Whether an earlier run migrated records of this step: only then can the source have deleted any, and keys are worth keeping.</summary>
    public async Task<bool> EarlierRunsMigratedAsync(SourceStep step, Guid runId, CancellationToken cancellationToken)
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

    /// <summary>How many of the step's migrated records the source no longer holds, and the first <paramref name="listed"/> keys; then forgets the step's keys.</summary>
    public async Task<(long Count, IReadOnlyList<string> Keys)> FindAsync(SourceStep step, int listed, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT m.legacy_id, count(*) OVER () FROM {IdMap} AS m
            WHERE m.source_name = $1 AND m.source_table = $2
              AND NOT EXISTS (SELECT 1 FROM {Seen} AS s WHERE s.source_name = $1 AND s.source_table = $2 AND s.legacy_id = m.legacy_id)
            ORDER BY m.legacy_id LIMIT $3
            """, _connection)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = listed } },
        };
        var keys = new List<string>();
        long count = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
                count = reader.GetInt64(1);
            }
        }

        await using var forget = new NpgsqlCommand($"DELETE FROM {Seen} WHERE source_name = $1 AND source_table = $2", _connection)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable } },
        };
        await forget.ExecuteNonQueryAsync(cancellationToken);
        return (count, keys);
    }
}
