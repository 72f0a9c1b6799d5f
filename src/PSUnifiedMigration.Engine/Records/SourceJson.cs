using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>
/// JSON from a source, read the way PostgreSQL's jsonb reads it, so what the target stores is what validation expects:
/// a repeated key keeps its last value (jsonb's rule), nesting up to <see cref="MaxDepth"/> levels is valid (System.Text.Json
/// stops at 64 by default), numbers keep their literal text (1e400 stays 1e400), and a string jsonb refuses (a lone
/// surrogate escape such as \ud800) is a reject naming the field.
/// </summary>
public static class SourceJson
{
    /// <summary>Deeper JSON is a reject (JsonTooDeep): parsing and writing recurse once per level, and JSON writers stop at 1000.</summary>
    public const int MaxDepth = 512;

    public static JsonDocumentOptions DocumentOptions { get; } = new() { MaxDepth = MaxDepth };

    /// <summary>The JSON text as a node; a value that is not JSON, too deep, or not storable as jsonb is a reject naming <paramref name="field"/>.</summary>
    public static JsonNode? Parse(string text, string field)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e) when (e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            throw new RecordRejectedException(field, $"nests JSON deeper than {MaxDepth} levels. Flatten the value in the source, or set it to NULL.", "JsonTooDeep");
        }
        catch (JsonException e)
        {
            throw new RecordRejectedException(field, $"is not valid JSON ({e.Message}). Fix the value in the source, or set it to NULL.", "InvalidJson");
        }

        using (document)
        {
            try
            {
                return Node(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                throw new RecordRejectedException(field,
                    "holds a string with a lone UTF-16 surrogate escape (such as \\ud800), which is not Unicode text and which PostgreSQL jsonb refuses. " +
                    "Fix the string in the source, or set the value to NULL.", "JsonInvalidUnicode");
            }
        }
    }

    /// <summary>A detached node of the element: objects keep the last value of a repeated key, numbers their literal.</summary>
    public static JsonNode? Node(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                var order = new List<string>();
                foreach (var property in element.EnumerateObject())
                {
                    if (!members.ContainsKey(property.Name))
                    {
                        order.Add(property.Name);
                    }

                    members[property.Name] = property.Value;
                }

                var obj = new JsonObject();
                foreach (var name in order)
                {
                    obj[name] = Node(members[name]);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(Node(item));
                }

                return array;
            case JsonValueKind.String:
                return JsonValue.Create(element.GetString()!);
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element.Clone());
        }
    }
}
