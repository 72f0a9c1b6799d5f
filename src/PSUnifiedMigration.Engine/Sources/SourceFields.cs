using System.Data.Common;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>
/// Reads the current row of a PostgreSQL source field by field, so that one value the driver cannot represent is that
/// record's reject, never the page's failure. Timestamps are read as PostgreSQL's raw microsecond count
/// (<see cref="ExactTimestamp"/>): DateTime would refuse BC dates and years past 9999 and turn 0001-01-01 into -infinity.
/// </summary>
internal static class SourceFields
{
    public static object?[] Read(DbDataReader reader)
    {
        var fields = new object?[reader.FieldCount];
        for (var i = 0; i < fields.Length; i++)
        {
            if (reader.IsDBNull(i))
            {
                continue;
            }

            try
            {
                fields[i] = reader.GetDataTypeName(i) is "timestamp with time zone" or "timestamp without time zone"
                    ? new ExactTimestamp(reader.GetFieldValue<long>(i))
                    : reader.GetValue(i);
            }
            catch (Exception e) when (Undecodable(e) is { } bytes)
            {
                fields[i] = new UnreadableValue(
                    $"text value that is not UTF-8 (bytes {bytes}; a SQL_ASCII database stores bytes unchecked)", "TextEncodingInvalid");
            }
            catch (Exception e) when (e is InvalidCastException or OverflowException or ArgumentException)
            {
                fields[i] = new UnreadableValue($"{reader.GetDataTypeName(i)} value cannot be read ({e.Message})");
            }
        }

        return fields;
    }

    /// <summary>The bytes a text value could not be decoded at, in hex, when that is why it could not be read.</summary>
    private static string? Undecodable(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.DecoderFallbackException { BytesUnknown: { } unknown })
            {
                return Convert.ToHexString(unknown);
            }
        }

        return null;
    }
}
