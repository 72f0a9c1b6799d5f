using System.Buffers.Binary;
using System.Globalization;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>
/// A timestamp carried exactly: microseconds from 2000-01-01 00:00:00 UTC, the count PostgreSQL itself stores, with
/// long.MaxValue for infinity and long.MinValue for -infinity. .NET's DateTime covers only years 1 to 9999 and turns its
/// own bounds into ±infinity on the wire, so 4713 BC, year 294276 or 0001-01-01 would be refused or silently changed;
/// readers of PostgreSQL read the raw count, other sources' DateTimes are converted here, and the writer writes the count.
/// </summary>
public readonly record struct ExactTimestamp(long Microseconds)
{
    /// <summary>DateTime ticks of 2000-01-01 00:00:00.</summary>
    private const long EpochTicks = 630822816000000000;

    public static ExactTimestamp Infinity { get; } = new(long.MaxValue);

    public static ExactTimestamp NegativeInfinity { get; } = new(long.MinValue);

    public bool IsFinite => Microseconds is not (long.MaxValue or long.MinValue);

    /// <summary>A DateTime's ticks taken as UTC whatever its Kind (as the writer always did), truncated to microseconds as Npgsql does.</summary>
    public static ExactTimestamp From(DateTime time) => new((time.Ticks - EpochTicks) / 10);

    /// <summary>The DateTime, when the value is finite and inside DateTime's years 1 to 9999.</summary>
    public DateTime? ToDateTime()
    {
        var min = (DateTime.MinValue.Ticks - EpochTicks) / 10;
        var max = (DateTime.MaxValue.Ticks - EpochTicks) / 10;
        return Microseconds >= min && Microseconds <= max ? new DateTime(EpochTicks + Microseconds * 10, DateTimeKind.Utc) : null;
    }

    /// <summary>The 8 bytes of PostgreSQL's binary form (timestamptz_send), the canonical form validation hashes.</summary>
    public byte[] SendBytes()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, Microseconds);
        return bytes;
    }

    /// <summary>ISO 8601 in UTC; years beyond 9999 and before year 1 spelt as PostgreSQL's ISO output does (astronomical years never appear).</summary>
    public override string ToString()
    {
        if (!IsFinite)
        {
            return Microseconds == long.MaxValue ? "infinity" : "-infinity";
        }

        if (ToDateTime() is { } time)
        {
            return time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        }

        // Proleptic Gregorian arithmetic on whole days, then the time of day; year 0 is 1 BC as in PostgreSQL.
        var days = Math.DivRem(Microseconds, 86_400_000_000L, out var rest);
        if (rest < 0)
        {
            days--;
            rest += 86_400_000_000L;
        }

        var (year, month, day) = CivilFromDays(days + 10957);
        var bc = year <= 0;
        var time2 = TimeSpan.FromTicks(rest * 10);
        return string.Create(CultureInfo.InvariantCulture,
            $"{(bc ? 1 - year : year):0000}-{month:00}-{day:00}T{time2.Hours:00}:{time2.Minutes:00}:{time2.Seconds:00}.{rest % 1_000_000:000000}Z{(bc ? " BC" : "")}");
    }

    /// <summary>Howard Hinnant's days-to-civil algorithm: days since 1970-01-01 to a proleptic Gregorian date (year 0 = 1 BC).</summary>
    private static (long Year, int Month, int Day) CivilFromDays(long z)
    {
        z += 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var day = (int)(doy - (153 * mp + 2) / 5 + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
    }
}
