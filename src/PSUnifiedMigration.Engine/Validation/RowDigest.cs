using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>A digest of a set of rows: how many, and the sum of their 64-bit row hashes (order-independent).</summary>
internal readonly record struct RangeDigest(long Rows, Int128 Sum)
{
    public static RangeDigest Of(IEnumerable<long> hashes)
    {
        long rows = 0;
        Int128 sum = 0;
        foreach (var hash in hashes)
        {
            rows++;
            sum += hash;
        }

        return new RangeDigest(rows, sum);
    }
}

/// <summary>
/// The one canonical text form of a unified row, computed in C# for a transformed source record and inside
/// PostgreSQL for a target row. Each column becomes the md5 of its canonical text (empty for NULL), the columns are
/// joined with '|', and the row hash is the first 64 bits of the md5 of that, as a signed big-endian integer.
/// Canonical texts: text as is; boolean true/false; integer in decimal; uuid in its 36-character form; timestamp as
/// UTC yyyy-MM-ddTHH:mm:ss.ffffff; jsonb as PostgreSQL prints it (keys by length then bytes, ", " and ": ", numbers
/// as numeric prints them); a vector as the binary send form of its real[] (every bit of every float).
/// References become the parent's source table and legacy id through the id map.
/// </summary>
internal static class RowDigest
{
    public static long Hash(UnifiedRecord record)
    {
        var parts = new List<string>(record.Values.Length + 2 * record.References.Length);
        for (var i = 0; i < record.Values.Length; i++)
        {
            parts.Add(ColumnHash(record.Table.Columns[i].Kind, record.Values[i]));
        }

        foreach (var reference in record.References)
        {
            parts.Add(reference is { } r ? Md5Hex(r.SourceTable) : "");
            parts.Add(reference is { } k ? Md5Hex(k.LegacyId) : "");
        }

        var digest = MD5.HashData(Encoding.UTF8.GetBytes(string.Join('|', parts)));
        return BinaryPrimitives.ReadInt64BigEndian(digest);
    }

    /// <summary>The SQL expression of the same row hash over a target row <c>t</c> whose references are joined as r0, r1, ...</summary>
    public static string SqlExpression(UnifiedTable table)
    {
        var parts = table.Columns.Select(c => $"coalesce({ColumnSql(c)}, '')")
            .Concat(table.References.SelectMany((_, i) => new[] { $"coalesce(md5(r{i}.source_table), '')", $"coalesce(md5(r{i}.legacy_id), '')" }));
        return $"('x' || substr(md5({string.Join(" || '|' || ", parts)}), 1, 16))::bit(64)::bigint";
    }

    private static string ColumnSql(UnifiedColumn column)
    {
        var name = "t." + Sql.Quote(column.Name);
        return column.Kind switch
        {
            ColumnKind.Text => $"md5({name})",
            ColumnKind.Boolean or ColumnKind.Integer or ColumnKind.Uuid or ColumnKind.Json => $"md5({name}::text)",
            ColumnKind.Timestamp => $"md5(encode(timestamptz_send({name}), 'hex'))",
            ColumnKind.Vector or ColumnKind.CollectionVector => $"md5(array_send({name}::real[]))",
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };
    }

    private static string ColumnHash(ColumnKind kind, object? value) => value is null ? "" : kind switch
    {
        ColumnKind.Text => Md5Hex((string)value),
        ColumnKind.Boolean => Md5Hex((bool)value ? "true" : "false"),
        ColumnKind.Integer => Md5Hex(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
        ColumnKind.Uuid => Md5Hex(((Guid)value).ToString("D")),
        // The exact microsecond count, as timestamptz_send gives it: BC dates, years past 9999 and ±infinity included.
        ColumnKind.Timestamp => Md5Hex(Hex(((ExactTimestamp)value).SendBytes())),
        ColumnKind.Json => Md5Hex(JsonbText.Canonical((string)value)),
        ColumnKind.Vector or ColumnKind.CollectionVector => Hex(MD5.HashData(ArraySend((float[])value))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Md5Hex(string text) => Hex(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>PostgreSQL's binary send form of a real[]: ndim, has-nulls, element type (float4), then dimension, lower bound and each element.</summary>
    private static byte[] ArraySend(float[] vector)
    {
        const int Float4Oid = 700;
        var dims = vector.Length == 0 ? 0 : 1;
        var bytes = new byte[12 + 8 * dims + 8 * vector.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, dims);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], Float4Oid);
        var at = 12;
        if (dims == 1)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[at..], vector.Length);
            BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], 1);
            at += 8;
        }

        foreach (var value in vector)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[at..], 4);
            BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], BitConverter.SingleToInt32Bits(value));
            at += 8;
        }

        return bytes;
    }
}

/// <summary>The text PostgreSQL prints for a jsonb value parsed from a JSON text.</summary>
internal static class JsonbText
{
    public static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json, SourceJson.DocumentOptions);
        var text = new StringBuilder(json.Length);
        Write(document.RootElement, text);
        return text.ToString();
    }

    private static void Write(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // jsonb keeps the last of duplicate keys and orders keys by length, then bytewise.
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    members[property.Name] = property.Value;
                }

                text.Append('{');
                var first = true;
                foreach (var (key, value) in members.Select(m => (Key: Encoding.UTF8.GetBytes(m.Key), m.Value))
                             .OrderBy(m => m.Key.Length).ThenBy(m => m.Key, ByteComparer.Instance))
                {
                    text.Append(first ? "" : ", ");
                    first = false;
                    WriteString(Encoding.UTF8.GetString(key), text);
                    text.Append(": ");
                    Write(value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    text.Append(index++ == 0 ? "" : ", ");
                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, text);
                break;
            case JsonValueKind.Number:
                text.Append(Numeric(element.GetRawText()));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    /// <summary>escape_json: the two-character escapes, \u00xx for other control characters, everything else as is.</summary>
    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\b' => text.Append("\\b"),
                '\f' => text.Append("\\f"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                < ' ' => text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }

    /// <summary>numeric_in then numeric_out: the display scale is the digits after the point minus the exponent, at least 0.</summary>
    internal static string Numeric(string number)
    {
        if (number.AsSpan().IndexOfAny('e', 'E') < 0)
        {
            // Without an exponent (JSON has no leading zeros) numeric prints the literal as it is, except that it has no negative zero.
            return number.StartsWith('-') && number.AsSpan(1).IndexOfAnyExcept('0', '.') < 0 ? number[1..] : number;
        }

        var negative = number.StartsWith('-');
        var unsigned = negative ? number[1..] : number;
        var e = unsigned.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? unsigned : unsigned[..e];
        var exponent = e < 0 ? 0 : int.Parse(unsigned[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        var digits = (point < 0 ? mantissa : mantissa[..point]) + fraction;
        var scale = fraction.Length - exponent;
        if (scale < 0)
        {
            digits += new string('0', -scale);
            scale = 0;
        }

        var value = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        var text = value.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        if (scale > 0)
        {
            text = text[..^scale] + "." + text[^scale..];
        }

        return negative && !value.IsZero ? "-" + text : text;
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
