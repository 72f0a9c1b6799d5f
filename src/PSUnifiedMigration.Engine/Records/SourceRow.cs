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

    public object? Raw(string name) => _ordinals.TryGetValue(name, out var i) && _values[i] is not DBNull ? _values[i] : null;

    public string? Text(string name) => FieldChecks.Text(Raw(name), name);

    public bool? Boolean(string name) => Raw(name) as bool?;

    public int? Integer(string name) => Raw(name) switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        var other => throw new RecordRejectedException(name, $"value {other} does not fit a 32-bit integer.", "IntegerOutOfRange"),
    };

    public DateTime? Timestamp(string name) => Raw(name) as DateTime?;

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
            case var other:
                throw new RecordRejectedException(name, $"is a {other.GetType().Name}, not a vector.", "VectorInvalid");
        }

        return FieldChecks.Vector(vector, expectedDimensions, name);
    }
}
