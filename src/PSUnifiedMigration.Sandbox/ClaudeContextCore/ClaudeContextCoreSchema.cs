namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>One column as claude-context-core declares it; the type is written as PostgreSQL's format_type prints it.</summary>
public sealed record ColumnShape(string Name, string Type, string Constraint = "")
{
    public bool NotNull => Constraint.Contains("NOT NULL", StringComparison.Ordinal) || Constraint.Contains("PRIMARY KEY", StringComparison.Ordinal);
}

/// <summary>One table of schema claude_context: its columns in declaration order and its table constraints.</summary>
public sealed record TableShape(string Name, IReadOnlyList<ColumnShape> Columns, params string[] TableConstraints)
{
    public string CreateSql =>
        $"CREATE TABLE IF NOT EXISTS {ClaudeContextCoreSchema.Schema}.\"{Name}\" (\n  "
        + string.Join(",\n  ", Columns.Select(c => $"\"{c.Name}\" {c.Type} {c.Constraint}".TrimEnd()).Concat(TableConstraints))
        + "\n)";
}

/// <summary>
/// The tables of a claude-context-core installation, column for column as its own code creates them, so a
/// generated installation has the real shapes. Checked against Zykairotis/claude-context-core 5b02fcb:
/// services/init-scripts/01-init-pgvector.sql (collections_metadata), 02-init-schema.sql (projects, datasets,
/// documents, web_pages, chunks, crawl_sessions, project_shares), 04-dataset-collections.sql (dataset_collections),
/// src/vectordb/postgres-dual-vectordb.ts (createCollection, createHybridCollection: the _vectors tables) and
/// services/crawl4ai-runner/app (storage/postgres_store.py create_chunks_collection writes claude_context.&lt;collection&gt;;
/// main.py search_chunks reads claude_context.chunks_&lt;collection&gt;, a table no code creates, so its columns are the
/// ones that reader selects). Indexes are left out: a reader never depends on them.
/// </summary>
public static class ClaudeContextCoreSchema
{
    public const string Schema = "claude_context";

    private const string Now = "NOT NULL DEFAULT now()";

    public static TableShape CollectionsMetadata { get; } = new("collections_metadata",
    [
        new("collection_name", "text", "PRIMARY KEY"),
        new("dimension", "integer", "NOT NULL"),
        new("has_dual_vectors", "boolean", "DEFAULT false"),
        new("created_at", "timestamp without time zone", "DEFAULT CURRENT_TIMESTAMP"),
        new("updated_at", "timestamp without time zone", "DEFAULT CURRENT_TIMESTAMP"),
        new("entity_count", "integer", "DEFAULT 0"),
    ]);

    public static TableShape Projects { get; } = new("projects",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("name", "text", "NOT NULL UNIQUE"),
        new("description", "text"),
        new("is_active", "boolean", "NOT NULL DEFAULT true"),
        new("is_global", "boolean", "NOT NULL DEFAULT false"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ]);

    public static TableShape Datasets { get; } = new("datasets",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("project_id", "uuid", $"NOT NULL REFERENCES {Schema}.projects(id) ON DELETE CASCADE"),
        new("name", "text", "NOT NULL"),
        new("description", "text"),
        new("status", "text", "NOT NULL DEFAULT 'active'"),
        new("is_global", "boolean", "NOT NULL DEFAULT false"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ], "UNIQUE (project_id, name)");

    public static TableShape Documents { get; } = new("documents",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("dataset_id", "uuid", $"NOT NULL REFERENCES {Schema}.datasets(id) ON DELETE CASCADE"),
        new("path", "text", "NOT NULL"),
        new("title", "text"),
        new("content", "text"),
        new("file_extension", "text"),
        new("is_global", "boolean", "NOT NULL DEFAULT false"),
        new("metadata", "jsonb", "NOT NULL DEFAULT '{}'::jsonb"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ], "UNIQUE (dataset_id, path)");

    public static TableShape WebPages { get; } = new("web_pages",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("dataset_id", "uuid", $"NOT NULL REFERENCES {Schema}.datasets(id) ON DELETE CASCADE"),
        new("url", "text", "NOT NULL"),
        new("title", "text"),
        new("content", "text"),
        new("status", "text", "NOT NULL DEFAULT 'fetched'"),
        new("is_global", "boolean", "NOT NULL DEFAULT false"),
        new("metadata", "jsonb", "NOT NULL DEFAULT '{}'::jsonb"),
        new("crawled_at", "timestamp with time zone"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ], "UNIQUE (dataset_id, url)");

    /// <summary>The init script's chunk table; nothing in claude-context-core inserts into it, so it stays empty.</summary>
    public static TableShape InitChunks { get; } = new("chunks",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("dataset_id", "uuid", $"NOT NULL REFERENCES {Schema}.datasets(id) ON DELETE CASCADE"),
        new("document_id", "uuid", $"REFERENCES {Schema}.documents(id) ON DELETE CASCADE"),
        new("web_page_id", "uuid", $"REFERENCES {Schema}.web_pages(id) ON DELETE CASCADE"),
        new("source_type", "text", "NOT NULL DEFAULT 'document'"),
        new("chunk_index", "integer"),
        new("text", "text", "NOT NULL"),
        new("summary", "text"),
        new("embedding", "vector(768)"),
        new("metadata", "jsonb", "NOT NULL DEFAULT '{}'::jsonb"),
        new("created_at", "timestamp with time zone", Now),
    ], "CHECK ((document_id IS NOT NULL) OR (web_page_id IS NOT NULL))");

    public static TableShape CrawlSessions { get; } = new("crawl_sessions",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("dataset_id", "uuid", $"NOT NULL REFERENCES {Schema}.datasets(id) ON DELETE CASCADE"),
        new("external_id", "text"),
        new("status", "text", "NOT NULL DEFAULT 'queued'"),
        new("started_at", "timestamp with time zone", Now),
        new("completed_at", "timestamp with time zone"),
        new("pages_crawled", "integer", "NOT NULL DEFAULT 0"),
        new("pages_failed", "integer", "NOT NULL DEFAULT 0"),
        new("metadata", "jsonb", "NOT NULL DEFAULT '{}'::jsonb"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ]);

    public static TableShape ProjectShares { get; } = new("project_shares",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("from_project_id", "uuid", $"NOT NULL REFERENCES {Schema}.projects(id) ON DELETE CASCADE"),
        new("to_project_id", "uuid", $"NOT NULL REFERENCES {Schema}.projects(id) ON DELETE CASCADE"),
        new("resource_type", "text", "NOT NULL"),
        new("resource_id", "uuid", "NOT NULL"),
        new("can_read", "boolean", "NOT NULL DEFAULT true"),
        new("can_write", "boolean", "NOT NULL DEFAULT false"),
        new("can_delete", "boolean", "NOT NULL DEFAULT false"),
        new("shared_at", "timestamp with time zone", Now),
        new("expires_at", "timestamp with time zone"),
    ]);

    public static TableShape DatasetCollections { get; } = new("dataset_collections",
    [
        new("id", "uuid", "PRIMARY KEY DEFAULT gen_random_uuid()"),
        new("dataset_id", "uuid", $"NOT NULL REFERENCES {Schema}.datasets(id) ON DELETE CASCADE"),
        new("collection_name", "text", "NOT NULL UNIQUE"),
        new("vector_db_type", "text", "NOT NULL DEFAULT 'qdrant'"),
        new("dimension", "integer", "NOT NULL DEFAULT 768"),
        new("is_hybrid", "boolean", "NOT NULL DEFAULT true"),
        new("point_count", "bigint", "NOT NULL DEFAULT 0"),
        new("last_indexed_at", "timestamp with time zone"),
        new("last_point_count_sync", "timestamp with time zone"),
        new("created_at", "timestamp with time zone", Now),
        new("updated_at", "timestamp with time zone", Now),
    ], "CONSTRAINT one_collection_per_dataset UNIQUE (dataset_id)");

    /// <summary>The init scripts' tables in creation order (01, 02, 04).</summary>
    public static IReadOnlyList<TableShape> InitTables { get; } =
        [CollectionsMetadata, Projects, Datasets, Documents, WebPages, InitChunks, CrawlSessions, ProjectShares, DatasetCollections];

    /// <summary>
    /// A PostgresDualVectorDatabase collection table (claude_context.&lt;collection&gt;_vectors); hybrid adds summary_vector,
    /// summary and sparse_vector. crawl4ai's create_chunks_collection creates the plain shape under the bare collection name.
    /// </summary>
    public static TableShape VectorsTable(string table, int dimension, bool hybrid)
    {
        var vector = $"vector({dimension})";
        List<ColumnShape> columns = [new("id", "text", "PRIMARY KEY"), new("vector", vector)];
        if (hybrid)
        {
            columns.Add(new("summary_vector", vector));
        }

        columns.Add(new("content", "text"));
        if (hybrid)
        {
            columns.Add(new("summary", "text"));
        }

        columns.AddRange(
        [
            new("relative_path", "text"), new("start_line", "integer"), new("end_line", "integer"), new("file_extension", "text"),
            new("project_id", "uuid"), new("dataset_id", "uuid"), new("source_type", "text"), new("repo", "text"),
            new("branch", "text"), new("sha", "text"), new("lang", "text"), new("symbol", "jsonb"),
        ]);
        if (hybrid)
        {
            columns.Add(new("sparse_vector", "jsonb"));
        }

        columns.Add(new("metadata", "jsonb", "DEFAULT '{}'::jsonb"));
        columns.Add(new("created_at", "timestamp with time zone", "DEFAULT now()"));
        return new TableShape(table, columns);
    }

    /// <summary>The chunks_&lt;collection&gt; table crawl4ai's search reads: exactly the columns its query selects, plus the vector it orders by.</summary>
    public static TableShape CrawlChunksTable(string table, int dimension) => new(table,
    [
        new("id", "text", "PRIMARY KEY"),
        new("chunk_text", "text", "NOT NULL"),
        new("summary", "text"),
        new("is_code", "boolean", "NOT NULL"),
        new("language", "text"),
        new("relative_path", "text"),
        new("chunk_index", "integer"),
        new("model_used", "text"),
        new("project_id", "uuid"),
        new("dataset_id", "uuid"),
        new("scope", "text"),
        new("vector", $"vector({dimension})"),
    ]);
}
