using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// Qdrant's wire format as this tool writes and reads it: points (named dense and sparse vectors, payload),
/// filters, vector parameters and snapshots. Pure functions of JSON, apart from the transport, so that the
/// client's operations stay short.
/// </summary>
internal static class QdrantJson
{
    public static byte[] WritePoint(string collection, QdrantPoint point) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", point.Id.ToString("D"));
        w.WriteStartObject("vector");
        foreach (var (name, values) in point.DenseVectors)
        {
            w.WriteStartArray(name);
            foreach (var value in values)
            {
                WriteFinite(w, value, collection, point.Id, name);
            }

            w.WriteEndArray();
        }

        foreach (var (name, sparse) in point.SparseVectors)
        {
            if (sparse.Indices.Length != sparse.Values.Length)
            {
                throw new MigrationException("QdrantSparseVectorInvalid", MigrationErrorKind.InvalidData,
                    $"Point {point.Id} for collection '{collection}': sparse vector '{name}' has {sparse.Indices.Length} indices but {sparse.Values.Length} values.",
                    point.Id);
            }

            w.WriteStartObject(name);
            w.WriteStartArray("indices");
            foreach (var index in sparse.Indices)
            {
                w.WriteNumberValue(index);
            }

            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (var value in sparse.Values)
            {
                WriteFinite(w, value, collection, point.Id, name);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WritePropertyName("payload");
        point.Payload.WriteTo(w);
        w.WriteEndObject();
    });

    private static void WriteFinite(Utf8JsonWriter writer, float value, string collection, Guid id, string vector)
    {
        if (!float.IsFinite(value))
        {
            // JSON has no NaN or Infinity; say which point instead of failing inside the serializer.
            throw new MigrationException("QdrantVectorNotFinite", MigrationErrorKind.InvalidData,
                $"Point {id} for collection '{collection}': vector '{vector}' holds {value.ToString(CultureInfo.InvariantCulture)}, which Qdrant cannot store.", id);
        }

        writer.WriteNumberValue(value);
    }

    public static void WriteFilter(Utf8JsonWriter writer, QdrantFilter? filter)
    {
        if (filter is null)
        {
            return;
        }

        writer.WriteStartObject("filter");
        writer.WriteStartArray("must");
        foreach (var (key, value) in filter.MustMatch)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteStartObject("match");
            writer.WriteString("value", value);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static QdrantPoint ReadPoint(JsonElement element)
    {
        var dense = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var sparse = new Dictionary<string, QdrantSparseVector>(StringComparer.Ordinal);
        if (element.TryGetProperty("vector", out var vector))
        {
            switch (vector.ValueKind)
            {
                case JsonValueKind.Array:
                    dense[""] = ReadFloats(vector);
                    break;
                case JsonValueKind.Object:
                    foreach (var named in vector.EnumerateObject())
                    {
                        if (named.Value.ValueKind == JsonValueKind.Array)
                        {
                            dense[named.Name] = ReadFloats(named.Value);
                        }
                        else
                        {
                            sparse[named.Name] = new QdrantSparseVector(
                                named.Value.GetProperty("indices").EnumerateArray().Select(i => i.GetUInt32()).ToArray(),
                                ReadFloats(named.Value.GetProperty("values")));
                        }
                    }

                    break;
            }
        }

        var payload = element.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(p.GetRawText())!.AsObject()
            : new JsonObject();
        return new QdrantPoint(ReadId(element.GetProperty("id")), dense, sparse, payload);
    }

    public static Guid ReadId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var guid)
            ? guid
            : throw new FormatException($"point id {id.GetRawText()} is not a UUID, so the point was not written by this tool");

    private static float[] ReadFloats(JsonElement array)
    {
        var values = new float[array.GetArrayLength()];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            values[i++] = value.GetSingle();
        }

        return values;
    }

    public static QdrantDenseVectorConfig ReadVectorParams(JsonElement element) =>
        new(element.GetProperty("size").GetInt32(), Enum.Parse<QdrantDistance>(element.GetProperty("distance").GetString()!));

    public static QdrantSnapshot ReadSnapshot(JsonElement element)
    {
        DateTimeOffset? created = element.TryGetProperty("creation_time", out var time) && time.ValueKind == JsonValueKind.String
            // Qdrant gives UTC without an offset (a "partial-date-time").
            ? DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
        return new QdrantSnapshot(element.GetProperty("name").GetString()!, element.GetProperty("size").GetInt64(), created);
    }

    /// <summary>Writes point ids as an array property (a delete's "points", a retrieve's "ids").</summary>
    public static void WriteIds(Utf8JsonWriter writer, string property, IEnumerable<Guid> ids)
    {
        writer.WriteStartArray(property);
        foreach (var id in ids)
        {
            writer.WriteStringValue(id.ToString("D"));
        }

        writer.WriteEndArray();
    }

    public static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
