using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// What writing one batch did, beyond what the reader already rejected: <paramref name="Rejects"/> are the records the
/// target refused (a dangling reference, or a value or key PostgreSQL would not take, isolated by <see cref="TargetRefusals"/>).
/// </summary>
public sealed record BatchOutcome(long Migrated, long Skipped, long IdCollisions, IReadOnlyList<RejectedRecord> Rejects)
{
    public static BatchOutcome Empty { get; } = new(0, 0, 0, []);

    public BatchOutcome Plus(BatchOutcome other) =>
        new(Migrated + other.Migrated, Skipped + other.Skipped, IdCollisions + other.IdCollisions, [.. Rejects, .. other.Rejects]);
}

/// <summary>
/// Writes a batch into a unified table inside the caller's transaction: binary COPY into a temp
/// staging table, reject rows whose parents are missing, assign ids through the id map, then an
/// upsert that changes nothing when the row is already identical (so re-runs add nothing).
/// </summary>
internal sealed class BatchWriter(NpgsqlConnection connection, VectorStorage vectorStorage)
{
    private const string Attempt = "psum_batch_attempt";
    private static readonly string U = Sql.Quote(UnifiedSchema.DataSchema);
    private static readonly string IdMap = $"{U}.{Sql.Quote(UnifiedSchema.IdMapTable)}";
    private static readonly string BeforeImages = Sql.Qualified(UnifiedSchema.BookkeepingSchema, UnifiedSchema.BeforeImagesTable);
    private readonly HashSet<string> _stagingCreated = [];

    /// <summary>
    /// Writes the batch in one go (the fast path, one savepoint more). When PostgreSQL refuses it for a record's sake
    /// (a key too long for its index, two keys meeting on one row, a unique id taken), the attempt is rolled back
    /// and each half written again, down to the single records that are refused: those become rejects naming the
    /// record, and every other record of the batch is written.
    /// </summary>
    public async Task<BatchOutcome> WriteAsync(NpgsqlTransaction transaction, Guid runId, SourceBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Records.Count == 0)
        {
            return BatchOutcome.Empty;
        }

        var stage = await PrepareStagingAsync(transaction, batch.Step.Target, cancellationToken);
        return await WriteIsolatingAsync(transaction, stage, runId, batch, cancellationToken);
    }

    private async Task<BatchOutcome> WriteIsolatingAsync(NpgsqlTransaction transaction, string stage, Guid runId, SourceBatch batch, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync(Attempt, cancellationToken);
        try
        {
            var outcome = await WriteOnceAsync(transaction, stage, runId, batch, cancellationToken);
            await transaction.ReleaseAsync(Attempt, cancellationToken);
            return outcome;
        }
        catch (PostgresException e) when (TargetRefusals.IsRecordFault(e))
        {
            await transaction.RollbackAsync(Attempt, cancellationToken);
            await transaction.ReleaseAsync(Attempt, cancellationToken);
            if (batch.Records.Count == 1)
            {
                return BatchOutcome.Empty with { Rejects = [TargetRefusals.Reject(batch.Records[0], e)] };
            }

            var half = batch.Records.Count / 2;
            var first = await WriteIsolatingAsync(transaction, stage, runId, batch with { Records = batch.Records.Take(half).ToArray() }, cancellationToken);
            // The staging table empties only at commit: the second half must not see the first half's rows.
            await ExecuteAsync(transaction, $"DELETE FROM {stage}", cancellationToken);
            var second = await WriteIsolatingAsync(transaction, stage, runId, batch with { Records = batch.Records.Skip(half).ToArray() }, cancellationToken);
            return first.Plus(second);
        }
    }

    private async Task<BatchOutcome> WriteOnceAsync(NpgsqlTransaction transaction, string stage, Guid runId, SourceBatch batch, CancellationToken cancellationToken)
    {
        await CopyAsync(stage, batch.Step.Target, batch.Records, cancellationToken);
        var dangling = await RemoveDanglingAsync(transaction, stage, batch, cancellationToken);
        var collisions = await AssignIdsAsync(transaction, stage, batch, runId, cancellationToken);
        var staged = batch.Records.Count - dangling.Count;
        var migrated = await UpsertAsync(transaction, stage, batch, runId, cancellationToken);
        return new BatchOutcome(migrated, staged - migrated, collisions, dangling);
    }

    private async Task<string> PrepareStagingAsync(NpgsqlTransaction transaction, UnifiedTable table, CancellationToken cancellationToken)
    {
        var stage = Sql.Quote("psum_stage_" + table.Name);
        if (_stagingCreated.Add(table.Name))
        {
            var columns = new List<string> { "candidate_id uuid", "alternate_id uuid" };
            columns.AddRange(table.Columns.Select(c => $"{Sql.Quote(c.Name)} {StagingType(c.Kind)}"));
            columns.AddRange(table.References.SelectMany(r => new[] { $"{RefTable(r)} text", $"{RefKey(r)} text" }));
            await ExecuteAsync(transaction,
                $"CREATE TEMP TABLE IF NOT EXISTS {stage} ({string.Join(", ", columns)}) ON COMMIT DELETE ROWS", cancellationToken);
        }

        return "pg_temp." + stage;
    }

    private async Task CopyAsync(string stage, UnifiedTable table, IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        var columns = new List<string> { "candidate_id", "alternate_id" };
        columns.AddRange(table.Columns.Select(c => c.Name));
        var copyColumns = string.Join(", ", columns.Select(Sql.Quote).Concat(table.References.SelectMany(r => new[] { RefTable(r), RefKey(r) })));
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {stage} ({copyColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var record in records)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(record.CandidateId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(record.AlternateId, NpgsqlDbType.Uuid, cancellationToken);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                await WriteValueAsync(importer, record.Values[i], table.Columns[i].Kind, cancellationToken);
            }

            foreach (var reference in record.References)
            {
                await WriteValueAsync(importer, reference?.SourceTable, ColumnKind.Text, cancellationToken);
                await WriteValueAsync(importer, reference?.LegacyId, ColumnKind.Text, cancellationToken);
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task WriteValueAsync(NpgsqlBinaryImporter importer, object? value, ColumnKind kind, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
            return;
        }

        switch (kind)
        {
            case ColumnKind.Text or ColumnKind.Json:
                await importer.WriteAsync((string)value, NpgsqlDbType.Text, cancellationToken);
                break;
            case ColumnKind.Boolean:
                await importer.WriteAsync((bool)value, NpgsqlDbType.Boolean, cancellationToken);
                break;
            case ColumnKind.Integer:
                await importer.WriteAsync((int)value, NpgsqlDbType.Integer, cancellationToken);
                break;
            case ColumnKind.Timestamp:
                // PostgreSQL's own microsecond count: every legal timestamp, BC dates, year 294276 and ±infinity, arrives as it was.
                await importer.WriteAsync(((ExactTimestamp)value).Microseconds, NpgsqlDbType.TimestampTz, cancellationToken);
                break;
            case ColumnKind.Uuid:
                await importer.WriteAsync((Guid)value, NpgsqlDbType.Uuid, cancellationToken);
                break;
            case ColumnKind.Vector or ColumnKind.CollectionVector:
                await importer.WriteAsync((float[])value, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>
    /// Removes and returns staged rows that point at a parent this source never migrated. A parent staged in the
    /// same batch (a user's tenant, both principals) counts as present; when such a parent is itself removed,
    /// the next pass removes its children, until a pass removes nothing.
    /// </summary>
    private async Task<List<RejectedRecord>> RemoveDanglingAsync(NpgsqlTransaction transaction, string stage, SourceBatch batch, CancellationToken cancellationToken)
    {
        var rejects = new List<RejectedRecord>();
        foreach (var reference in batch.Step.Target.References)
        {
            int removed;
            do
            {
                await using var command = new NpgsqlCommand($"""
                    DELETE FROM {stage} AS s
                    WHERE s.{RefKey(reference)} IS NOT NULL
                      AND NOT EXISTS (
                        SELECT 1 FROM {IdMap} AS m
                        WHERE m.source_name = $1 AND m.source_table = s.{RefTable(reference)} AND m.legacy_id = s.{RefKey(reference)})
                      AND NOT (s.{RefTable(reference)} = $2 AND EXISTS (SELECT 1 FROM {stage} AS p WHERE p.legacy_id = s.{RefKey(reference)}))
                    RETURNING s.legacy_id, s.{RefTable(reference)}, s.{RefKey(reference)}
                    """, connection, transaction)
                {
                    Parameters = { new() { Value = batch.Step.SourceName }, new() { Value = batch.Step.SourceTable } },
                };
                removed = 0;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    removed++;
                    rejects.Add(new RejectedRecord(batch.Step.SourceTable, reader.GetString(0), reference.Column,
                        $"refers to {reader.GetString(1)} record {reader.GetString(2)}, which is missing from the source or was itself rejected. " +
                        "Restore the parent record, or fix or clear the reference.", "ReferenceDangling"));
                }
            }
            while (removed > 0 && reference.ParentTable == batch.Step.Target.Name);
        }

        return rejects;
    }

    /// <summary>Maps each staged legacy id to its unified id once; returns how many took a name-based id after a collision.</summary>
    private async Task<long> AssignIdsAsync(NpgsqlTransaction transaction, string stage, SourceBatch batch, Guid runId, CancellationToken cancellationToken)
    {
        await using (var insert = new NpgsqlCommand($"""
            INSERT INTO {IdMap} (source_name, source_table, legacy_id, target_table, unified_id, system_origin, run_id)
            SELECT @source, @source_table, s.legacy_id, @target_table,
                   CASE WHEN s.candidate_rank > 1
                          OR EXISTS (SELECT 1 FROM {IdMap} AS o WHERE o.target_table = @target_table AND o.unified_id = s.candidate_id)
                        THEN s.alternate_id ELSE s.candidate_id END,
                   s.system_origin, @run
            -- Two records of one batch can share a candidate (the same UUID spelt in two cases); the later one takes its alternate.
            FROM (SELECT *, row_number() OVER (PARTITION BY candidate_id ORDER BY legacy_id) AS candidate_rank
                  FROM {stage} AS staged
                  WHERE NOT EXISTS (SELECT 1 FROM {IdMap} AS known
                                    WHERE known.source_name = @source AND known.source_table = @source_table AND known.legacy_id = staged.legacy_id)) AS s
            ON CONFLICT (source_name, source_table, legacy_id) DO NOTHING
            """, connection, transaction))
        {
            AddStepParameters(insert, batch, runId);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand($"""
            SELECT count(*) FROM {stage} AS s
            JOIN {IdMap} AS m ON m.source_name = @source AND m.source_table = @source_table AND m.legacy_id = s.legacy_id
            WHERE m.unified_id = s.alternate_id
            """, connection, transaction);
        AddStepParameters(command, batch, runId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<int> UpsertAsync(NpgsqlTransaction transaction, string stage, SourceBatch batch, Guid runId, CancellationToken cancellationToken)
    {
        var table = batch.Step.Target;
        var dataColumns = table.Columns.Select(c => Sql.Quote(c.Name)).ToList();
        var referenceColumns = table.References.Select(r => Sql.Quote(r.Column)).ToList();
        var compared = dataColumns.Concat(referenceColumns).ToList();
        var selectValues = table.Columns.Select(c => $"s.{Sql.Quote(c.Name)}" + TargetCast(c.Kind))
            .Concat(table.References.Select((_, i) => $"r{i}.unified_id"));
        var joins = string.Concat(table.References.Select((r, i) =>
            $"\nLEFT JOIN {IdMap} AS r{i} ON r{i}.source_name = @source AND r{i}.source_table = s.{RefTable(r)} AND r{i}.legacy_id = s.{RefKey(r)}"));
        // Every statement of the WITH sees the rows as they were before it, so 'before' reads the previous version of each
        // row the upsert changed: its before-image, kept so the run can be undone. A row this run already wrote keeps its first image.
        await using var command = new NpgsqlCommand($"""
            WITH changed AS (
                INSERT INTO {U}.{Sql.Quote(table.Name)} AS t (id, {string.Join(", ", compared)}, run_id)
                SELECT m.unified_id, {string.Join(", ", selectValues)}, @run
                FROM {stage} AS s
                JOIN {IdMap} AS m ON m.source_name = @source AND m.source_table = @source_table AND m.legacy_id = s.legacy_id{joins}
                ON CONFLICT (id) DO UPDATE SET {string.Join(", ", compared.Select(c => $"{c} = EXCLUDED.{c}"))}, run_id = EXCLUDED.run_id
                WHERE t.source_name = EXCLUDED.source_name AND t.legacy_id = EXCLUDED.legacy_id
                  AND ({string.Join(", ", compared.Select(c => "t." + c))}) IS DISTINCT FROM ({string.Join(", ", compared.Select(c => "EXCLUDED." + c))})
                RETURNING t.id),
            images AS (
                INSERT INTO {BeforeImages} (run_id, target_table, row_id, previous_run_id, image)
                SELECT @run, @target_table, before.id, before.run_id, to_jsonb(before)
                FROM {U}.{Sql.Quote(table.Name)} AS before JOIN changed ON changed.id = before.id
                WHERE before.run_id <> @run
                ON CONFLICT (run_id, target_table, row_id) DO NOTHING)
            SELECT count(*)::int FROM changed
            """, connection, transaction);
        AddStepParameters(command, batch, runId);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void AddStepParameters(NpgsqlCommand command, SourceBatch batch, Guid runId)
    {
        command.Parameters.AddWithValue("source", batch.Step.SourceName);
        command.Parameters.AddWithValue("source_table", batch.Step.SourceTable);
        command.Parameters.AddWithValue("target_table", batch.Step.Target.Name);
        command.Parameters.AddWithValue("run", runId);
    }

    private async Task ExecuteAsync(NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string TargetCast(ColumnKind kind) => kind switch
    {
        ColumnKind.Json => "::jsonb",
        ColumnKind.Vector or ColumnKind.CollectionVector when vectorStorage.Pgvector => "::vector",
        _ => "",
    };

    private static string StagingType(ColumnKind kind) => kind switch
    {
        ColumnKind.Json => "text",
        ColumnKind.Vector or ColumnKind.CollectionVector => "real[]",
        _ => UnifiedSchemaInstaller.ColumnType(kind, new VectorStorage(false, null)),
    };

    private static string RefTable(UnifiedReference reference) => Sql.Quote("ref_table_" + reference.Column);

    private static string RefKey(UnifiedReference reference) => Sql.Quote("ref_key_" + reference.Column);
}
