using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>Checks every source system's records go through before they are written.</summary>
public static class RecordChecks
{
    /// <summary>Why a text value cannot be stored (PostgreSQL text cannot hold NUL), or null when it can.</summary>
    public static string? TextProblem(string? value) =>
        value is not null && value.Contains('\0')
            ? $"contains a NUL character at position {value.IndexOf('\0')}; PostgreSQL text cannot store it. Remove the NUL characters from the source record."
            : null;

    /// <summary>Why a JSON value cannot be stored, or null when it can.</summary>
    public static string? JsonProblem(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (key.Contains('\0'))
                    {
                        return "has a key containing a NUL character (\\u0000), which PostgreSQL jsonb cannot store. Remove it from the source record.";
                    }

                    if (JsonProblem(child) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonArray array:
                return array.Select(JsonProblem).FirstOrDefault(p => p is not null);
            case JsonValue value when value.TryGetValue<string>(out var text) && text.Contains('\0'):
                return "has a string containing a NUL character (\\u0000), which PostgreSQL jsonb cannot store. Remove it from the source record.";
            default:
                return null;
        }
    }

    /// <summary>Why a dense vector cannot be stored under the plan's dimension, or null when it can.</summary>
    public static string? VectorProblem(float[] vector, int? expectedDimensions)
    {
        if (expectedDimensions is { } expected && vector.Length != expected)
        {
            return $"has {vector.Length} dimensions; the plan's vector dimension is {expected}. Re-embed the record with the right model, or delete it.";
        }

        for (var i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
            {
                return $"has a non-finite value ({vector[i]}) at index {i}. Re-embed the record.";
            }
        }

        return null;
    }

    public static string Sha256Hex(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
