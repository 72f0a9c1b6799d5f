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

    /// <summary>A JSON value parsed; text that is not JSON, or JSON holding NUL, is a reject.</summary>
    public static JsonNode? Json(object? value, string field)
    {
        if (value is null or DBNull)
        {
            return null;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!);
        }
        catch (JsonException e)
        {
            throw new RecordRejectedException(field, $"is not valid JSON ({e.Message}). Fix the value in the source, or set it to NULL.", "InvalidJson");
        }

        if (RecordChecks.JsonProblem(node) is { } problem)
        {
            throw new RecordRejectedException(field, problem, "TextContainsNul");
        }

        return node;
    }

    /// <summary>A dense vector of the expected dimension with finite values; anything else is a reject.</summary>
    public static float[] Vector(float[] vector, int? expectedDimensions, string field) =>
        RecordChecks.VectorProblem(vector, expectedDimensions) is { } problem
            ? throw new RecordRejectedException(field, problem, vector.Length == expectedDimensions ? "VectorNotFinite" : "VectorDimensionMismatch")
            : vector;
}
