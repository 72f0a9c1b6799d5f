using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using PSUnifiedMigration.Engine.Execution;

namespace PSUnifiedMigration;

/// <summary>
/// Renders run progress as one parent record for the run and one child record per step. Updates are
/// throttled (a console redraws at most every ~200 ms anyway); phase changes, step ends and the
/// final Completed records are always written.
/// </summary>
internal sealed class MigrationProgressWriter(Cmdlet cmdlet, string activity)
{
    private const int RunActivityId = 1;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _sinceLastWrite = Stopwatch.StartNew();
    private readonly HashSet<int> _openSteps = [];
    private string? _lastPhase;
    private int _lastStep;

    public void Write(MigrationProgress progress)
    {
        var important = progress.Finished || progress.Phase != _lastPhase || progress.StepNumber != _lastStep;
        if (!important && _sinceLastWrite.Elapsed < Interval)
        {
            return;
        }

        _sinceLastWrite.Restart();
        _lastPhase = progress.Phase;
        _lastStep = progress.StepNumber;
        var run = new ProgressRecord(RunActivityId, activity, RunStatus(progress))
        {
            PercentComplete = progress.PercentComplete,
            SecondsRemaining = progress.EstimatedRemaining is { } eta ? (int)Math.Ceiling(eta.TotalSeconds) : -1,
            CurrentOperation = progress.Step?.Name ?? "",
        };
        cmdlet.WriteProgress(run);
        if (progress.Step is { } step)
        {
            var id = RunActivityId + progress.StepNumber;
            var child = new ProgressRecord(id, $"Step {progress.StepNumber} of {progress.StepCount}: {step.Name} -> unified.{step.TargetTable}",
                string.Format(CultureInfo.InvariantCulture, "{0:N0} of {1:N0} read: {2:N0} migrated, {3:N0} skipped, {4:N0} rejected",
                    step.Read, progress.StepTotal, step.Migrated, step.Skipped, step.Rejected))
            {
                ParentActivityId = RunActivityId,
                PercentComplete = progress.StepTotal > 0 ? (int)Math.Min(100, step.Read * 100 / progress.StepTotal) : 100,
            };
            if (progress.Finished)
            {
                child.RecordType = ProgressRecordType.Completed;
                _openSteps.Remove(id);
            }
            else
            {
                _openSteps.Add(id);
            }

            cmdlet.WriteProgress(child);
        }
    }

    /// <summary>Writes the Completed records for every open step and for the run; always called at the end.</summary>
    public void Complete(string status)
    {
        foreach (var id in _openSteps)
        {
            cmdlet.WriteProgress(new ProgressRecord(id, "Step", status) { ParentActivityId = RunActivityId, RecordType = ProgressRecordType.Completed });
        }

        _openSteps.Clear();
        cmdlet.WriteProgress(new ProgressRecord(RunActivityId, activity, status) { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
    }

    /// <summary>
    /// The run's status line. The time left is not in it: PowerShell prints SecondsRemaining after the status itself,
    /// and a second copy here was cut off by the console into "ETA 00:00:1011s".
    /// </summary>
    private static string RunStatus(MigrationProgress p) => string.Format(CultureInfo.InvariantCulture,
        "{0}: {1:N0} of {2:N0} records, {3:N0} rec/s, errors {4:N0}, warnings {5:N0}",
        p.Phase, p.Done, p.Total, p.RecordsPerSecond, p.Rejected, p.Warnings);
}
