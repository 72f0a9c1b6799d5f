using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>What the target holds of one step, measured against the step's source keys.</summary>
internal sealed record StepTally(long TargetRows, long RejectedByWriter, long Extra);

/// <summary>
/// The legacy ids of a step's transformed source records, binary-COPYed page by page into a temp table on the target,
/// so that counts, the records the writer rejected, and the target's extra records are found by joins inside
/// PostgreSQL rather than in memory.
/// </summary>
internal sealed class StepKeys(ValidationContext context, SourceStep step)
{
    private const string Keys = "pg_temp.psum_validate_keys";
    private static readonly string Rejects = $"{Sql.Quote(UnifiedSchema.BookkeepingSchema)}.rejects";

    /// <summary>The keys are only ever matched by equality; a hash index takes any key length (a btree row stops at 2,704 bytes).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await context.ExecuteAsync($"""
            CREATE TEMP TABLE IF NOT EXISTS psum_validate_keys (legacy_id text NOT NULL);
            CREATE INDEX IF NOT EXISTS psum_validate_keys_legacy_id ON {Keys} USING hash (legacy_id);
            TRUNCATE {Keys};
            """, cancellationToken);
    }

    public async Task AddAsync(IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        await using var importer = await context.Target.BeginBinaryImportAsync($"COPY {Keys} (legacy_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var record in records)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(record.LegacyId, NpgsqlDbType.Text, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>Counts the step's target rows and its source records the writer rejected, and lists the extra records (in the target, not in the source).</summary>
    public async Task<StepTally> TallyAsync(CancellationToken cancellationToken)
    {
        var rows = $"{ValidationContext.IdMap} AS m JOIN {ValidationContext.U}.{Sql.Quote(step.Target.Name)} AS t ON t.id = m.unified_id WHERE m.source_name = $1 AND m.source_table = $2";
        long targetRows, rejected;
        await context.ExecuteAsync($"ANALYZE {Keys}", cancellationToken);
        await using (var command = new NpgsqlCommand($"""
            SELECT (SELECT count(*) FROM {rows}),
                   (SELECT count(*) FROM {Keys} AS k
                    WHERE NOT EXISTS (SELECT 1 FROM {rows} AND m.legacy_id = k.legacy_id)
                      AND EXISTS (SELECT 1 FROM {Rejects} AS r WHERE ($3::uuid IS NULL OR r.run_id = $3)
                                  AND r.source_name = $1 AND r.source_table = $2 AND r.record_key = k.legacy_id))
            """, context.Target))
        {
            AddStepParameters(command);
            command.Parameters.Add(new() { Value = (object?)context.Run?.RunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (targetRows, rejected) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        long extra = 0;
        await using (var command = new NpgsqlCommand($"""
            SELECT m.legacy_id, count(*) OVER () FROM {rows}
              AND NOT EXISTS (SELECT 1 FROM {Keys} AS k WHERE k.legacy_id = m.legacy_id)
            ORDER BY m.legacy_id LIMIT $3
            """, context.Target))
        {
            AddStepParameters(command);
            command.Parameters.Add(new() { Value = context.Options.MaxDifferences });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                extra = reader.GetInt64(1);
                context.Report.AddDifference(new ValidationDifference(step.SourceName, step.SourceTable, reader.GetString(0), "Extra", []));
            }
        }

        // Only the listed extras went through AddDifference; count the rest.
        var unlisted = Math.Max(0, extra - context.Options.MaxDifferences);
        context.Report.Count("differences_total", unlisted);
        context.Report.Count("differences_not_listed", unlisted);
        return new StepTally(targetRows, rejected, extra);
    }

    private void AddStepParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new() { Value = step.SourceName });
        command.Parameters.Add(new() { Value = step.SourceTable });
    }
}
