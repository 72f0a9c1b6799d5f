using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using ActivityKey = (long Source, int Activity);

namespace PSUnifiedMigration.Runbook;

/// <summary>
/// Shows progress records on stderr. Live mode (a terminal) keeps a dashboard below the output with one line
/// per active activity, children indented under their parent, redrawn in place. Log mode (CI) prints a
/// "PROGRESS:" line per update, at most one per activity every two seconds, plus a final line when an
/// activity completes.
/// </summary>
/// <remarks>
/// All members are thread-safe: records and host output may come from several pipeline threads.
/// </remarks>
internal sealed class ProgressRenderer(TextWriter writer, bool live)
{
    private const int IndentWidth = 2;

    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(2);

    // Scripts may report progress thousands of times a second; the terminal only needs a few frames of it.
    // As in pwsh, an update inside the interval is shown with the next frame, not on its own.
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();

    // Activity ids are unique per source only. Records are rendered on arrival because scripts often reuse
    // and change one ProgressRecord object. LoggedAt is when log mode last printed the activity.
    private readonly OrderedDictionary<ActivityKey, (int ParentId, string Text, long LoggedAt)> _active = [];

    private int _drawnLines;
    private long _drawnAt;
    private bool _atLineStart = true;

    /// <summary>Takes a record passed to the host's WriteProgress.</summary>
    public void Update(long sourceId, ProgressRecord record)
    {
        var key = (sourceId, record.ActivityId);
        lock (_gate)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                Complete(key, record);
                return;
            }

            bool isNew = !_active.TryGetValue(key, out var entry);
            long now = Stopwatch.GetTimestamp();
            string text = Describe(record);
            if (live)
            {
                _active[key] = (record.ParentActivityId, text, 0);
                if (isNew || Stopwatch.GetElapsedTime(_drawnAt, now) >= RedrawInterval)
                {
                    Redraw();
                }
            }
            else if (isNew || Stopwatch.GetElapsedTime(entry.LoggedAt, now) >= LogInterval)
            {
                _active[key] = (record.ParentActivityId, text, now);
                Log(sourceId, record.ParentActivityId, text);
            }
            else
            {
                _active[key] = (record.ParentActivityId, text, entry.LoggedAt);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/>, which writes host output, with the dashboard taken off the screen so
    /// the output is not mixed into it; the dashboard comes back below the output.
    /// </summary>
    public void WriteAround(Action write, bool endsLine)
    {
        lock (_gate)
        {
            if (!live)
            {
                write();
                return;
            }

            Erase();
            write();
            _atLineStart = endsLine;
            Draw();
        }
    }

    /// <summary>Removes the dashboard and forgets all activities, for the end of the run.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            if (live)
            {
                Erase();
            }

            _active.Clear();
        }
    }

    private void Complete(ActivityKey key, ProgressRecord record)
    {
        if (!live)
        {
            // Printed even for an activity never seen, so the log always says how it ended.
            Log(key.Source, record.ParentActivityId, $"{Describe(record)} [completed]");
        }

        _active.Remove(key);
        RemoveChildren(key);
        if (live)
        {
            Redraw();
        }
    }

    private void RemoveChildren(ActivityKey parent)
    {
        var children = _active.Keys.Where(key => IsChildOf(key, parent)).ToList();
        foreach (var child in children)
        {
            _active.Remove(child);
            RemoveChildren(child);
        }
    }

    private bool IsChildOf(ActivityKey key, ActivityKey parent) =>
        key.Source == parent.Source && _active[key].ParentId == parent.Activity;

    private void Log(long source, int parentId, string text) =>
        writer.WriteLine($"PROGRESS: {new string(' ', IndentWidth * Depth(source, parentId))}{text}");

    private int Depth(long source, int parentId)
    {
        int depth = 0;
        // Bounded by the number of activities, in case parent ids form a cycle.
        while (depth < _active.Count && parentId >= 0 && _active.TryGetValue((source, parentId), out var parent))
        {
            depth++;
            parentId = parent.ParentId;
        }

        return depth;
    }

    private void Redraw()
    {
        Erase();
        Draw();
    }

    private void Draw()
    {
        // Drawing in the middle of a partly written line would break it; the next full line brings the dashboard back.
        if (_active.Count == 0 || !_atLineStart)
        {
            return;
        }

        int width = TerminalWidth();
        var lines = new List<string>();
        foreach (var key in _active.Keys)
        {
            int parentId = _active[key].ParentId;
            bool hasActiveParent = parentId >= 0 && _active.ContainsKey((key.Source, parentId));
            if (!hasActiveParent)
            {
                AddTree(key, 0, lines);
            }
        }

        var frame = new StringBuilder();
        foreach (string line in lines)
        {
            // A line that wraps would take two rows and throw off the count used to erase the dashboard.
            frame.Append(line.Length < width ? line : line[..(width - 1)]).Append('\n');
        }

        writer.Write(frame.ToString());
        _drawnLines = lines.Count;
        _drawnAt = Stopwatch.GetTimestamp();
    }

    // Parents come before their children. Activities whose parent ids form a cycle have no root and are not shown.
    private void AddTree(ActivityKey key, int depth, List<string> lines)
    {
        lines.Add(new string(' ', IndentWidth * depth) + _active[key].Text);
        foreach (var child in _active.Keys.Where(candidate => IsChildOf(candidate, key)))
        {
            AddTree(child, depth + 1, lines);
        }
    }

    private void Erase()
    {
        if (_drawnLines == 0)
        {
            return;
        }

        // Cursor up to the first dashboard line, then clear from there to the end of the screen.
        writer.Write($"\e[{_drawnLines}A\r\e[J");
        _drawnLines = 0;
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 1 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    private static string Describe(ProgressRecord record)
    {
        var text = new StringBuilder(record.Activity);
        if (!string.IsNullOrEmpty(record.StatusDescription))
        {
            text.Append(": ").Append(record.StatusDescription);
        }

        if (record.PercentComplete >= 0)
        {
            text.Append($" [{record.PercentComplete}%]");
        }

        if (record.SecondsRemaining >= 0)
        {
            text.Append($" [{record.SecondsRemaining / 60:00}:{record.SecondsRemaining % 60:00} left]");
        }

        if (!string.IsNullOrEmpty(record.CurrentOperation))
        {
            text.Append(" (").Append(record.CurrentOperation).Append(')');
        }

        return text.ToString();
    }
}
