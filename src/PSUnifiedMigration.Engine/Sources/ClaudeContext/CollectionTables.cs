using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>
/// How a chunk collection table (claude-context-core's &lt;collection&gt;_vectors, plain or hybrid; crawl4ai's
/// &lt;collection&gt; and chunks_&lt;collection&gt;) maps onto unified chunks. One mapping reads them all: a column a table
/// lacks reads as NULL, and columns no mapping knows go to metadata.source_columns as everywhere.
/// </summary>
internal static class CollectionTables
{
    /// <summary>The chunk's dataset: the row's own, else the one dataset_collections links to the collection.</summary>
    public const string DatasetAlias = "__collection_dataset_id";

    /// <summary>The chunk's project: the row's own, else the project of its dataset.</summary>
    public const string ProjectAlias = "__collection_project_id";

    public static ClaudeTableSpec Spec(string table, string collection, string textColumn, string vectorColumn) => new(table, UnifiedSchema.Chunks,
    [
        new(textColumn, "text"), new(vectorColumn, "real[]"), new("summary", "text"), new("summary_vector", "real[]"),
        new("sparse_vector", "json"), new("relative_path", "text"), new("start_line", "bigint"), new("end_line", "bigint"),
        new("chunk_index", "bigint"), new("file_extension", "text"), new("project_id", "text"), new("dataset_id", "text"),
        new("source_type", "text"), new("repo", "text"), new("branch", "text"), new("sha", "text"), new("lang", "text"),
        new("language", "text"), new("is_code", "boolean"), new("symbol", "json"), new("scope", "text"), new("model_used", "text"),
        new("metadata", "json"), new("created_at", "timestamptz"),
    ], [], vectorColumn, (row, record, dimensions) =>
    {
        var path = row.Text("relative_path");
        var extension = row.Text("file_extension") ?? ClaudeContextTables.ExtensionOf(path);
        var language = row.Text("lang") ?? row.Text("language") ?? Languages.FromExtension(extension);
        var metadata = row.Json("metadata");
        var isCode = IsCode(row, metadata, language);
        record.SetReference("project_id", "projects", row.Text(ProjectAlias));
        record.SetReference("dataset_id", "datasets", row.Text(DatasetAlias));
        ClaudeContextTables.SetContent(record, row.Text(textColumn));
        record["dense_vector"] = row.Vector(vectorColumn, dimensions);
        record["sparse_vector"] = ClaudeContextTables.SparseVector(row.Json("sparse_vector"));
        record["summary"] = row.Text("summary");

        // A summary vector has its own dimension (the summary model's), so the store's dimension is not imposed on it.
        record["summary_vector"] = row.Vector("summary_vector", null);
        record["chunk_type"] = isCode ? "code" : "text";
        record["source_type"] = row.Text("source_type");
        record["relative_path"] = path;
        record["start_line"] = row.Integer("start_line");
        record["end_line"] = row.Integer("end_line");
        record["chunk_index"] = row.Integer("chunk_index");
        record["language"] = language;
        record["is_code"] = isCode;
        record["file_extension"] = extension;
        record["metadata"] = ClaudeContextTables.Metadata(row, "metadata",
        [
            ("collection", collection), ("repo", row.Text("repo")), ("branch", row.Text("branch")), ("sha", row.Text("sha")),
            ("symbol", row.Json("symbol")), ("scope", row.Text("scope")), ("model_used", row.Text("model_used")),
        ]);
        record["created_at"] = row.Timestamp("created_at");
    }, collection);

    /// <summary>
    /// The select expressions of a collection row's dataset and project: the row's own columns, else the dataset
    /// dataset_collections links to the collection (by its name, from the catalog) and that dataset's project.
    /// </summary>
    public static IReadOnlyList<string> LookupExpressions(ClaudeContextCatalog catalog, CatalogTable table, string collection)
    {
        var links = catalog.Table("dataset_collections");
        var linked = links?.Column("collection_name") is not null && links.Column("dataset_id") is not null
            ? $"(SELECT l.\"dataset_id\"::text FROM {catalog.QualifiedName(links.Name)} AS l WHERE l.\"collection_name\" = {Sql.Literal(collection)} LIMIT 1)"
            : "NULL::text";
        var dataset = table.Column("dataset_id") is null ? linked : $"COALESCE(s.\"dataset_id\"::text, {linked})";
        var datasets = catalog.Table("datasets");
        var ofDataset = datasets?.Column("id") is not null && datasets.Column("project_id") is not null
            ? $"(SELECT d.\"project_id\"::text FROM {catalog.QualifiedName(datasets.Name)} AS d WHERE d.\"id\"::text = {dataset} LIMIT 1)"
            : "NULL::text";
        var project = table.Column("project_id") is null ? ofDataset : $"COALESCE(s.\"project_id\"::text, {ofDataset})";
        return [$"{dataset} AS {Sql.Quote(DatasetAlias)}", $"{project} AS {Sql.Quote(ProjectAlias)}"];
    }

    /// <summary>
    /// The table's is_code where it has one (crawl4ai's chunks_ table), else the flag crawl4ai writes into metadata, else
    /// the language (claude-context-core files .md and unknown extensions as 'text'), else the source type.
    /// </summary>
    private static bool IsCode(SourceRow row, JsonNode? metadata, string? language) =>
        row.Boolean("is_code")
        ?? (metadata is JsonObject obj && obj["is_code"] is JsonValue flag && flag.TryGetValue<bool>(out var value) ? value : (bool?)null)
        ?? (language is not null ? Languages.IsCode(language) : row.Text("source_type") == "code");
}
