using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Transforms;

namespace PSUnifiedMigration.Engine.Execution;

public sealed record MigrationRunOptions(bool ContinueOnError);

/// <summary>
/// Runs a plan: per source, one snapshot reader feeds a bounded channel; the writer commits each batch
/// together with its rejects and checkpoint in one transaction. Memory holds at most a few batches.
/// </summary>
public static class MigrationExecutor
{
    /// <summary>Batches read ahead of the writer; bounds memory at (capacity + 2) batches.</summary>
    private const int ReadAhead = 2;
    private const int ErrorsKept = 1000;

    public static async Task<MigrationResult> RunAsync(MigrationPlan plan, MigrationRunOptions options, Action<MigrationProgress> progress, CancellationToken cancellationToken)
    {
        if (!plan.CanInvoke)
        {
            throw new MigrationException("PlanHasBlockers", MigrationErrorKind.InvalidOperation,
                $"The plan has {plan.Blockers.Count} blocker(s) and cannot be invoked: {string.Join(" ", plan.Blockers.Select(b => b.ToString()))}", plan);
        }

        var steps = plan.Steps.Select(s => new MigrationStepResult
        {
            Name = s.Name, SourceName = s.SourceName, SourceTable = s.SourceTable, TargetTable = s.TargetTable,
        }).ToArray();
        var result = new MigrationResult(Guid.NewGuid(), plan, steps);
        var clock = Stopwatch.StartNew();
        var tracker = new ProgressTracker(plan, result, clock, progress);
        await using var connection = await plan.Target.Endpoint.OpenAsync(cancellationToken);
        await using var targetLock = await TargetLock.AcquireAsync(connection, plan.Target.ConnectionString, cancellationToken);
        var journal = new RunJournal(connection);
        tracker.Report("Preparing the target", null);
        VectorStorage storage;
        try
        {
            storage = await PrepareTargetAsync(connection, journal, result, cancellationToken);
        }
        catch (Exception e)
        {
            // No run row exists yet: report why the target could not be prepared (the lock is released on the way out).
            throw e is OperationCanceledException ? e : DatabaseErrors.Translate(e, "preparing the target's schemas", plan.Target.ConnectionString);
        }

        try
        {
            var writer = new BatchWriter(connection, storage);
            foreach (var source in plan.Sources)
            {
                await MigrateSourceAsync(source, plan, options, result, connection, writer, journal, tracker, cancellationToken);
            }

            await ProjectAsync(plan, result, connection, tracker, cancellationToken);

            result.Status = result.Rejected > 0 ? MigrationStatus.CompletedWithRejects : MigrationStatus.Succeeded;
        }
        catch (OperationCanceledException)
        {
            result.Status = MigrationStatus.Cancelled;
            result.FailureMessage = "The run was cancelled; committed batches stay, and a re-run continues idempotently.";
            throw;
        }
        catch (Exception e)
        {
            var cause = DatabaseErrors.Translate(e, "migrating", plan.Target.ConnectionString);
            result.Status = MigrationStatus.Failed;
            result.FailureMessage = cause.Message;
            throw new MigrationRunFailedException(result, cause);
        }
        finally
        {
            await targetLock.DisposeAsync();
            result.Duration = clock.Elapsed;
            foreach (var step in steps.Where(s => s.Status == MigrationStatus.Running))
            {
                step.Status = result.Status;
            }

            await CloseRunAsync(plan.Target, result);
            tracker.Report("Completed", null, finished: true);
        }

        return result;
    }

    /// <summary>
    /// Closes the run's journal row on a fresh connection, even when the caller cancelled or the run's own
    /// connection broke, so the journal never shows a ghost run. A failure here becomes a warning on the
    /// result, never an error that hides the run's own outcome.
    /// </summary>
    private static async Task CloseRunAsync(MigrationTarget target, MigrationResult result)
    {
        try
        {
            await using var connection = await target.Endpoint.OpenAsync(CancellationToken.None);
            await new RunJournal(connection).FinishRunAsync(result, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or MigrationException or IOException or TimeoutException)
        {
            result.Warnings.Add($"The run's row in {UnifiedSchema.BookkeepingSchema}.runs could not be closed ({e.Message}); it may still read 'Running'. " +
                                "The migrated data is as this result says.");
        }
    }

    private static async Task<VectorStorage> PrepareTargetAsync(NpgsqlConnection connection, RunJournal journal, MigrationResult result, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var storage = await UnifiedSchemaInstaller.EnsureAsync(connection, transaction, result.Plan.VectorDimensions, cancellationToken);
        if (storage.Dimensions is { } installed && result.Plan.VectorDimensions is { } planned && installed != planned)
        {
            throw new MigrationException("VectorDimensionMismatch", MigrationErrorKind.InvalidOperation,
                $"The target now stores {installed}-dimensional vectors, but the plan expects {planned}. Run New-MigrationPlan again.", result.Plan);
        }

        await journal.StartRunAsync(transaction, result, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return storage;
    }

    /// <summary>
    /// Brings the graph and vector stores up to date from the system of record, now that it holds the run's
    /// records: every record of the plan's systems, so a projection an earlier run could not finish is completed.
    /// </summary>
    private static async Task ProjectAsync(MigrationPlan plan, MigrationResult result, NpgsqlConnection connection, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        foreach (var store in Targets.ProjectionStores.For(plan.Target))
        {
            await using (store)
            {
                tracker.Report($"Writing {store.Description}", null);
                var written = await store.ProjectAsync(connection, plan.SystemOrigins, result.RunId, (what, count) => tracker.Report($"Writing {store.Description}: {what} ({count})", null), cancellationToken);
                result.Projections[store.Description] = written;
            }
        }
    }

    private static async Task MigrateSourceAsync(MigrationSource source, MigrationPlan plan, MigrationRunOptions options, MigrationResult result,
        NpgsqlConnection connection, BatchWriter writer, RunJournal journal, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        await using var reader = SourceReaders.Create(source);
        await reader.BeginSnapshotAsync(cancellationToken);
        var planned = plan.SourceAnalyses.FirstOrDefault(a => a.SourceName == source.Name)?.CatalogFingerprint;
        if (reader.CatalogFingerprint != planned)
        {
            throw new MigrationException("SourceChangedSincePlan", MigrationErrorKind.InvalidOperation,
                $"The tables of source '{source.Name}' changed since the plan was made. Run New-MigrationPlan again.", source);
        }

        var sourceSteps = plan.Steps.Where(s => s.SourceName == source.Name)
            .Select(s => (Plan: s, Step: new SourceStep(s.SourceName, s.SourceTable, UnifiedSchema.Get(s.TargetTable), s.EstimatedRecords, s.EstimatedBytes)))
            .ToArray();
        var channel = Channel.CreateBounded<SourceBatch>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var (_, step) in sourceSteps)
                {
                    await foreach (var batch in reader.ReadAsync(step, null, plan.BatchSize, plan.VectorDimensions, stopReading.Token))
                    {
                        await channel.Writer.WriteAsync(batch, stopReading.Token);
                    }
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            foreach (var (planStep, _) in sourceSteps)
            {
                var stepResult = result.Steps[planStep.Order - 1];
                var clock = Stopwatch.StartNew();
                tracker.Report("Migrating", stepResult);
                await journal.SaveCheckpointAsync(null, result.RunId, stepResult, null, "running", cancellationToken);
                while (await channel.Reader.WaitToReadAsync(cancellationToken) && channel.Reader.TryPeek(out var next) && next.Step.Name == planStep.Name)
                {
                    var batch = await channel.Reader.ReadAsync(cancellationToken);
                    await WriteBatchAsync(batch, options, result, stepResult, connection, writer, journal, cancellationToken);
                    stepResult.Duration = clock.Elapsed;
                    tracker.Report("Migrating", stepResult);
                }

                stepResult.Status = stepResult.Rejected > 0 ? MigrationStatus.CompletedWithRejects : MigrationStatus.Succeeded;
                stepResult.Duration = clock.Elapsed;
                await journal.SaveCheckpointAsync(null, result.RunId, stepResult, null, "completed", cancellationToken);
                tracker.Report("Migrating", stepResult, stepFinished: true);
            }

            await producer;
        }
        finally
        {
            await stopReading.CancelAsync();
            await producer;
        }
    }

    private static async Task WriteBatchAsync(SourceBatch batch, MigrationRunOptions options, MigrationResult result, MigrationStepResult step,
        NpgsqlConnection connection, BatchWriter writer, RunJournal journal, CancellationToken cancellationToken)
    {
        if (!options.ContinueOnError && batch.Rejects.Count > 0)
        {
            throw RecordError(step, batch.Rejects[0]);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcome = await writer.WriteAsync(transaction, result.RunId, batch, cancellationToken);
        if (!options.ContinueOnError && outcome.DanglingReferences.Count > 0)
        {
            throw RecordError(step, outcome.DanglingReferences[0]);
        }

        var rejects = batch.Rejects.Concat(outcome.DanglingReferences).ToArray();
        // Counts are applied to a copy first, so the step's figures only move once the batch has committed.
        var after = new MigrationStepResult
        {
            Name = step.Name, SourceName = step.SourceName, SourceTable = step.SourceTable, TargetTable = step.TargetTable,
            Read = step.Read + batch.Read, Migrated = step.Migrated + outcome.Migrated, Skipped = step.Skipped + outcome.Skipped,
            Rejected = step.Rejected + rejects.Length, IdCollisions = step.IdCollisions + outcome.IdCollisions,
        };
        await journal.RecordBatchAsync(transaction, result.RunId, batch, after, rejects, "running", cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        step.Read = after.Read;
        step.Migrated = after.Migrated;
        step.Skipped = after.Skipped;
        step.Rejected = after.Rejected;
        step.IdCollisions = after.IdCollisions;
        foreach (var reject in rejects.Take(Math.Max(0, ErrorsKept - result.Errors.Count)))
        {
            result.Errors.Add(new MigrationRecordError(step.Name, reject.SourceTable, reject.RecordKey, reject.Field, reject.Reason, reject.ErrorId));
        }
    }

    private static MigrationException RecordError(MigrationStepResult step, RejectedRecord reject) =>
        new(reject.ErrorId, MigrationErrorKind.InvalidData,
            $"Source '{step.SourceName}': {reject.SourceTable} record {reject.RecordKey}, field '{reject.Field}' {reject.Reason} " +
            "Fix the record, or run Invoke-Migration with -ContinueOnError to reject such records into the reject table and go on.",
            reject.RecordKey);

    /// <summary>Turns step results into progress snapshots for the caller.</summary>
    private sealed class ProgressTracker(MigrationPlan plan, MigrationResult result, Stopwatch clock, Action<MigrationProgress> sink)
    {
        public void Report(string phase, MigrationStepResult? step, bool stepFinished = false, bool finished = false)
        {
            var stepNumber = step is null ? 0 : Array.IndexOf(result.Steps.ToArray(), step) + 1;
            var stepTotal = step is null ? 0 : Math.Max(plan.Steps[stepNumber - 1].EstimatedRecords, step.Read);
            var warnings = plan.Warnings.Count + (int)Math.Min(int.MaxValue, result.Steps.Sum(s => s.IdCollisions));
            sink(new MigrationProgress(phase, step, stepNumber, plan.Steps.Count, stepTotal, result.Read,
                Math.Max(plan.TotalRecords, result.Read), result.Rejected, warnings, clock.Elapsed, finished || stepFinished));
        }
    }
}
