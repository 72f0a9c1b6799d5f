using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// Turns a record's JSON properties into values Neo4j can store. Neo4j keeps only primitives and arrays of one
/// primitive type, so nested objects, arrays of objects or of mixed types, and arrays holding null become JSON
/// strings; integers beyond 64 bits become their text. Null values are left out, as Neo4j has no null property.
/// </summary>
internal static class Neo4jProperties
{
    /// <summary>
    /// The data's properties, renamed where they clash with <paramref name="system"/>'s keys (see
    /// <see cref="CypherNames.PropertyKey"/>), followed by the store's own properties.
    /// </summary>
    public static JsonObject Build(JsonObject? data, IReadOnlyDictionary<string, JsonNode?> system, IReadOnlySet<string> reserved)
    {
        var properties = new JsonObject();
        if (data is not null)
        {
            var taken = new HashSet<string>(data.Select(p => p.Key), StringComparer.Ordinal);
            foreach (var (key, value) in data)
            {
                var stored = ToStorable(value);
                if (stored is null)
                {
                    continue;
                }

                var name = CypherNames.PropertyKey(key, reserved, taken);
                taken.Add(name);
                properties[name] = stored;
            }
        }

        foreach (var (key, value) in system)
        {
            if (value is not null)
            {
                properties[key] = value;
            }
        }

        return properties;
    }

    private static JsonNode? ToStorable(JsonNode? value) => value switch
    {
        null => null,
        JsonValue scalar => Scalar(scalar),
        JsonArray array when IsStorableArray(array) => array.DeepClone(),
        _ => JsonValue.Create(value.ToJsonString()),
    };

    private static JsonNode? Scalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.Number when !IsStorableNumber(value) => JsonValue.Create(value.ToJsonString()),
        _ => value.DeepClone(),
    };

    /// <summary>An array of only strings, only booleans or only numbers (Neo4j widens integers among doubles to doubles).</summary>
    private static bool IsStorableArray(JsonArray array)
    {
        if (array.Count == 0)
        {
            return true;
        }

        if (array.Any(e => e is not JsonValue))
        {
            return false;
        }

        var kinds = array.Select(e => e!.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : e.GetValueKind()).Distinct().ToList();
        return kinds.Count == 1 && kinds[0] switch
        {
            JsonValueKind.String or JsonValueKind.True => true,
            JsonValueKind.Number => array.All(e => IsStorableNumber((JsonValue)e!)),
            _ => false,
        };
    }

    /// <summary>A 64-bit integer, or a finite number written with a fraction or exponent (a double); Neo4j rejects larger integers.</summary>
    private static bool IsStorableNumber(JsonValue value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            return true;
        }

        return text.IndexOfAny(['.', 'e', 'E']) >= 0
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number);
    }
}
