using System.Text.Json;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>The bookkeeping of runs in the target: run rows, per-step checkpoints and rejects.</summary>
internal sealed class RunJournal(NpgsqlConnection connection)
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);

    public async Task StartRunAsync(NpgsqlTransaction transaction, MigrationResult result, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {B}.runs (run_id, plan_id, plan_fingerprint, sources, status, started_at, started_by, planned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)",
            connection, transaction)
        {
            Parameters =
            {
                new() { Value = result.RunId }, new() { Value = result.Plan.PlanId }, new() { Value = result.Plan.Fingerprint },
                new() { Value = SourcesOf(result.Plan) },
                new() { Value = result.Status.ToString() }, new() { Value = result.StartedAt.UtcDateTime }, new() { Value = Environment.UserName },
                new() { Value = JournaledPlan.Of(result.Plan).ToJson() },
            },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How a run row names its sources; a resume continues only a run of the same sources.</summary>
    public static string SourcesOf(MigrationPlan plan) => string.Join("; ", plan.Sources.Select(s => s.ToString()));

    /// <summary>Records a batch's rejects and its step checkpoint in the batch's transaction.</summary>
    public async Task RecordBatchAsync(NpgsqlTransaction transaction, Guid runId, SourceBatch batch, MigrationStepResult step, string stepFingerprint,
        IReadOnlyList<RejectedRecord> rejects, CancellationToken cancellationToken)
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

        await SaveCheckpointAsync(transaction, runId, step, new StepCheckpoint(stepFingerprint, batch.Position), Running, cancellationToken);
    }

    public const string Running = "running";
    public const string Completed = "completed";

    /// <summary>
    /// Saves where a step stands. The position holds the step's fingerprint, so a resume under a changed plan or
    /// batch size restarts the step instead of skipping what the new split would read.
    /// </summary>
    public Task SaveCheckpointAsync(NpgsqlTransaction? transaction, Guid runId, MigrationStepResult step, StepCheckpoint checkpoint, string status,
        CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"""
            INSERT INTO {B}.checkpoints (run_id, step, source_name, source_table, target_table, position, status, read, migrated, rejected, skipped, id_collisions)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (run_id, step) DO UPDATE SET position = EXCLUDED.position, status = EXCLUDED.status,
                read = EXCLUDED.read, migrated = EXCLUDED.migrated, rejected = EXCLUDED.rejected, skipped = EXCLUDED.skipped,
                id_collisions = EXCLUDED.id_collisions, updated_at = now()
            """, cancellationToken,
            runId, step.Name, step.SourceName, step.SourceTable, step.TargetTable, JsonSerializer.Serialize(checkpoint), status,
            step.Read, step.Migrated, step.Rejected, step.Skipped, step.IdCollisions);

    /// <summary>The run's committed checkpoints by step name: what a resume or a retry starts from.</summary>
    public async Task<Dictionary<string, SavedCheckpoint>> LoadCheckpointsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT step, position::text, status, read, migrated, rejected, skipped, id_collisions FROM {B}.checkpoints WHERE run_id = $1", connection)
        {
            Parameters = { new() { Value = runId } },
        };
        var checkpoints = new Dictionary<string, SavedCheckpoint>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            checkpoints[reader.GetString(0)] = new SavedCheckpoint(ParseCheckpoint(reader.IsDBNull(1) ? null : reader.GetString(1)),
                reader.GetString(2) == Completed, reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
        }

        return checkpoints;
    }

    /// <summary>Forgets a step's progress and its rejects, so the step starts again from its beginning.</summary>
    public Task RestartStepAsync(Guid runId, string step, CancellationToken cancellationToken) =>
        ExecuteAsync(null, $"""
            WITH dropped AS (DELETE FROM {B}.rejects WHERE run_id = $1 AND step = $2)
            DELETE FROM {B}.checkpoints WHERE run_id = $1 AND step = $2
            """, cancellationToken, runId, step);

    /// <summary>
    /// The run a resume continues: the given one, or the target's latest run when that one did not finish and
    /// migrated the same sources. The caller holds the target lock, so a run still marked Running is dead.
    /// </summary>
    public async Task<ResumableRun?> FindResumableRunAsync(Guid? runId, string sources, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(runId is null
            ? $"SELECT run_id, status, sources, started_at FROM {B}.runs ORDER BY started_at DESC LIMIT 1"
            : $"SELECT run_id, status, sources, started_at FROM {B}.runs WHERE run_id = $1", connection);
        if (runId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = runId.Value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var run = new ResumableRun(reader.GetGuid(0), Enum.Parse<MigrationStatus>(reader.GetString(1)), reader.GetString(2),
            new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
        return runId is not null || (!run.Finished && run.Sources == sources) ? run : null;
    }

    /// <summary>Marks a run running again for its resume, under the plan it now runs (its totals and warnings).</summary>
    public Task ReopenRunAsync(NpgsqlTransaction transaction, Guid runId, MigrationPlan plan, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"UPDATE {B}.runs SET status = $2, finished_at = NULL, failure = NULL, planned = $3::jsonb WHERE run_id = $1",
            cancellationToken, runId, MigrationStatus.Running.ToString(), JournaledPlan.Of(plan).ToJson());

    /// <summary>
    /// Closes the run's row. A run that finished leaves no checkpoints behind: nothing is left to resume, and a later
    /// resume cannot mistake them for progress. A failed or cancelled run keeps them for its resume.
    /// </summary>
    public async Task FinishRunAsync(MigrationResult result, CancellationToken cancellationToken)
    {
        await ExecuteAsync(null, $"""
            UPDATE {B}.runs SET status = $2, finished_at = now(), read = $3, migrated = $4, rejected = $5, skipped = $6, failure = $7
            WHERE run_id = $1
            """, cancellationToken,
            result.RunId, result.Status.ToString(), result.Read, result.Migrated, result.Rejected, result.Skipped,
            (object?)result.FailureMessage ?? DBNull.Value);
        if (result.Status is MigrationStatus.Succeeded or MigrationStatus.CompletedWithRejects)
        {
            await ExecuteAsync(null, $"DELETE FROM {B}.checkpoints WHERE run_id = $1", cancellationToken, result.RunId);
        }
    }

    /// <summary>
    /// Notes, in the run's opening transaction, that the run is about to change the rows of these origins: every graph or
    /// vector store in step with them now also lacks this run's rows.
    /// </summary>
    public Task MarkProjectionsBehindAsync(NpgsqlTransaction transaction, IReadOnlyList<string> systemOrigins, Guid runId, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"""
            UPDATE {B}.projections SET dirty_runs = array_append(dirty_runs, $2)
            WHERE system_origin = ANY($1) AND NOT $2 = ANY(dirty_runs)
            """, cancellationToken, systemOrigins.ToArray(), runId);

    /// <summary>
    /// Whether the store lacks only this run's rows of these origins: it was in step with PostgreSQL when the run started, and
    /// no other run changed those origins since. Then projecting the run's own rows brings it up to date.
    /// </summary>
    public async Task<bool> ProjectionBehindOnlyByAsync(string store, IReadOnlyList<string> systemOrigins, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT count(*) FROM {B}.projections
            WHERE store = $1 AND system_origin = ANY($2) AND dirty_runs <@ ARRAY[$3]::uuid[]
            """, connection)
        {
            Parameters = { new() { Value = store }, new() { Value = systemOrigins.ToArray() }, new() { Value = runId } },
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! == systemOrigins.Count;
    }

    /// <summary>Records that the store now holds exactly PostgreSQL's rows of these origins.</summary>
    public Task MarkProjectionInStepAsync(string store, IReadOnlyList<string> systemOrigins, CancellationToken cancellationToken) =>
        ExecuteAsync(null, $"""
            INSERT INTO {B}.projections (store, system_origin, dirty_runs, synced_at)
            SELECT $1, o, ARRAY[]::uuid[], now() FROM unnest($2::text[]) AS o
            ON CONFLICT (store, system_origin) DO UPDATE SET dirty_runs = ARRAY[]::uuid[], synced_at = now()
            """, cancellationToken, store, systemOrigins.ToArray());

    /// <summary>
    /// After a restore has replaced the unified rows, in its transaction: no checkpoint describes them any more (an unfinished
    /// run's resume starts every step afresh), and no graph or vector store is known to be in step.
    /// </summary>
    public async Task ForgetProgressAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecuteAsync(transaction, $"DELETE FROM {B}.checkpoints", cancellationToken);
        await ForgetProjectionStateAsync(transaction, cancellationToken);
    }

    /// <summary>After rows changed outside a run (an undo), in its transaction: the next run projects every record.</summary>
    public Task ForgetProjectionStateAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"DELETE FROM {B}.projections", cancellationToken);

    private static StepCheckpoint? ParseCheckpoint(string? json)
    {
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<StepCheckpoint>(json);
        }
        catch (JsonException)
        {
            // A checkpoint of an older format has no fingerprint: its step restarts.
            return null;
        }
    }

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

/// <summary>What a checkpoint stores: the step's fingerprint and the last committed source position.</summary>
public sealed record StepCheckpoint(string Fingerprint, SourcePosition? After);

/// <summary>A step's committed progress as the journal holds it.</summary>
public sealed record SavedCheckpoint(StepCheckpoint? Checkpoint, bool Completed, long Read, long Migrated, long Rejected, long Skipped, long IdCollisions);

/// <summary>A run found for a resume.</summary>
public sealed record ResumableRun(Guid RunId, MigrationStatus Status, string Sources, DateTimeOffset StartedAt)
{
    /// <summary>A run that completed, was undone or was rolled back has nothing to resume.</summary>
    public bool Finished => Status is MigrationStatus.Succeeded or MigrationStatus.CompletedWithRejects or MigrationStatus.Undone or MigrationStatus.RolledBack;
}
