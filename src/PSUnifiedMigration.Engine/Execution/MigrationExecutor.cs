using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources;

namespace PSUnifiedMigration.Engine.Execution;

public sealed record MigrationRunOptions(bool ContinueOnError)
{
    /// <summary>Continue an unfinished run from its checkpoints instead of starting a new one.</summary>
    public bool Resume { get; init; }

    /// <summary>The run to resume; without it, the target's latest run when it did not finish.</summary>
    public Guid? ResumeRunId { get; init; }

    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Take a savepoint before the run and restore it when the run fails (the seed's behaviour).</summary>
    public bool RollbackOnFailure { get; init; }
}

/// <summary>
/// Runs a plan: per source, one snapshot reader feeds a bounded channel; the writer commits each batch
/// together with its rejects and checkpoint in one transaction. Memory holds at most a few batches.
/// A transient failure (a lost connection, a restarted server) is retried with backoff from the last committed
/// checkpoint on a new connection; an interrupted run resumes the same way from the journal.
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

        var clock = Stopwatch.StartNew();
        var session = await TargetSession.OpenAsync(plan.Target, null, cancellationToken);
        string? rollback = null;
        MigrationResult result;
        try
        {
            rollback = options.RollbackOnFailure ? await RunRollback.TakeSavepointAsync(session, plan.Target, cancellationToken) : null;
            result = await StartOrResumeRunAsync(plan, options, session, cancellationToken);
        }
        catch (Exception e)
        {
            await session.DisposeAsync();

            // No run row exists yet: report why the target could not be prepared.
            var cause = e is OperationCanceledException ? e : DatabaseErrors.Translate(e, "preparing the target's schemas", plan.Target);
            if (rollback is not null && !await RunRollback.TryRemoveSavepointAsync(plan.Target, rollback) && cause is MigrationException notStarted)
            {
                throw new MigrationException(notStarted.ErrorId, notStarted.Kind,
                    $"{notStarted.Message} The rollback savepoint '{rollback}' taken for this run could not be removed; Remove-MigrationSavepoint removes it.",
                    notStarted.Target, notStarted);
            }

            throw cause;
        }

        result.RollbackSavepoint = rollback;
        var tracker = new ProgressTracker(plan, result, clock, progress);
        MigrationException? failure = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    session = await session.ReopenIfBrokenAsync(cancellationToken);
                    await MigrateAsync(plan, options, result, session, tracker, cancellationToken);
                    break;
                }
                catch (Exception e) when (attempt <= options.Retry.MaxRetries && !cancellationToken.IsCancellationRequested && TransientErrors.IsTransient(e))
                {
                    var delay = options.Retry.DelayBefore(attempt);
                    result.Attempts = attempt + 1;
                    result.Warnings.Add($"Attempt {attempt} met a transient failure ({DatabaseErrors.Translate(e, "migrating", plan.Target).Message}); " +
                                        $"retrying from the last checkpoint in {delay.TotalSeconds:0.#} s.");
                    tracker.Report($"Retrying after a transient failure (attempt {attempt + 1} of {options.Retry.MaxRetries + 1})", null);
                    await session.BreakAsync();
                    await options.Retry.WaitAsync(delay, cancellationToken);
                }
            }

            result.Status = result.Rejected > 0 ? MigrationStatus.CompletedWithRejects : MigrationStatus.Succeeded;
        }
        catch (OperationCanceledException)
        {
            result.Status = MigrationStatus.Cancelled;
            result.FailureMessage = $"The run was cancelled; committed batches stay. Invoke-Migration -Resume continues run {result.RunId} from its checkpoints" +
                                    (rollback is null ? "." : $", or Restore-MigrationSavepoint -Target <target> -Name '{rollback}' returns the target to where the run started.");
            throw;
        }
        catch (Exception e)
        {
            failure = DatabaseErrors.Translate(e, "migrating", plan.Target);
            result.Status = MigrationStatus.Failed;
            result.FailureMessage = failure.Message;
        }
        finally
        {
            if (failure is not null && rollback is not null)
            {
                tracker.Report($"Rolling back to savepoint '{rollback}'", null);
                await RunRollback.RollBackAsync(session, plan.Target, rollback, result);
            }

            await session.DisposeAsync();

            result.Duration = clock.Elapsed;
            foreach (var step in result.Steps.Where(s => s.Status == MigrationStatus.Running))
            {
                step.Status = result.Status;
            }

            await CloseRunAsync(plan.Target, result);
            tracker.Report("Completed", null, finished: true);
        }

        if (rollback is not null && result.Status != MigrationStatus.Failed)
        {
            // A run that succeeded or was rolled back needs the savepoint no more: nothing is left behind.
            await RunRollback.RemoveSavepointAsync(plan.Target, rollback, result);
        }

        if (failure is not null)
        {
            throw new MigrationRunFailedException(result, failure);
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

    /// <summary>Installs or upgrades the unified schema, then opens the run's journal row: a new run, or the one resumed.</summary>
    private static async Task<MigrationResult> StartOrResumeRunAsync(MigrationPlan plan, MigrationRunOptions options, TargetSession session, CancellationToken cancellationToken)
    {
        await using var transaction = await session.Connection.BeginTransactionAsync(cancellationToken);
        var storage = await UnifiedSchemaInstaller.EnsureAsync(session.Connection, transaction, plan.VectorDimensions, cancellationToken);
        if (storage.Dimensions is { } installed && plan.VectorDimensions is { } planned && installed != planned)
        {
            throw new MigrationException("VectorDimensionMismatch", MigrationErrorKind.InvalidOperation,
                $"The target now stores {installed}-dimensional vectors, but the plan expects {planned}. Run New-MigrationPlan again.", plan);
        }

        session.Storage = storage;
        var steps = plan.Steps.Select(s => new MigrationStepResult
        {
            Name = s.Name, SourceName = s.SourceName, SourceTable = s.SourceTable, TargetTable = s.TargetTable,
        }).ToArray();
        var resumable = options.Resume || options.ResumeRunId is not null
            ? await session.Journal.FindResumableRunAsync(options.ResumeRunId, RunJournal.SourcesOf(plan), cancellationToken)
            : null;
        if (options.ResumeRunId is { } wanted && resumable is not { Finished: false })
        {
            throw new MigrationException("RunNotResumable", MigrationErrorKind.InvalidOperation, resumable is null
                ? $"No run {wanted} exists on this target. Get the run ids from {UnifiedSchema.BookkeepingSchema}.runs, or run Invoke-Migration -Resume without -RunId."
                : $"Run {wanted} {resumable.Status} and has nothing to resume. Run Invoke-Migration without -RunId to catch up with the source.", wanted);
        }

        MigrationResult result;
        if (resumable is not null)
        {
            result = new MigrationResult(resumable.RunId, plan, steps) { ResumedFrom = resumable.Status };
            await session.Journal.ReopenRunAsync(transaction, resumable.RunId, plan, cancellationToken);
        }
        else
        {
            result = new MigrationResult(Guid.NewGuid(), plan, steps);
            await session.Journal.StartRunAsync(transaction, result, cancellationToken);
        }

        await session.Journal.MarkProjectionsBehindAsync(transaction, plan.SystemOrigins, result.RunId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// One attempt: the steps not yet completed, each from its last committed checkpoint, then the projections.
    /// Counts come from the journal at the start of each attempt, so a retry or a resume counts nothing twice.
    /// </summary>
    private static async Task MigrateAsync(MigrationPlan plan, MigrationRunOptions options, MigrationResult result, TargetSession session,
        ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var positions = await ApplyCheckpointsAsync(plan, result, session.Journal, cancellationToken);
        if (result.Attempts == 1)
        {
            // What the first attempt finds in the checkpoints was read by earlier invocations; a retry's was read by this one.
            result.ResumedRecords = result.Read;
        }

        foreach (var source in plan.Sources)
        {
            await MigrateSourceAsync(source, plan, options, result, session, positions, tracker, cancellationToken);
        }

        await ProjectAsync(plan, result, session, tracker, cancellationToken);
    }

    /// <summary>
    /// Sets each step's figures from its checkpoint and returns where each unfinished step continues. A checkpoint
    /// written under another plan fingerprint (other batch size, changed source shape) is dropped with its rejects,
    /// and its step starts again: re-reading is safe (writes are idempotent), skipping would not be.
    /// </summary>
    private static async Task<Dictionary<string, SourcePosition?>> ApplyCheckpointsAsync(MigrationPlan plan, MigrationResult result, RunJournal journal,
        CancellationToken cancellationToken)
    {
        var saved = await journal.LoadCheckpointsAsync(result.RunId, cancellationToken);
        var positions = new Dictionary<string, SourcePosition?>(StringComparer.Ordinal);
        foreach (var step in result.Steps)
        {
            var checkpoint = saved.GetValueOrDefault(step.Name);
            if (checkpoint is not null && checkpoint.Checkpoint?.Fingerprint != StepFingerprint(plan, step))
            {
                result.Warnings.Add($"Step {step.Name} starts again from its beginning: its checkpoint was written under another plan " +
                                    "(batch size, vector dimension or source tables changed).");
                await journal.RestartStepAsync(result.RunId, step.Name, cancellationToken);
                checkpoint = null;
            }

            step.Read = checkpoint?.Read ?? 0;
            step.Migrated = checkpoint?.Migrated ?? 0;
            step.Rejected = checkpoint?.Rejected ?? 0;
            step.Skipped = checkpoint?.Skipped ?? 0;
            step.IdCollisions = checkpoint?.IdCollisions ?? 0;
            step.Resumed = checkpoint is not null;
            if (checkpoint is { Completed: true })
            {
                step.Status = step.Rejected > 0 ? MigrationStatus.CompletedWithRejects : MigrationStatus.Succeeded;
            }
            else
            {
                step.Status = MigrationStatus.Running;
                positions[step.Name] = checkpoint?.Checkpoint?.After;
            }
        }

        return positions;
    }

    /// <summary>What a step's checkpoint is valid for: the step, its source's shape, the batch split and the vector dimension.</summary>
    internal static string StepFingerprint(MigrationPlan plan, MigrationStepResult step)
    {
        var catalog = plan.SourceAnalyses.FirstOrDefault(a => a.SourceName == step.SourceName)?.CatalogFingerprint;
        var text = $"{step.Name}|{step.TargetTable}|{catalog}|{plan.BatchSize}|{plan.VectorDimensions}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
    }

    /// <summary>
    /// Brings the graph and vector stores up to date from the system of record, now that it holds the run's records. A
    /// store that was in step when the run started gets only the rows this run wrote (a catch-up sends just its delta);
    /// any other store gets every record of the plan's systems, which also completes a projection an earlier run could
    /// not finish.
    /// </summary>
    private static async Task ProjectAsync(MigrationPlan plan, MigrationResult result, TargetSession session, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        foreach (var store in plan.Target.Stores.Select(s => s.OpenProjection()))
        {
            await using (store)
            {
                var onlyThisRun = await session.Journal.ProjectionBehindOnlyByAsync(store.Description, plan.SystemOrigins, result.RunId, cancellationToken);
                tracker.Report($"Writing {store.Description}" + (onlyThisRun ? " (this run's changes)" : " (every record)"), null);
                var written = await store.ProjectAsync(session.Connection, plan.SystemOrigins, result.RunId, onlyThisRun,
                    (what, count) => tracker.Report($"Writing {store.Description}: {what} ({count})", null), cancellationToken);
                await session.Journal.MarkProjectionInStepAsync(store.Description, plan.SystemOrigins, cancellationToken);
                result.Projections[store.Description] = written;
            }
        }
    }

    private static async Task MigrateSourceAsync(MigrationSource source, MigrationPlan plan, MigrationRunOptions options, MigrationResult result,
        TargetSession session, IReadOnlyDictionary<string, SourcePosition?> positions, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        var sourceSteps = plan.Steps.Where(s => s.SourceName == source.Name && positions.ContainsKey(s.Name))
            .Select(s => (Plan: s, Step: new SourceStep(s.SourceName, s.SourceTable, UnifiedSchema.Get(s.TargetTable), s.EstimatedRecords, s.EstimatedBytes)))
            .ToArray();
        if (sourceSteps.Length == 0)
        {
            return;
        }

        await using var reader = source.System.CreateReader(source);
        await reader.BeginSnapshotAsync(cancellationToken);
        var planned = plan.SourceAnalyses.FirstOrDefault(a => a.SourceName == source.Name)?.CatalogFingerprint;
        if (reader.CatalogFingerprint != planned)
        {
            throw new MigrationException("SourceChangedSincePlan", MigrationErrorKind.InvalidOperation,
                $"The tables of source '{source.Name}' changed since the plan was made. Run New-MigrationPlan again.", source);
        }

        var channel = Channel.CreateBounded<SourceBatch>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var (_, step) in sourceSteps)
                {
                    await foreach (var batch in reader.ReadAsync(step, positions[step.Name], plan.BatchSize, plan.VectorDimensions, stopReading.Token))
                    {
                        await channel.Writer.WriteAsync(batch, stopReading.Token);
                    }
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                // Named here, where it is known that the source failed: the error's target is the source, not the target.
                channel.Writer.Complete(e is OperationCanceledException ? e : DatabaseErrors.Translate(e, $"reading source '{source.Name}'", source));
            }
        }, CancellationToken.None);

        try
        {
            foreach (var (planStep, step) in sourceSteps)
            {
                var stepResult = result.Steps[planStep.Order - 1];
                var fingerprint = StepFingerprint(plan, stepResult);
                var clock = Stopwatch.StartNew();
                tracker.Report("Migrating", stepResult);
                await session.Journal.SaveCheckpointAsync(null, result.RunId, stepResult, new StepCheckpoint(fingerprint, positions[planStep.Name]),
                    RunJournal.Running, cancellationToken);
                var deletions = await session.Deletions.BeginStepAsync(step, positions[planStep.Name] is null, result, cancellationToken);
                while (await channel.Reader.WaitToReadAsync(cancellationToken) && channel.Reader.TryPeek(out var next) && next.Step.Name == planStep.Name)
                {
                    var batch = await channel.Reader.ReadAsync(cancellationToken);
                    await WriteBatchAsync(batch, fingerprint, deletions == DeletionCheck.Tracking, options, result, stepResult, session, cancellationToken);
                    stepResult.Duration = clock.Elapsed;
                    tracker.Report("Migrating", stepResult);
                }

                stepResult.DeletedAtSource = await session.Deletions.EndStepAsync(step, deletions, result, cancellationToken);
                stepResult.Status = stepResult.Rejected > 0 ? MigrationStatus.CompletedWithRejects : MigrationStatus.Succeeded;
                stepResult.Duration = clock.Elapsed;
                await session.Journal.SaveCheckpointAsync(null, result.RunId, stepResult, new StepCheckpoint(fingerprint, null), RunJournal.Completed, cancellationToken);
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

    private static async Task WriteBatchAsync(SourceBatch batch, string stepFingerprint, bool recordKeys, MigrationRunOptions options, MigrationResult result,
        MigrationStepResult step, TargetSession session, CancellationToken cancellationToken)
    {
        if (!options.ContinueOnError && batch.Rejects.Count > 0)
        {
            throw RecordError(step, batch.Rejects[0]);
        }

        await using var transaction = await session.Connection.BeginTransactionAsync(cancellationToken);
        var outcome = await session.Writer.WriteAsync(transaction, result.RunId, batch, cancellationToken);
        if (!options.ContinueOnError && outcome.Rejects.Count > 0)
        {
            throw RecordError(step, outcome.Rejects[0]);
        }

        var rejects = batch.Rejects.Concat(outcome.Rejects).ToArray();
        // Counts are applied to a copy first, so the step's figures only move once the batch has committed.
        var after = new MigrationStepResult
        {
            Name = step.Name, SourceName = step.SourceName, SourceTable = step.SourceTable, TargetTable = step.TargetTable,
            Read = step.Read + batch.Read, Migrated = step.Migrated + outcome.Migrated, Skipped = step.Skipped + outcome.Skipped,
            Rejected = step.Rejected + rejects.Length, IdCollisions = step.IdCollisions + outcome.IdCollisions,
        };
        await session.Journal.RecordBatchAsync(transaction, result.RunId, batch, after, stepFingerprint, rejects, cancellationToken);
        if (recordKeys)
        {
            await session.Deletions.RecordAsync(batch, cancellationToken);
        }

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
        private readonly ProgressRate _rate = new();

        public void Report(string phase, MigrationStepResult? step, bool stepFinished = false, bool finished = false)
        {
            _rate.Sample(result.Read - result.ResumedRecords, clock.Elapsed);
            var total = Math.Max(plan.TotalRecords, result.Read);
            var stepNumber = step is null ? 0 : Array.IndexOf(result.Steps.ToArray(), step) + 1;
            var stepTotal = step is null ? 0 : Math.Max(plan.Steps[stepNumber - 1].EstimatedRecords, step.Read);
            var warnings = plan.Warnings.Count + (int)Math.Min(int.MaxValue, result.Steps.Sum(s => s.IdCollisions));
            sink(new MigrationProgress(phase, step, stepNumber, plan.Steps.Count, stepTotal, result.Read, total, result.Rejected, warnings,
                clock.Elapsed, finished || stepFinished, _rate.RecordsPerSecond, finished ? TimeSpan.Zero : _rate.EstimateRemaining(total - result.Read)));
        }
    }
}
