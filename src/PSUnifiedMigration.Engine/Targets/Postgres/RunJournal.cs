using System.Text.Json;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources;
using PSUnifiedMigration.Engine.Transforms;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>The bookkeeping of runs in the target: run rows, per-step checkpoints and rejects.</summary>
internal sealed class RunJournal(NpgsqlConnection connection)
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);

    public async Task StartRunAsync(NpgsqlTransaction transaction, MigrationResult result, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {B}.runs (run_id, plan_id, plan_fingerprint, sources, status, started_at, started_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            connection, transaction)
        {
            Parameters =
            {
                new() { Value = result.RunId }, new() { Value = result.Plan.PlanId }, new() { Value = result.Plan.Fingerprint },
                new() { Value = string.Join("; ", result.Plan.Sources.Select(s => s.ToString())) },
                new() { Value = result.Status.ToString() }, new() { Value = result.StartedAt.UtcDateTime }, new() { Value = Environment.UserName },
            },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a batch's rejects and its step checkpoint in the batch's transaction.</summary>
    public async Task RecordBatchAsync(NpgsqlTransaction transaction, Guid runId, SourceBatch batch, MigrationStepResult step,
        IReadOnlyList<RejectedRecord> rejects, string status, CancellationToken cancellationToken)
    {
        if (rejects.Count > 0)
        {
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO {B}.rejects (run_id, step, source_name, source_table, record_key, field, reason, error_id)
                SELECT $1, $2, $3, r.source_table, r.record_key, r.field, r.reason, r.error_id
                FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS r (source_table, record_key, field, reason, error_id)
                """, connection, transaction)
            {
                Parameters =
                {
                    new() { Value = runId }, new() { Value = step.Name }, new() { Value = step.SourceName },
                    new() { Value = rejects.Select(r => r.SourceTable).ToArray() }, new() { Value = rejects.Select(r => r.RecordKey).ToArray() },
                    new() { Value = rejects.Select(r => r.Field).ToArray() }, new() { Value = rejects.Select(r => r.Reason).ToArray() },
                    new() { Value = rejects.Select(r => r.ErrorId).ToArray() },
                },
            };
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await SaveCheckpointAsync(transaction, runId, step, JsonSerializer.Serialize(batch.Position), status, cancellationToken);
    }

    public Task SaveCheckpointAsync(NpgsqlTransaction? transaction, Guid runId, MigrationStepResult step, string? position, string status, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"""
            INSERT INTO {B}.checkpoints (run_id, step, source_name, source_table, target_table, position, status, read, migrated, rejected, skipped, id_collisions)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (run_id, step) DO UPDATE SET position = coalesce(EXCLUDED.position, {B}.checkpoints.position), status = EXCLUDED.status,
                read = EXCLUDED.read, migrated = EXCLUDED.migrated, rejected = EXCLUDED.rejected, skipped = EXCLUDED.skipped,
                id_collisions = EXCLUDED.id_collisions, updated_at = now()
            """, cancellationToken,
            runId, step.Name, step.SourceName, step.SourceTable, step.TargetTable, (object?)position ?? DBNull.Value, status,
            step.Read, step.Migrated, step.Rejected, step.Skipped, step.IdCollisions);

    public Task FinishRunAsync(MigrationResult result, CancellationToken cancellationToken) =>
        ExecuteAsync(null, $"""
            UPDATE {B}.runs SET status = $2, finished_at = now(), read = $3, migrated = $4, rejected = $5, skipped = $6, failure = $7
            WHERE run_id = $1
            """, cancellationToken,
            result.RunId, result.Status.ToString(), result.Read, result.Migrated, result.Rejected, result.Skipped,
            (object?)result.FailureMessage ?? DBNull.Value);

    private async Task ExecuteAsync(NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
