using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using PSUnifiedMigration.Engine.Execution;

namespace PSUnifiedMigration;

/// <summary>
/// Test-Migration's progress: the records compared over the plan's estimated total, with a percentage and, once the
/// rate is known, the time left. The validator reports (step, records of that step read so far) and phases with 0.
/// </summary>
internal sealed class ValidationProgressWriter(Cmdlet cmdlet, string activity, string mode)
{
    private readonly ProgressRate _rate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _total;  // set on the engine thread, read on the pipeline thread
    private long _finishedSteps;
    private string? _step;
    private long _stepDone;

    /// <summary>The number of records the plan expects to compare; set once the plan is known.</summary>
    public long Total
    {
        set => Interlocked.Exchange(ref _total, value);
    }

    public void Write(string what, long done)
    {
        if (what != _step)
        {
            _finishedSteps += _stepDone;
            (_step, _stepDone) = (what, 0);
        }

        _stepDone = done;
        var compared = _finishedSteps + _stepDone;
        var total = Math.Max(Interlocked.Read(ref _total), compared);
        _rate.Sample(compared, _clock.Elapsed);

        // A new record each time: a host may keep the records it was given, and a shared one would change under it.
        cmdlet.WriteProgress(new ProgressRecord(1, activity, string.Format(CultureInfo.InvariantCulture,
            "{0} validation: {1:N0} of {2:N0} records compared, {3:N0} rec/s", mode, compared, total, _rate.RecordsPerSecond))
        {
            PercentComplete = total > 0 ? (int)Math.Min(100, compared * 100 / total) : -1,
            SecondsRemaining = _rate.EstimateRemaining(total - compared) is { } eta ? (int)Math.Ceiling(eta.TotalSeconds) : -1,
            CurrentOperation = what,
        });
    }

    public void Complete() =>
        cmdlet.WriteProgress(new ProgressRecord(1, activity, $"{mode} validation done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
}
