using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>Thrown inside a transform when a record cannot be migrated; the reader turns it into a reject.</summary>
public sealed class RecordRejectedException(string field, string reason, string errorId) : Exception(reason)
{
    public string Field { get; } = field;

    public string ErrorId { get; } = errorId;
}

/// <summary>
/// One row as read from a source, with typed accessors that reject bad values by field name.
/// </summary>
public sealed class SourceRow
{
    private readonly IReadOnlyDictionary<string, int> _ordinals;
    private readonly object?[] _values;

    public SourceRow(IReadOnlyDictionary<string, int> ordinals, object?[] values)
    {
        _ordinals = ordinals;
        _values = values;
    }

    public bool Has(string name) => _ordinals.ContainsKey(name);

    /// <summary>The value as read; a value the driver could not represent rejects the record here, naming the field.</summary>
    public object? Raw(string name) => _ordinals.TryGetValue(name, out var i) ? _values[i] switch
    {
        DBNull => null,
        UnreadableValue unreadable => throw new RecordRejectedException(name,
            $"holds a {unreadable.Reason}. Fix or clear the value in the source.", unreadable.ErrorId),
        var value => value,
    } : null;

    public string? Text(string name) => FieldChecks.Text(Raw(name), name);

    public bool? Boolean(string name) => Raw(name) as bool?;

    public int? Integer(string name) => Raw(name) switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        // Columns of another type than an integer (numeric, text) are read as text, so a value beyond bigint is one record's reject.
        string text when int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        var other => throw new RecordRejectedException(name, $"value {other} does not fit a 32-bit integer.", "IntegerOutOfRange"),
    };

    /// <summary>A timestamp exactly as the source holds it; a text column's value must be an ISO 8601 timestamp, or the record is rejected.</summary>
    public ExactTimestamp? Timestamp(string name) => Raw(name) switch
    {
        null => null,
        ExactTimestamp exact => exact,
        DateTime time => ExactTimestamp.From(time),
        string text when DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) => ExactTimestamp.From(parsed.UtcDateTime),
        var other => throw new RecordRejectedException(name,
            $"holds '{other}', which is not a timestamp (expected ISO 8601 such as 2025-03-01T10:00:00Z). Fix the value in the source, or set it to NULL.", "TimestampInvalid"),
    };

    /// <summary>A JSON column parsed; a value that is not JSON, or holds NUL, is a reject.</summary>
    public JsonNode? Json(string name) => FieldChecks.Json(Raw(name), name);

    /// <summary>A dense vector; NULL elements, a wrong dimension or a non-finite value are rejects.</summary>
    public float[]? Vector(string name, int? expectedDimensions)
    {
        float[] vector;
        switch (Raw(name))
        {
            case null:
                return null;
            case float[] plain:
                vector = plain;
                break;
            case float?[] nullable:
                vector = new float[nullable.Length];
                for (var i = 0; i < nullable.Length; i++)
                {
                    vector[i] = nullable[i] ?? throw new RecordRejectedException(name, $"has a NULL element at index {i}. Re-embed the record.", "VectorInvalid");
                }

                break;
            case double[] wide:
                vector = Narrow(name, wide.Length, i => wide[i]);
                break;
            case double?[] wide:
                vector = Narrow(name, wide.Length, i => wide[i] ?? throw new RecordRejectedException(name, $"has a NULL element at index {i}. Re-embed the record.", "VectorInvalid"));
                break;
            case var other:
                throw new RecordRejectedException(name, $"is a {other.GetType().Name}, not a vector.", "VectorInvalid");
        }

        return FieldChecks.Vector(vector, expectedDimensions, name);
    }

    /// <summary>A double precision vector narrowed element by element, each checked for float32's range.</summary>
    private static float[] Narrow(string name, int length, Func<int, double> element)
    {
        var vector = new float[length];
        for (var i = 0; i < length; i++)
        {
            vector[i] = FieldChecks.Float32(element(i), i, name);
        }

        return vector;
    }
}
