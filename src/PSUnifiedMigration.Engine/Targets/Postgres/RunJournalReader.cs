using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// Reads runs from the target's journal (runs, checkpoints, rejects), read-only and without the target lock, so a run can
/// be watched from another console while it writes. Each read is one snapshot (a repeatable-read transaction).
/// </summary>
public static class RunJournalReader
{
    private const int LatestRejects = 10;

    /// <summary>The schema version whose run rows keep their plan's totals and warnings (runs.planned); older rows show none.</summary>
    private const int PlannedSince = 6;
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);

    /// <summary>The target's runs, newest first, or the one run asked for; empty when the target has no journal yet.</summary>
    public static async Task<IReadOnlyList<MigrationRun>> ListAsync(MigrationTarget target, Guid? runId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
            if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken) is not { } version)
            {
                return [];
            }

            await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var runs = await RunsAsync(connection, runId, version >= PlannedSince, cancellationToken);
            var result = new List<MigrationRun>(runs.Count);
            foreach (var (run, planned) in runs)
            {
                var steps = await StepsAsync(connection, run.RunId, planned, cancellationToken);
                var rejects = await RejectsAsync(connection, run.RunId, cancellationToken);
                result.Add(run.Status == MigrationStatus.Running
                    ? Copy(run, planned, steps, rejects, steps.Sum(s => s.Read), steps.Sum(s => s.Migrated), steps.Sum(s => s.Rejected), steps.Sum(s => s.Skipped))
                    : Copy(run, planned, steps, rejects, run.Read, run.Migrated, run.Rejected, run.Skipped));
            }

            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw DatabaseErrors.Translate(e, "reading the run journal", target);
        }
    }

    /// <summary>The run the journal marks running, as one line; null when none is or the journal does not exist.</summary>
    internal static async Task<string?> RunningRunAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken) is null)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT run_id, started_at, started_by FROM {B}.runs WHERE status = $1 ORDER BY started_at DESC LIMIT 1", connection)
        {
            Parameters = { new() { Value = MigrationStatus.Running.ToString() } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? $"{reader.GetGuid(0)}, started {reader.GetDateTime(1):yyyy-MM-dd HH:mm:ss} UTC by {(reader.IsDBNull(2) ? "an unknown user" : reader.GetString(2))}"
            : null;
    }

    private static MigrationRun Copy(MigrationRun run, JournaledPlan? planned, IReadOnlyList<MigrationRunStep> steps,
        IReadOnlyList<MigrationRecordError> rejects, long read, long migrated, long rejected, long skipped) => new()
    {
        RunId = run.RunId, Status = run.Status, Sources = run.Sources, StartedAt = run.StartedAt, FinishedAt = run.FinishedAt,
        StartedBy = run.StartedBy, ReadAt = run.ReadAt, Failure = run.Failure, Steps = steps, LatestRejects = rejects,
        Total = planned?.Total, Warnings = planned?.Warnings ?? [],
        Read = read, Migrated = migrated, Rejected = rejected, Skipped = skipped, IdCollisions = steps.Sum(s => s.IdCollisions),
    };

    private static async Task<List<(MigrationRun Run, JournaledPlan? Planned)>> RunsAsync(NpgsqlConnection connection, Guid? runId, bool hasPlanned,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT run_id, status, sources, started_at, finished_at, started_by, read, migrated, rejected, skipped, failure, now(),
                {(hasPlanned ? "planned::text" : "NULL::text")}
            FROM {B}.runs {(runId is null ? "" : "WHERE run_id = $1")} ORDER BY started_at DESC
            """, connection);
        if (runId is { } id)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = id });
        }

        var runs = new List<(MigrationRun, JournaledPlan?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add((new MigrationRun
            {
                RunId = reader.GetGuid(0), Status = Enum.Parse<MigrationStatus>(reader.GetString(1)), Sources = reader.GetString(2),
                StartedAt = Utc(reader.GetDateTime(3)), FinishedAt = reader.IsDBNull(4) ? null : Utc(reader.GetDateTime(4)),
                StartedBy = reader.IsDBNull(5) ? null : reader.GetString(5), Read = reader.GetInt64(6), Migrated = reader.GetInt64(7),
                Rejected = reader.GetInt64(8), Skipped = reader.GetInt64(9), Failure = reader.IsDBNull(10) ? null : reader.GetString(10),
                ReadAt = Utc(reader.GetDateTime(11)),
            }, JournaledPlan.Parse(reader.IsDBNull(12) ? null : reader.GetString(12))));
        }

        return runs;
    }

    private static async Task<IReadOnlyList<MigrationRunStep>> StepsAsync(NpgsqlConnection connection, Guid runId, JournaledPlan? planned,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT step, source_name, target_table, status, read, migrated, rejected, skipped, id_collisions, updated_at
            FROM {B}.checkpoints WHERE run_id = $1 ORDER BY updated_at, step
            """, connection) { Parameters = { new() { Value = runId } } };
        var steps = new List<MigrationRunStep>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            steps.Add(new MigrationRunStep(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), Utc(reader.GetDateTime(9)),
                planned?.Steps.TryGetValue(reader.GetString(0), out var total) == true ? total : null));
        }

        return steps;
    }

    private static async Task<IReadOnlyList<MigrationRecordError>> RejectsAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT step, source_table, record_key, field, reason, error_id FROM {B}.rejects WHERE run_id = $1 ORDER BY reject_id DESC LIMIT {LatestRejects}
            """, connection) { Parameters = { new() { Value = runId } } };
        var rejects = new List<MigrationRecordError>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rejects.Add(new MigrationRecordError(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5)));
        }

        return rejects;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
