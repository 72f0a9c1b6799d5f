using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>
/// The value checks every source reader applies to a field: a value that cannot be stored becomes a
/// RecordRejectedException that names the field, so each source rejects the same faults the same way.
/// </summary>
public static class FieldChecks
{
    /// <summary>A value as text; text holding NUL is a reject.</summary>
    public static string? Text(object? value, string field)
    {
        var text = value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        if (RecordChecks.TextProblem(text) is { } problem)
        {
            throw new RecordRejectedException(field, problem, "TextContainsNul");
        }

        return text;
    }

    /// <summary>A JSON value parsed as jsonb reads it (<see cref="SourceJson"/>); text that is not JSON, or JSON jsonb cannot store, is a reject.</summary>
    public static JsonNode? Json(object? value, string field)
    {
        if (value is null or DBNull)
        {
            return null;
        }

        var node = SourceJson.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, field);
        if (RecordChecks.JsonProblem(node) is { } problem)
        {
            throw new RecordRejectedException(field, problem, "TextContainsNul");
        }

        return node;
    }

    /// <summary>
    /// A double narrowed to float32 as PostgreSQL's float8-to-float4 cast does (nearest, denormals and -0.0 kept); a value
    /// beyond float32's range, or one that would become zero, is a reject naming the element instead of an error for the whole page.
    /// </summary>
    public static float Float32(double value, int index, string field)
    {
        var narrowed = (float)value;
        if (double.IsFinite(value) && float.IsInfinity(narrowed))
        {
            throw new RecordRejectedException(field, $"element {index} is {value:R}, beyond float32's range (±3.4e38). Re-embed the record, or fix the vector in the source.", "VectorOutOfRange");
        }

        if (value != 0 && narrowed == 0)
        {
            throw new RecordRejectedException(field, $"element {index} is {value:R}, too small for float32 (it would become 0). Re-embed the record, or fix the vector in the source.", "VectorOutOfRange");
        }

        return narrowed;
    }

    /// <summary>A dense vector of the expected dimension with finite values; anything else is a reject.</summary>
    public static float[] Vector(float[] vector, int? expectedDimensions, string field) =>
        RecordChecks.VectorProblem(vector, expectedDimensions) is { } problem
            ? throw new RecordRejectedException(field, problem, vector.Length == expectedDimensions ? "VectorNotFinite" : "VectorDimensionMismatch")
            : vector;
}
