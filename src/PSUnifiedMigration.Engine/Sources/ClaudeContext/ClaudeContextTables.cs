using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>How a known source column is read: the SQL type it is cast to.</summary>
internal sealed record KnownColumn(string Name, string Cast);

/// <summary>A value fetched from another source table by key, e.g. a chunk's project through its dataset.</summary>
internal sealed record Lookup(string Alias, string Table, string LocalColumn, string ValueColumn);

/// <summary>How one Claude-Context table maps onto one unified table; Collection names the chunk collection a collection table holds.</summary>
internal sealed record ClaudeTableSpec(
    string SourceTable,
    UnifiedTable Target,
    IReadOnlyList<KnownColumn> Known,
    IReadOnlyList<Lookup> Lookups,
    string? VectorColumn,
    Action<SourceRow, UnifiedRecord, int?> Map,
    string? Collection = null);

/// <summary>
/// The Claude-Context tables (source-systems.md §2a) and their transforms. Known columns that have no
/// unified column go to metadata.claude_context; columns the tool does not know go to metadata.source_columns.
/// </summary>
internal static class ClaudeContextTables
{
    public const string ExtraColumnsAlias = "__source_columns";

    private static readonly KnownColumn[] Timestamps = [new("created_at", "timestamptz"), new("updated_at", "timestamptz")];

    public static readonly ClaudeTableSpec Projects = new("projects", UnifiedSchema.Projects,
    [
        new("name", "text"), new("description", "text"), new("is_active", "boolean"), new("is_global", "boolean"), .. Timestamps,
    ], [], null, (row, record, _) =>
    {
        record["name"] = row.Text("name");
        record["description"] = row.Text("description");
        record["is_active"] = row.Boolean("is_active");
        record["is_global"] = row.Boolean("is_global");
        record["metadata"] = Metadata(row, null, []);
        SetTimestamps(row, record);
    });

    public static readonly ClaudeTableSpec Datasets = new("datasets", UnifiedSchema.Datasets,
    [
        new("project_id", "text"), new("name", "text"), new("description", "text"), new("status", "text"), new("is_global", "boolean"), .. Timestamps,
    ], [], null, (row, record, _) =>
    {
        record.SetReference("project_id", "projects", row.Text("project_id"));
        record["name"] = row.Text("name");
        record["description"] = row.Text("description");
        record["status"] = row.Text("status");
        record["is_global"] = row.Boolean("is_global");
        record["metadata"] = Metadata(row, null, []);
        SetTimestamps(row, record);
    });

    public static readonly ClaudeTableSpec Documents = new("documents", UnifiedSchema.Documents,
    [
        new("dataset_id", "text"), new("path", "text"), new("title", "text"), new("content", "text"), new("file_extension", "text"),
        new("is_global", "boolean"), new("metadata", "json"), .. Timestamps,
    ], [], null, (row, record, _) =>
    {
        record.SetReference("dataset_id", "datasets", row.Text("dataset_id"));
        record["document_type"] = "document";
        record["path"] = row.Text("path");
        record["title"] = row.Text("title");
        SetContent(record, row.Text("content"));
        record["file_extension"] = row.Text("file_extension");
        record["metadata"] = Metadata(row, "metadata", [("is_global", row.Boolean("is_global"))]);
        SetTimestamps(row, record);
    });

    public static readonly ClaudeTableSpec WebPages = new("web_pages", UnifiedSchema.Documents,
    [
        new("dataset_id", "text"), new("url", "text"), new("title", "text"), new("content", "text"), new("status", "text"),
        new("is_global", "boolean"), new("metadata", "json"), new("crawled_at", "timestamptz"), .. Timestamps,
    ], [], null, (row, record, _) =>
    {
        record.SetReference("dataset_id", "datasets", row.Text("dataset_id"));
        record["document_type"] = "web_page";
        record["url"] = row.Text("url");
        record["title"] = row.Text("title");
        SetContent(record, row.Text("content"));
        record["status"] = row.Text("status");
        record["metadata"] = Metadata(row, "metadata", [("is_global", row.Boolean("is_global")), ("crawled_at", row.Timestamp("crawled_at"))]);
        SetTimestamps(row, record);
    });

    /// <summary>Chunks as the init script defines them: text + embedding, tied to a document or a web page.</summary>
    public static readonly ClaudeTableSpec SchemaLayoutChunks = new("chunks", UnifiedSchema.Chunks,
    [
        new("dataset_id", "text"), new("document_id", "text"), new("web_page_id", "text"), new("source_type", "text"),
        new("chunk_index", "bigint"), new("text", "text"), new("summary", "text"), new("embedding", "real[]"),
        new("metadata", "json"), new("created_at", "timestamptz"),
    ],
    [
        new("__project_id", "datasets", "dataset_id", "project_id"),
        new("__document_path", "documents", "document_id", "path"),
        new("__document_extension", "documents", "document_id", "file_extension"),
        new("__web_page_url", "web_pages", "web_page_id", "url"),
    ], "embedding", (row, record, dimensions) =>
    {
        var webPageId = row.Text("web_page_id");
        var documentId = row.Text("document_id");
        record.SetReference("project_id", "projects", row.Text("__project_id"));
        record.SetReference("dataset_id", "datasets", row.Text("dataset_id"));
        record.SetReference("document_id", documentId is null && webPageId is not null ? "web_pages" : "documents", documentId ?? webPageId);
        var path = row.Text("__document_path") ?? row.Text("__web_page_url");
        var extension = row.Text("__document_extension") ?? ExtensionOf(path);
        var language = Languages.FromExtension(extension);
        SetContent(record, row.Text("text"));
        record["dense_vector"] = row.Vector("embedding", dimensions);
        record["source_type"] = row.Text("source_type");
        record["relative_path"] = path;
        record["chunk_index"] = row.Integer("chunk_index");
        record["file_extension"] = extension;
        record["language"] = language;
        record["is_code"] = Languages.IsCode(language);
        record["chunk_type"] = Languages.IsCode(language) ? "code" : "text";
        // The unified chunk points at one document; a web page id given as well is kept in metadata.
        record["metadata"] = Metadata(row, "metadata",
            [("summary", row.Text("summary")), ("web_page_id", documentId is not null ? webPageId : null)]);
        record["created_at"] = row.Timestamp("created_at");
    });

    /// <summary>Chunks as the live database holds them (the layout the seed's transform_chunk reads).</summary>
    public static readonly ClaudeTableSpec LiveLayoutChunks = new("chunks", UnifiedSchema.Chunks,
    [
        new("content", "text"), new("vector", "real[]"), new("sparse_vector", "json"), new("relative_path", "text"),
        new("start_line", "bigint"), new("end_line", "bigint"), new("repo", "text"), new("branch", "text"), new("sha", "text"),
        new("lang", "text"), new("symbol", "json"), new("is_code", "boolean"), new("source_type", "text"),
        new("project_id", "text"), new("dataset_id", "text"), new("metadata", "json"), new("created_at", "timestamptz"),
    ], [], "vector", (row, record, dimensions) =>
    {
        var isCode = row.Boolean("is_code") ?? false;
        var path = row.Text("relative_path");
        record.SetReference("project_id", "projects", row.Text("project_id"));
        record.SetReference("dataset_id", "datasets", row.Text("dataset_id"));
        SetContent(record, row.Text("content"));
        record["dense_vector"] = row.Vector("vector", dimensions);
        record["sparse_vector"] = SparseVector(row.Json("sparse_vector"));
        record["chunk_type"] = isCode ? "code" : "text";
        record["source_type"] = row.Text("source_type");
        record["relative_path"] = path;
        record["start_line"] = row.Integer("start_line");
        record["end_line"] = row.Integer("end_line");
        record["language"] = row.Text("lang");
        record["is_code"] = isCode;
        record["file_extension"] = ExtensionOf(path);
        record["metadata"] = Metadata(row, "metadata",
            [("repo", row.Text("repo")), ("branch", row.Text("branch")), ("sha", row.Text("sha")), ("symbol", row.Json("symbol"))]);
        record["created_at"] = row.Timestamp("created_at");
    });

    public static IReadOnlyList<ClaudeTableSpec> ParentTables { get; } = [Projects, Datasets, Documents, WebPages];

    private static void SetTimestamps(SourceRow row, UnifiedRecord record)
    {
        record["created_at"] = row.Timestamp("created_at");
        record["updated_at"] = row.Timestamp("updated_at");
    }

    internal static void SetContent(UnifiedRecord record, string? content)
    {
        record["content"] = content;
        record["content_hash"] = content is null ? null : RecordChecks.Sha256Hex(content);
    }

    /// <summary>
    /// The unified metadata object: the source's own metadata, known columns without a unified home
    /// under "claude_context", and unknown columns under "source_columns", so nothing is dropped.
    /// </summary>
    internal static string Metadata(SourceRow row, string? metadataColumn, IReadOnlyList<(string Key, object? Value)> carried)
    {
        var metadata = metadataColumn is null ? null : row.Json(metadataColumn);
        var result = metadata switch
        {
            null => new JsonObject(),
            JsonObject obj => obj,
            _ => new JsonObject { ["value"] = metadata },
        };

        var known = new JsonObject();
        foreach (var (key, value) in carried)
        {
            if (value is not null)
            {
                known[key] = value switch
                {
                    JsonNode node => node,
                    // In DateTime's range as before (System.Text.Json's ISO form); beyond it, PostgreSQL's ISO spelling.
                    ExactTimestamp time => time.ToDateTime() is { } inRange ? JsonValue.Create(inRange) : JsonValue.Create(time.ToString()),
                    _ => JsonValue.Create(value),
                };
            }
        }

        if (known.Count > 0)
        {
            result[UnusedKey(result, "claude_context")] = known;
        }

        if (row.Json(ExtraColumnsAlias) is JsonObject extra && extra.Count > 0)
        {
            result[UnusedKey(result, "source_columns")] = extra;
        }

        return result.ToJsonString();
    }

    /// <summary>The key itself, or key_2, key_3, ... when the source's own metadata already uses it, so nothing is overwritten.</summary>
    private static string UnusedKey(JsonObject metadata, string key)
    {
        var candidate = key;
        for (var n = 2; metadata.ContainsKey(candidate); n++)
        {
            candidate = $"{key}_{n}";
        }

        return candidate;
    }

    internal static string? SparseVector(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        const string Remedy = "Expected {\"indices\": [int, ...], \"values\": [number, ...]} of equal length; fix or clear the value.";
        if (node is not JsonObject obj || obj["indices"] is not JsonArray indices || obj["values"] is not JsonArray values || indices.Count != values.Count)
        {
            throw new RecordRejectedException("sparse_vector", "is not a sparse vector. " + Remedy, "SparseVectorInvalid");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (indices[i] is not JsonValue index || !index.TryGetValue<long>(out var position) || position < 0 ||
                values[i] is not JsonValue value || !value.TryGetValue<double>(out var number) || !double.IsFinite(number))
            {
                throw new RecordRejectedException("sparse_vector", $"has an invalid entry at position {i}. " + Remedy, "SparseVectorInvalid");
            }
        }

        return obj.ToJsonString();
    }

    internal static string? ExtensionOf(string? path)
    {
        var extension = path is null ? "" : Path.GetExtension(path.Split('?', '#')[0]);
        return extension.Length > 0 ? extension : null;
    }
}
