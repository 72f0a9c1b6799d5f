namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// The throughput of this attempt's work and the time left it supports. The first seconds of a run are spent preparing
/// the target and filling the read-ahead, so a plain done/elapsed ratio starts far too low and its estimate far too long;
/// the rate here is an exponentially smoothed average of the intervals between samples, and no estimate is given until
/// enough of them have been seen. Work counted is what this invocation did: records a resumed run read earlier are not.
/// </summary>
public sealed class ProgressRate
{
    /// <summary>Weight of the newest interval; 0.3 follows a change of speed within a few batches without jumping with each one.</summary>
    private const double Smoothing = 0.3;

    /// <summary>Intervals shorter than this are merged with the next one, so bursts of reports do not make the rate jump.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How much measured work an estimate needs: a few intervals and some seconds of it.</summary>
    private const int MinIntervals = 3;

    private static readonly TimeSpan MinMeasured = TimeSpan.FromSeconds(2);

    private long? _firstDone;
    private TimeSpan _firstAt;
    private long _lastDone;
    private TimeSpan _lastAt;
    private double _smoothed;
    private int _intervals;
    private long _done;
    private TimeSpan _at;

    /// <summary>Takes a sample: <paramref name="done"/> is this attempt's work so far, <paramref name="elapsed"/> the time since it started.</summary>
    public void Sample(long done, TimeSpan elapsed)
    {
        _done = done;
        _at = elapsed;
        if (_firstDone is null)
        {
            (_firstDone, _firstAt, _lastDone, _lastAt) = (done, elapsed, done, elapsed);
            return;
        }

        var interval = elapsed - _lastAt;
        if (interval < MinInterval || done <= _lastDone)
        {
            return;
        }

        var instant = (done - _lastDone) / interval.TotalSeconds;
        _smoothed = _intervals == 0 ? instant : Smoothing * instant + (1 - Smoothing) * _smoothed;
        _intervals++;
        (_lastDone, _lastAt) = (done, elapsed);
    }

    /// <summary>Records per second over this attempt's measured work (from the first sample on); 0 before any.</summary>
    public double RecordsPerSecond => _firstDone is { } first && _at - _firstAt is { TotalSeconds: > 0 } span
        ? Math.Round((_done - first) / span.TotalSeconds, 1)
        : 0;

    /// <summary>The time left for <paramref name="remaining"/> records at the smoothed rate; null until enough work was measured.</summary>
    public TimeSpan? EstimateRemaining(long remaining) =>
        _intervals >= MinIntervals && _lastAt - _firstAt >= MinMeasured && _smoothed > 0 && remaining >= 0
            ? TimeSpan.FromSeconds(Math.Round(remaining / _smoothed))
            : null;
}
