namespace PSUnifiedMigration.Engine.Model;

public enum MigrationStatus
{
    Running,
    Succeeded,
    CompletedWithRejects,
    Failed,
    Cancelled,

    /// <summary>Undo-Migration removed what the run wrote; its rejects and checkpoints stay as history.</summary>
    Undone,

    /// <summary>The run failed and -RollbackOnFailure returned the target to the savepoint taken when it started.</summary>
    RolledBack,
}

/// <summary>A record that was not migrated, with the field at fault and what to do about it.</summary>
public sealed record MigrationRecordError(string Step, string SourceTable, string RecordKey, string Field, string Reason, string ErrorId)
{
    public override string ToString() => $"{SourceTable} record {RecordKey}, field '{Field}': {Reason}";
}

public sealed class MigrationStepResult
{
    public required string Name { get; init; }

    public required string SourceName { get; init; }

    public required string SourceTable { get; init; }

    public required string TargetTable { get; init; }

    public MigrationStatus Status { get; internal set; } = MigrationStatus.Running;

    public long Read { get; internal set; }

    public long Migrated { get; internal set; }

    public long Rejected { get; internal set; }

    public long Skipped { get; internal set; }

    /// <summary>Records that kept their place but took a name-based id because their own id was taken.</summary>
    public long IdCollisions { get; internal set; }

    public TimeSpan Duration { get; internal set; }

    /// <summary>
    /// Records an earlier run migrated that the source no longer holds (they stay in the target); null when the step
    /// could not check, because it resumed in the middle of its table.
    /// </summary>
    public long? DeletedAtSource { get; internal set; }

    /// <summary>The step continued from a checkpoint of an earlier attempt or an interrupted run.</summary>
    public bool Resumed { get; internal set; }

    public override string ToString() =>
        $"{Name} -> {TargetTable} {Status}: {DisplayText.Count(Read)} read, {DisplayText.Count(Migrated)} migrated, {DisplayText.Count(Skipped)} skipped, " +
        $"{DisplayText.Count(Rejected)} rejected in {DisplayText.Duration(Duration)}";
}

/// <summary>A record an earlier run migrated that the source no longer holds.</summary>
public sealed record MigrationDeletedRecord(string Step, string SourceTable, string RecordKey)
{
    public override string ToString() => $"{SourceTable} record {RecordKey}";
}

/// <summary>
/// The outcome of one run. Counts always add up: Migrated + Rejected + Skipped = Read, per step and in total.
/// </summary>
public sealed class MigrationResult
{
    internal MigrationResult(Guid runId, MigrationPlan plan, IReadOnlyList<MigrationStepResult> steps)
    {
        RunId = runId;
        Plan = plan;
        Steps = steps;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public Guid RunId { get; }

    public MigrationStatus Status { get; internal set; } = MigrationStatus.Running;

    public IReadOnlyList<MigrationStepResult> Steps { get; }

    public long Read => Steps.Sum(s => s.Read);

    public long Migrated => Steps.Sum(s => s.Migrated);

    public long Rejected => Steps.Sum(s => s.Rejected);

    public long Skipped => Steps.Sum(s => s.Skipped);

    /// <summary>Records earlier runs migrated that the sources no longer hold, over the steps that could check.</summary>
    public long DeletedAtSource => Steps.Sum(s => s.DeletedAtSource ?? 0);

    /// <summary>The keys of those records (the first 1,000).</summary>
    public List<MigrationDeletedRecord> Deletions { get; } = [];

    public DateTimeOffset StartedAt { get; }

    /// <summary>The status the run had when this invocation resumed it (Failed, Cancelled, or Running after a crash); null for a new run.</summary>
    public MigrationStatus? ResumedFrom { get; internal init; }

    /// <summary>
    /// The savepoint -RollbackOnFailure took when the run started, while it exists: during the run, and after a
    /// cancellation or a failed rollback. A run that succeeds or is rolled back removes it.
    /// </summary>
    public string? RollbackSavepoint { get; internal set; }

    /// <summary>What the rollback after a failure did, store by store; null when there was none.</summary>
    public MigrationRestoreResult? Rollback { get; internal set; }

    /// <summary>How many attempts the run took; more than one when transient failures were retried.</summary>
    public int Attempts { get; internal set; } = 1;

    public TimeSpan Duration { get; internal set; }

    /// <summary>Records a resumed run had read before this invocation (from its checkpoints); 0 for a new run.</summary>
    public long ResumedRecords { get; internal set; }

    /// <summary>This invocation's throughput: records read by earlier invocations of a resumed run are not counted.</summary>
    public double RecordsPerSecond => Duration.TotalSeconds > 0 ? Math.Round((Read - ResumedRecords) / Duration.TotalSeconds, 1) : 0;

    /// <summary>Rejected records (the first 1,000; all of them are in the reject table) and the run's fatal error, if any.</summary>
    public List<MigrationRecordError> Errors { get; } = [];

    public string? FailureMessage { get; internal set; }

    /// <summary>Things the operator should know that did not change the outcome.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Records written to each configured projection store, by the store's description.</summary>
    public SortedDictionary<string, long> Projections { get; } = new(StringComparer.Ordinal);

    public MigrationPlan Plan { get; }

    public MigrationTarget Target => Plan.Target;

    /// <summary>Where the rejected records are kept, with their reasons.</summary>
    public string RejectTable => $"{Targets.Postgres.UnifiedSchema.BookkeepingSchema}.rejects";

    public override string ToString() =>
        $"Run {RunId} {Status}: {DisplayText.Count(Read)} read, {DisplayText.Count(Migrated)} migrated, {DisplayText.Count(Skipped)} skipped, " +
        $"{DisplayText.Count(Rejected)} rejected in {DisplayText.Duration(Duration)}";
}
