using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// A snapshot of a run's progress, raised after each committed batch and at each phase change. RecordsPerSecond and
/// EstimatedRemaining come from a <see cref="ProgressRate"/>: this invocation's work only, smoothed, and no estimate
/// before enough work was measured.
/// </summary>
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
    bool Finished,
    double RecordsPerSecond,
    TimeSpan? EstimatedRemaining)
{
    public int PercentComplete => Total > 0 ? (int)Math.Min(100, Done * 100 / Total) : Finished ? 100 : 0;

    public override string ToString() => string.Format(System.Globalization.CultureInfo.InvariantCulture,
        "{0}: {1:N0} of {2:N0} records ({3}%), {4:N0} rec/s, {5:N0} rejected", Phase, Done, Total, PercentComplete, RecordsPerSecond, Rejected);
}
