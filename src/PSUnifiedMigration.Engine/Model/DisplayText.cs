using System.Globalization;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// How the model's ToString() methods write numbers, sizes and durations, so "$plan", "$result" and an error record's
/// target read the same way everywhere: invariant culture, thousands separated, sizes in KB/MB/GB, durations rounded.
/// </summary>
public static class DisplayText
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB"];

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A size in bytes in the largest unit that keeps it at or above 1 (1,024 based), one decimal.</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>A duration rounded to what matters: milliseconds below a second, tenths below a minute, whole seconds above.</summary>
    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => $"{Math.Round(duration.TotalMilliseconds)} ms",
        < 60 => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        _ => TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds)).ToString("c", CultureInfo.InvariantCulture),
    };
}
