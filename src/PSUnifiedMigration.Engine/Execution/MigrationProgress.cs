using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>A snapshot of a run's progress, raised after each committed batch and at each phase change.</summary>
public sealed record MigrationProgress(
    string Phase,
    MigrationStepResult? Step,
    int StepNumber,
    int StepCount,
    long StepTotal,
    long Done,
    long Total,
    long Rejected,
    int Warnings,
    TimeSpan Elapsed,
    bool Finished)
{
    public double RecordsPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    public int PercentComplete => Total > 0 ? (int)Math.Min(100, Done * 100 / Total) : Finished ? 100 : 0;

    public TimeSpan? EstimatedRemaining => RecordsPerSecond > 0 && Total >= Done
        ? TimeSpan.FromSeconds((Total - Done) / RecordsPerSecond)
        : null;
}
