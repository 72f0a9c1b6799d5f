using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// How upstream Claude-Context's Milvus data becomes unified records. Upstream has no projects or datasets, so each
/// codebase becomes a project (keyed by its path) and each collection a dataset (keyed by its name): the same keys,
/// hence the same unified ids, on every run. A chunk keeps its chunk id as legacy id, so it gets the unified id the
/// same chunk gets from claude-context-core's PostgreSQL tables.
/// </summary>
internal static class MilvusRecords
{
    public const string CodebasesStep = "codebases";
    public const string CollectionsStep = "collections";

    public static UnifiedRecord Project(MigrationSource source, string codebase)
    {
        var record = source.NewRecord(UnifiedSchema.Projects, CodebasesStep, codebase);
        record["name"] = codebase;
        record["description"] = $"Codebase indexed by Claude-Context (Milvus {source.ConnectionString})";
        record["is_active"] = true;
        record["is_global"] = false;
        record["metadata"] = new JsonObject { ["claude_context"] = new JsonObject { ["codebase_path"] = codebase } }.ToJsonString();
        return record;
    }

    public static UnifiedRecord Dataset(MigrationSource source, MilvusCollection collection)
    {
        var record = source.NewRecord(UnifiedSchema.Datasets, CollectionsStep, collection.Name);
        record.SetReference("project_id", CodebasesStep, collection.Codebase);
        record["name"] = collection.Name;
        record["description"] = $"Milvus collection {collection.Name}";
        record["is_global"] = false;
        record["metadata"] = new JsonObject
        {
            ["claude_context"] = new JsonObject { ["milvus_collection"] = collection.Name, ["hybrid"] = collection.SparseField is not null },
        }.ToJsonString();
        return record;
    }

    /// <summary>A chunk from an entity; a field Milvus should not have let through (wrong type, bad JSON, bad vector) rejects it.</summary>
    public static UnifiedRecord Chunk(MigrationSource source, MilvusCollection collection, JsonObject entity, int? dimensions)
    {
        var id = MilvusBuckets.IdOf(entity);
        var record = source.NewRecord(UnifiedSchema.Chunks, collection.Name, id);
        record.SetReference("project_id", CodebasesStep, collection.Codebase);
        record.SetReference("dataset_id", CollectionsStep, collection.Name);
        var metadata = FieldChecks.Json(Text(entity, "metadata"), "metadata") switch
        {
            null => new JsonObject(),
            JsonObject obj => obj,
            var other => new JsonObject { ["value"] = other.DeepClone() },
        };
        var content = Text(entity, "content");
        var extension = Text(entity, "fileExtension");
        var language = metadata["language"] is JsonValue l && l.GetValueKind() == JsonValueKind.String ? l.GetValue<string>() : Languages.FromExtension(extension);
        record["content"] = content;
        record["content_hash"] = content is null ? null : RecordChecks.Sha256Hex(content);
        record["dense_vector"] = Vector(entity, dimensions ?? collection.Dimension);
        record["relative_path"] = Text(entity, "relativePath");
        record["start_line"] = Integer(entity, "startLine");
        record["end_line"] = Integer(entity, "endLine");
        record["chunk_index"] = metadata["chunkIndex"] is JsonValue i && i.TryGetValue<int>(out var index) ? index : null;
        record["file_extension"] = extension;
        record["language"] = language;
        record["is_code"] = Languages.IsCode(language);
        record["chunk_type"] = Languages.IsCode(language) ? "code" : "text";
        foreach (var extra in entity.Where(f => !MilvusCatalog.KnownFields.Contains(f.Key)))
        {
            // A field this reader does not know is carried, never dropped.
            metadata[$"milvus_{extra.Key}"] = extra.Value?.DeepClone();
        }

        record["metadata"] = metadata.ToJsonString();
        return record;
    }

    private static string? Text(JsonObject entity, string field) => entity[field] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => FieldChecks.Text(value.GetValue<string>(), field),
        _ => throw new RecordRejectedException(field, "is not text. Re-index the codebase, or delete the entity.", "FieldTypeInvalid"),
    };

    private static int? Integer(JsonObject entity, string field) => entity[field] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.TryGetValue<long>(out _) => throw new RecordRejectedException(field, "does not fit a 32-bit integer. Fix the value in the source.", "IntegerOutOfRange"),
        _ => throw new RecordRejectedException(field, "is not an integer. Re-index the codebase, or delete the entity.", "FieldTypeInvalid"),
    };

    private static float[]? Vector(JsonObject entity, int? dimensions)
    {
        if (entity["vector"] is not JsonArray array)
        {
            return entity["vector"] is null ? null
                : throw new RecordRejectedException("vector", "is not an array. Re-index the codebase, or delete the entity.", "VectorInvalid");
        }

        var vector = new float[array.Count];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = array[i] is JsonValue v && v.TryGetValue<float>(out var x) ? x
                : throw new RecordRejectedException("vector", $"has a non-number at index {i}. Re-index the codebase, or delete the entity.", "VectorInvalid");
        }

        return FieldChecks.Vector(vector, dimensions, "vector");
    }
}
