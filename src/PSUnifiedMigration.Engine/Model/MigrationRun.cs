using System.Globalization;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// A run as the target's journal holds it, readable from any console while the run goes on (Get-MigrationRun). The
/// journal keeps counts per step while a run is running and the totals once it ends, the fatal error of a failed run,
/// and every rejected record with its reason. Warnings are not journaled, except name-based ids (IdCollisions).
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

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "Run {0} {1}: {2:N0} read, {3:N0} migrated, {4:N0} skipped, {5:N0} rejected in {6}{7}",
        RunId, Phase, Read, Migrated, Skipped, Rejected, Elapsed, Failure is null ? "" : $" ({Failure})");
}

/// <summary>One step of a run as its checkpoint holds it.</summary>
public sealed record MigrationRunStep(string Name, string SourceName, string TargetTable, string Status, long Read, long Migrated, long Rejected,
    long Skipped, long IdCollisions, DateTimeOffset UpdatedAt)
{
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0} -> {1} {2}: {3:N0} read, {4:N0} migrated, {5:N0} skipped, {6:N0} rejected", Name, TargetTable, Status, Read, Migrated, Skipped, Rejected);
}
