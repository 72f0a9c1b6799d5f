using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// How a claude-context-core point becomes a unified chunk. The payload is what toPoint writes at 5b02fcb
/// (src/vectordb/qdrant-vectordb.ts): content, relative_path, start_line, end_line, file_extension, project_id,
/// dataset_id, source_type, repo, branch, sha, lang, symbol, metadata. Fields without a unified column go to
/// metadata.claude_context and payload keys this tool does not know to metadata.source_columns, so nothing is dropped.
/// </summary>
internal static class QdrantChunkMapping
{
    public const string DenseVector = "vector";
    public const string SummaryVector = "summary_vector";
    public const string SparseVector = "sparse";

    private static readonly HashSet<string> KnownPayload =
    [
        "content", "relative_path", "start_line", "end_line", "file_extension", "project_id", "dataset_id", "source_type",
        "repo", "branch", "sha", "lang", "symbol", "metadata",
    ];

    /// <summary>
    /// Fills <paramref name="record"/> from <paramref name="point"/>. With <paramref name="parentsRead"/> (the
    /// PostgreSQL installation is migrated too) project and dataset become references; alone they would dangle, so
    /// they are kept in metadata.
    /// </summary>
    public static void Map(QdrantPoint point, UnifiedRecord record, int? dimensions, bool parentsRead)
    {
        var payload = point.Payload;
        var content = Text(payload, "content");
        record["content"] = content;
        record["content_hash"] = content is null ? null : RecordChecks.Sha256Hex(content);
        var dense = point.DenseVectors.GetValueOrDefault(DenseVector) ?? point.DenseVectors.GetValueOrDefault("");
        record["dense_vector"] = dense is null ? null : FieldChecks.Vector(dense, dimensions, DenseVector);
        record["sparse_vector"] = point.SparseVectors.TryGetValue(SparseVector, out var sparse) ? SparseJson(sparse) : null;

        var path = Text(payload, "relative_path");
        var extension = Text(payload, "file_extension") ?? ExtensionOf(path);
        var language = Text(payload, "lang") ?? Languages.FromExtension(extension);
        var sourceType = Text(payload, "source_type");
        // claude-context-core writes source_type 'code' for every file of a codebase; its lang tells prose from code.
        var isCode = language is not null ? Languages.IsCode(language) : sourceType == "code";
        record["source_type"] = sourceType;
        record["relative_path"] = path;
        record["start_line"] = Integer(payload, "start_line");
        record["end_line"] = Integer(payload, "end_line");
        record["file_extension"] = extension;
        record["language"] = language;
        record["is_code"] = isCode;
        record["chunk_type"] = isCode ? "code" : "text";

        var known = new JsonObject { ["qdrant_point_id"] = point.Id.ToString("D") };
        foreach (var key in new[] { "repo", "branch", "sha", "symbol" })
        {
            Carry(known, key, payload[key]);
        }

        if (parentsRead)
        {
            record.SetReference("project_id", "projects", Text(payload, "project_id"));
            record.SetReference("dataset_id", "datasets", Text(payload, "dataset_id"));
        }
        else
        {
            Carry(known, "project_id", payload["project_id"]);
            Carry(known, "dataset_id", payload["dataset_id"]);
        }

        // A hybrid point without a summary repeats its dense vector as summary_vector; only a real summary is kept.
        if (point.DenseVectors.TryGetValue(SummaryVector, out var summary) && (dense is null || !summary.AsSpan().SequenceEqual(dense)))
        {
            known[SummaryVector] = new JsonArray([.. FieldChecks.Vector(summary, null, SummaryVector).Select(v => (JsonNode)JsonValue.Create(v))]);
        }

        record["metadata"] = Metadata(payload, known);
    }

    /// <summary>{"indices": [...], "values": [...]}, the form chunks.sparse_vector has for every source.</summary>
    public static string SparseJson(QdrantSparseVector sparse)
    {
        if (sparse.Values.Any(v => !float.IsFinite(v)))
        {
            throw new RecordRejectedException("sparse_vector", "has a non-finite value. Re-index the point.", "SparseVectorInvalid");
        }

        return new JsonObject
        {
            ["indices"] = new JsonArray([.. sparse.Indices.Select(i => (JsonNode)JsonValue.Create(i))]),
            ["values"] = new JsonArray([.. sparse.Values.Select(v => (JsonNode)JsonValue.Create(v))]),
        }.ToJsonString();
    }

    /// <summary>The payload's own metadata object, with the carried fields and unknown payload keys beside it.</summary>
    private static string Metadata(JsonObject payload, JsonObject known)
    {
        var result = payload["metadata"] switch
        {
            null => new JsonObject(),
            JsonObject obj => (JsonObject)obj.DeepClone(),
            var other => new JsonObject { ["value"] = other.DeepClone() },
        };
        var unknown = new JsonObject(payload.Where(p => !KnownPayload.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        foreach (var (key, value) in new[] { ("claude_context", known), ("source_columns", unknown) }.Where(e => e.Item2.Count > 0))
        {
            var name = key;
            for (var n = 2; result.ContainsKey(name); n++)
            {
                name = $"{key}_{n}";
            }

            result[name] = value;
        }

        if (RecordChecks.JsonProblem(result) is { } problem)
        {
            throw new RecordRejectedException("metadata", problem, "TextContainsNul");
        }

        return result.ToJsonString();
    }

    private static void Carry(JsonObject known, string key, JsonNode? value)
    {
        if (value is not null)
        {
            known[key] = value.DeepClone();
        }
    }

    /// <summary>A payload string (a number or boolean as its JSON text); an object or array is a reject.</summary>
    private static string? Text(JsonObject payload, string key) => payload[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => FieldChecks.Text(value.GetValue<string>(), key),
        JsonValue value => value.ToJsonString(),
        var other => throw new RecordRejectedException(key, $"is a JSON {other.GetValueKind()} in the point's payload, not a value. Fix the payload.", "PayloadFieldInvalid"),
    };

    private static int? Integer(JsonObject payload, string key) => payload[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number =>
            throw new RecordRejectedException(key, $"value {value.ToJsonString()} does not fit a 32-bit integer.", "IntegerOutOfRange"),
        var other => throw new RecordRejectedException(key, $"is a JSON {other.GetValueKind()} in the point's payload, not an integer. Fix the payload.", "PayloadFieldInvalid"),
    };

    private static string? ExtensionOf(string? path)
    {
        var extension = path is null ? "" : Path.GetExtension(path);
        return extension.Length > 0 ? extension : null;
    }
}
