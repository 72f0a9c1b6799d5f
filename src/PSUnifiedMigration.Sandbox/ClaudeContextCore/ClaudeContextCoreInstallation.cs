using System.Text.Json.Nodes;
using Npgsql;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>How big a generated claude-context-core installation is; small by default so tests stay fast.</summary>
public sealed record ClaudeContextCoreOptions
{
    /// <summary>Content, ids and vectors are a function of the options, this seed included.</summary>
    public int Seed { get; init; } = 1;

    public int Dimension { get; init; } = 8;

    public int RowsPerTable { get; init; } = 6;
}

/// <summary>The four places claude-context-core keeps chunks in PostgreSQL.</summary>
public enum CoreChunkTableKind
{
    /// <summary>PostgresDualVectorDatabase.createCollection: claude_context.&lt;collection&gt;_vectors.</summary>
    Plain,

    /// <summary>PostgresDualVectorDatabase.createHybridCollection: adds summary, summary_vector and sparse_vector.</summary>
    Hybrid,

    /// <summary>crawl4ai's create_chunks_collection: the plain columns under the bare collection name.</summary>
    CrawlWritten,

    /// <summary>The claude_context.chunks_&lt;collection&gt; table crawl4ai's search reads.</summary>
    CrawlChunks,
}

/// <summary>One generated chunk table and exactly what it holds.</summary>
public sealed record CoreChunkTable(
    string Collection,
    TableShape Shape,
    CoreChunkTableKind Kind,
    int Dimension,
    Guid ProjectId,
    Guid DatasetId,
    IReadOnlyList<CodebaseChunk> CodeRows,
    IReadOnlyList<CrawledChunk> CrawledRows)
{
    public string Table => Shape.Name;

    public bool IsHybrid => Kind == CoreChunkTableKind.Hybrid;

    public IReadOnlyList<string> Ids => Kind is CoreChunkTableKind.Plain or CoreChunkTableKind.Hybrid ? CodeRows.Select(c => c.Id).ToList() : CrawledRows.Select(c => c.Id).ToList();

    public int RowCount => Ids.Count;

    /// <summary>The provenance the indexer records for code chunks (null for crawled ones): repo, branch and commit.</summary>
    public string? Repo => CodeRows.Count > 0 ? "acme/" + Collection : null;

    public string? Branch => CodeRows.Count > 0 ? "main" : null;

    public string? Sha => CodeRows.Count > 0 ? Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(DatasetId.ToByteArray())).ToLowerInvariant() : null;
}

/// <summary>What a generated installation holds, for tests to assert exactly.</summary>
public sealed record ClaudeContextCoreFacts(
    Guid DefaultProjectId,
    Guid ProjectId,
    IReadOnlyDictionary<string, Guid> DatasetIds,
    IReadOnlyList<TableShape> InitTables,
    IReadOnlyList<CoreChunkTable> ChunkTables)
{
    public CoreChunkTable Table(CoreChunkTableKind kind) => ChunkTables.Single(t => t.Kind == kind);
}

/// <summary>
/// Writes a claude-context-core installation into a PostgreSQL database with pgvector (PGlite in the tests) in the
/// shapes its own code writes: the init scripts' tables with the seeded 'default' project and an empty chunks
/// table, one plain and one hybrid PostgresDualVectorDatabase table, crawl4ai's unified table and its
/// chunks_&lt;collection&gt; table, and the collections_metadata and dataset_collections rows that describe them.
/// Shapes: <see cref="ClaudeContextCoreSchema"/>; rows: <see cref="CodebaseChunks"/>, <see cref="CrawledChunks"/>.
/// </summary>
public static class ClaudeContextCoreInstallation
{
    private const string Schema = ClaudeContextCoreSchema.Schema;

    public static async Task<ClaudeContextCoreFacts> CreateAsync(string connectionString, ClaudeContextCoreOptions options, CancellationToken ct = default)
    {
        var facts = Describe(options);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector", ct);
        await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {Schema}", ct);
        foreach (var table in facts.InitTables.Concat(facts.ChunkTables.Select(t => t.Shape)))
        {
            await ExecuteAsync(connection, table.CreateSql, ct);
        }

        await InsertAsync(connection, "projects (id, name, description, is_active, is_global)", ct, facts.DefaultProjectId, "default", "Default project", true, true);
        await InsertAsync(connection, "projects (id, name, description)", ct, facts.ProjectId, "acme", "Generated sample project");
        foreach (var (name, id) in facts.DatasetIds)
        {
            await InsertAsync(connection, "datasets (id, project_id, name)", ct, id, facts.ProjectId, name);
        }

        foreach (var table in facts.ChunkTables)
        {
            await WriteCollectionRowsAsync(connection, table, ct);
            await WriteSourcesAsync(connection, table, ct);
            foreach (var row in table.CodeRows)
            {
                await InsertCodeRowAsync(connection, table, row, ct);
            }

            foreach (var row in table.CrawledRows)
            {
                await InsertCrawledRowAsync(connection, table, row, ct);
            }
        }

        return facts;
    }

    /// <summary>The installation <see cref="CreateAsync"/> writes for these options, without writing it.</summary>
    public static ClaudeContextCoreFacts Describe(ClaudeContextCoreOptions o)
    {
        var random = new Random(o.Seed);
        Guid NextId()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }

        var (defaultProject, project) = (NextId(), NextId());
        var datasets = new Dictionary<string, Guid> { ["backend"] = NextId(), ["frontend"] = NextId(), ["docs"] = NextId() };
        var plain = "project_acme_dataset_backend";
        var hybrid = ClaudeContextIds.CodebaseCollection("/home/dev/acme-web", hybrid: true);
        var crawl = "project_acme_dataset_docs";
        var n = o.RowsPerTable;
        CoreChunkTable Code(string collection, CoreChunkTableKind kind, string dataset, string codebase, int seed) =>
            new(collection, ClaudeContextCoreSchema.VectorsTable(ClaudeContextIds.VectorsTable(collection), o.Dimension, kind == CoreChunkTableKind.Hybrid),
                kind, o.Dimension, project, datasets[dataset], CodebaseChunks.Generate(seed, n, o.Dimension, codebase, withSummaries: kind == CoreChunkTableKind.Hybrid), []);
        CoreChunkTable Crawled(TableShape shape, CoreChunkTableKind kind, int seed) =>
            new(crawl, shape, kind, o.Dimension, project, datasets["docs"], [], CrawledChunks.Generate(seed, n, o.Dimension, "local"));
        return new ClaudeContextCoreFacts(defaultProject, project, datasets, ClaudeContextCoreSchema.InitTables,
        [
            Code(plain, CoreChunkTableKind.Plain, "backend", "/home/dev/acme-api", o.Seed + 1),
            Code(hybrid, CoreChunkTableKind.Hybrid, "frontend", "/home/dev/acme-web", o.Seed + 2),
            Crawled(ClaudeContextCoreSchema.VectorsTable(crawl, o.Dimension, hybrid: false), CoreChunkTableKind.CrawlWritten, o.Seed + 3),
            Crawled(ClaudeContextCoreSchema.CrawlChunksTable("chunks_" + crawl, o.Dimension), CoreChunkTableKind.CrawlChunks, o.Seed + 4),
        ]);
    }

    /// <summary>
    /// The rows that describe a collection: PostgresDualVectorDatabase registers its collections in collections_metadata
    /// (entity_count kept current); dataset_collections links a dataset to one collection (crawl4ai records it as qdrant, hybrid).
    /// </summary>
    private static async Task WriteCollectionRowsAsync(NpgsqlConnection connection, CoreChunkTable table, CancellationToken ct)
    {
        if (table.Kind is CoreChunkTableKind.Plain or CoreChunkTableKind.Hybrid)
        {
            await InsertAsync(connection, "collections_metadata (collection_name, dimension, has_dual_vectors, entity_count)", ct,
                table.Collection, table.Dimension, table.IsHybrid, table.RowCount);
            await InsertAsync(connection, "dataset_collections (dataset_id, collection_name, vector_db_type, dimension, is_hybrid, point_count)", ct,
                table.DatasetId, table.Collection, "postgres", table.Dimension, table.IsHybrid, (long)table.RowCount);
        }
        else if (table.Kind == CoreChunkTableKind.CrawlWritten)
        {
            await InsertAsync(connection, "dataset_collections (dataset_id, collection_name, vector_db_type, dimension, is_hybrid, point_count)", ct,
                table.DatasetId, table.Collection, "qdrant", table.Dimension, true, (long)table.RowCount);
        }
    }

    /// <summary>The documents and web pages the chunks came from, one per file or page.</summary>
    private static async Task WriteSourcesAsync(NpgsqlConnection connection, CoreChunkTable table, CancellationToken ct)
    {
        var (sql, sources) = table.Kind switch
        {
            CoreChunkTableKind.Plain or CoreChunkTableKind.Hybrid => ("documents (dataset_id, path, title, file_extension)",
                table.CodeRows.Select(r => (r.RelativePath, (string?)r.FileExtension)).Distinct()),
            CoreChunkTableKind.CrawlWritten => ("web_pages (dataset_id, url, title, crawled_at)",
                table.CrawledRows.Select(r => (r.RelativePath, (string?)null)).Distinct()),
            _ => ("", []),
        };
        foreach (var (path, extension) in sources)
        {
            object?[] values = extension is null ? [table.DatasetId, path, path, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)] : [table.DatasetId, path, path, extension];
            await InsertAsync(connection, sql, ct, values);
        }
    }

    /// <summary>The columns and values insert / insertHybrid write (symbol stays null: processChunkBatch never sets it).</summary>
    private static Task InsertCodeRowAsync(NpgsqlConnection connection, CoreChunkTable table, CodebaseChunk row, CancellationToken ct)
    {
        object?[] common = [row.RelativePath, row.StartLine, row.EndLine, row.FileExtension, table.ProjectId, table.DatasetId, "code",
            table.Repo, table.Branch, table.Sha, row.Lang, null, new Jsonb(row.Metadata.ToJsonString())];
        const string commonColumns = "relative_path, start_line, end_line, file_extension, project_id, dataset_id, source_type, repo, branch, sha, lang, symbol, metadata";
        return table.IsHybrid
            ? InsertAsync(connection, $"\"{table.Table}\" (id, vector, summary_vector, content, summary, {commonColumns})", ct,
                [row.Id, new Vector(row.Vector), row.SummaryVector is null ? null : new Vector(row.SummaryVector), row.Content, row.Summary, .. common])
            : InsertAsync(connection, $"\"{table.Table}\" (id, vector, content, {commonColumns})", ct, [row.Id, new Vector(row.Vector), row.Content, .. common]);
    }

    /// <summary>crawl4ai's insert_chunks mapping for its unified table; the chunks_ table takes the chunk's own fields.</summary>
    private static Task InsertCrawledRowAsync(NpgsqlConnection connection, CoreChunkTable table, CrawledChunk row, CancellationToken ct) =>
        table.Kind == CoreChunkTableKind.CrawlWritten
            ? InsertAsync(connection, $"\"{table.Table}\" (id, vector, content, relative_path, start_line, end_line, file_extension, project_id, dataset_id, source_type, repo, branch, sha, lang, symbol, metadata)", ct,
                row.Id, new Vector(row.Vector), row.ChunkText, row.RelativePath, row.StartChar, row.EndChar, null, table.ProjectId, table.DatasetId, "web",
                null, null, null, row.Language, null, new Jsonb(row.UnifiedMetadata().ToJsonString()))
            : InsertAsync(connection, $"\"{table.Table}\" (id, chunk_text, summary, is_code, language, relative_path, chunk_index, model_used, project_id, dataset_id, scope, vector)", ct,
                row.Id, row.ChunkText, row.Summary, row.IsCode, row.Language, row.RelativePath, row.ChunkIndex, row.ModelUsed, table.ProjectId, table.DatasetId, row.Scope, new Vector(row.Vector));

    /// <summary>A value written as pgvector's text form and cast to vector, so no client-side vector type is needed.</summary>
    private sealed record Vector(float[] Values);

    /// <summary>A JSON text cast to jsonb.</summary>
    private sealed record Jsonb(string Json);

    /// <summary>INSERT INTO claude_context.&lt;target&gt; VALUES ($1, ...), each value a parameter, vectors and JSON cast in SQL.</summary>
    private static async Task InsertAsync(NpgsqlConnection connection, string target, CancellationToken ct, params object?[] values)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        var placeholders = new List<string>();
        for (var i = 0; i < values.Length; i++)
        {
            var (value, cast) = values[i] switch
            {
                Vector v => ((object)CodebaseChunks.VectorText(v.Values), "::vector"),
                Jsonb j => (j.Json, "::jsonb"),
                null => (DBNull.Value, ""),
                var other => (other, ""),
            };
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            placeholders.Add($"${i + 1}{cast}");
        }

        command.CommandText = $"INSERT INTO {Schema}.{target} VALUES ({string.Join(", ", placeholders)})";
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
