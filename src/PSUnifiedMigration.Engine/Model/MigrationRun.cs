using System.Globalization;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// A run as the target's journal holds it, readable from any console while the run goes on (Get-MigrationRun). The
/// journal keeps counts per step while a run is running and the totals once it ends, the fatal error of a failed run,
/// and every rejected record with its reason. From schema version 6 on it also keeps the plan's estimated total and
/// warnings, from which the run's percentage and time left are derived.
/// </summary>
public sealed class MigrationRun
{
    public required Guid RunId { get; init; }

    public required MigrationStatus Status { get; init; }

    /// <summary>The sources the run migrates, as the run row names them.</summary>
    public required string Sources { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? StartedBy { get; init; }

    /// <summary>The time the journal was read: the run's duration so far is measured to it.</summary>
    public required DateTimeOffset ReadAt { get; init; }

    public long Read { get; init; }

    public long Migrated { get; init; }

    public long Rejected { get; init; }

    public long Skipped { get; init; }

    /// <summary>Records kept under a name-based id because another record held theirs: the journaled warnings.</summary>
    public long IdCollisions { get; init; }

    /// <summary>The records the plan estimated the run reads (a row count estimate); null for a run journaled before schema version 6.</summary>
    public long? Total { get; init; }

    /// <summary>The plan's warnings as "Code: text" (the first 100), journaled when the run started or resumed.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The error that stopped a failed or cancelled run; null otherwise.</summary>
    public string? Failure { get; init; }

    /// <summary>The steps with a checkpoint: those of an unfinished run (a finished run's checkpoints are removed).</summary>
    public IReadOnlyList<MigrationRunStep> Steps { get; init; } = [];

    /// <summary>The run's newest rejected records (up to ten), newest first; all of them are in the reject table.</summary>
    public IReadOnlyList<MigrationRecordError> LatestRejects { get; init; } = [];

    /// <summary>What the run is doing: the step it last wrote a batch of while it runs, its status once it ended.</summary>
    public string Phase => Status != MigrationStatus.Running
        ? Status.ToString()
        : Steps.Where(s => s.Status == "running").MaxBy(s => s.UpdatedAt) is { } step ? $"Migrating {step.Name}" : "Starting";

    public TimeSpan Elapsed => TimeSpan.FromSeconds(Math.Round(((FinishedAt ?? ReadAt) - StartedAt).TotalSeconds));

    /// <summary>Records read per second since the run started (a resumed run's earlier attempts included).</summary>
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Math.Round(Read / Elapsed.TotalSeconds, 1) : 0;

    public bool CountsAddUp => Migrated + Rejected + Skipped == Read;

    /// <summary>
    /// Read records as a share of <see cref="Total"/>, 0 to 100: 100 once the run completed, at most 99.9 while it has not
    /// (the total is an estimate, and a run can read more than it said). Null when the total is unknown or zero.
    /// </summary>
    public double? PercentComplete => Total is long total && total > 0
        ? Status is MigrationStatus.Succeeded or MigrationStatus.CompletedWithRejects ? 100 : Math.Min(99.9, Math.Round(100.0 * Read / total, 1))
        : null;

    /// <summary>
    /// The time a running run needs for the rest of <see cref="Total"/> at <see cref="RecordsPerSecond"/>; null when it is not
    /// running, nothing has been read yet or the total is unknown. Get-MigrationRun -Watch measures its own, smoothed rate.
    /// </summary>
    public TimeSpan? Remaining => Status == MigrationStatus.Running && Total is { } total && RecordsPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Round(Math.Max(0, total - Read) / RecordsPerSecond))
        : null;

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "Run {0} {1}: {2:N0}{3} read, {4:N0} migrated, {5:N0} skipped, {6:N0} rejected in {7}{8}{9}{10}",
        RunId, Phase, Read, Total is { } total ? $" of about {total:N0}" : "", Migrated, Skipped, Rejected, Elapsed,
        PercentComplete is { } percent ? $" ({percent:0.#}%)" : "", Remaining is { } left ? $", about {left} left" : "",
        Failure is null ? "" : $" ({Failure})");
}

/// <summary>One step of a run as its checkpoint holds it.</summary>
public sealed record MigrationRunStep(string Name, string SourceName, string TargetTable, string Status, long Read, long Migrated, long Rejected,
    long Skipped, long IdCollisions, DateTimeOffset UpdatedAt, long? Total)
{
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0} -> {1} {2}: {3:N0}{4} read, {5:N0} migrated, {6:N0} skipped, {7:N0} rejected", Name, TargetTable, Status, Read,
        Total is { } total ? $" of about {total:N0}" : "", Migrated, Skipped, Rejected);
}
