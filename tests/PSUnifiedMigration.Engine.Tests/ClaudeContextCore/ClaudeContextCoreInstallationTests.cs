using System.Globalization;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>One generated claude-context-core installation in PGlite (real pgvector), shared by the tests that read it.</summary>
public sealed class ClaudeContextCoreInstallationFixture : IAsyncLifetime
{
    private PgliteServer? _server;

    public string ConnectionString => _server!.ConnectionString;

    public ClaudeContextCoreFacts Facts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
        Facts = await ClaudeContextCoreInstallation.CreateAsync(ConnectionString, new ClaudeContextCoreOptions { Seed = 5, RowsPerTable = 9 });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The generator writes claude-context-core's real shapes, checked through the catalogue, and exactly the rows its facts list.</summary>
public class ClaudeContextCoreInstallationTests(ClaudeContextCoreInstallationFixture fixture) : IClassFixture<ClaudeContextCoreInstallationFixture>
{
    private ClaudeContextCoreFacts Facts => fixture.Facts;

    private Task<List<object?[]>> RowsAsync(string sql) => TestDatabase.RowsAsync(fixture.ConnectionString, sql);

    private async Task<List<string>> ColumnsAsync(string table) =>
        (await RowsAsync($"""
            SELECT attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
            FROM pg_attribute WHERE attrelid = 'claude_context."{table}"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """)).Select(r => (string)r[0]!).ToList();

    [Fact]
    public async Task Every_table_has_the_columns_types_and_nullability_of_its_shape_in_order()
    {
        var tables = (await RowsAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'claude_context' ORDER BY 1")).Select(r => (string)r[0]!);
        var shapes = Facts.InitTables.Concat(Facts.ChunkTables.Select(t => t.Shape)).ToList();

        Assert.Equal(shapes.Select(s => s.Name).Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
        foreach (var shape in shapes)
        {
            Assert.Equal(shape.Columns.Select(c => $"{c.Name} {c.Type}{(c.NotNull ? " not null" : "")}"), await ColumnsAsync(shape.Name));
        }
    }

    /// <summary>Written out from postgres-dual-vectordb.ts and 02-init-schema.sql, independently of the shapes the generator uses.</summary>
    [Fact]
    public async Task The_vectors_tables_have_postgres_dual_vectordb_columns_and_no_is_code()
    {
        const string common = "relative_path text,start_line integer,end_line integer,file_extension text,project_id uuid,dataset_id uuid,source_type text,repo text,branch text,sha text,lang text,symbol jsonb";
        Assert.Equal($"id text not null,vector vector(8),content text,{common},metadata jsonb,created_at timestamp with time zone",
            string.Join(',', await ColumnsAsync(Facts.Table(CoreChunkTableKind.Plain).Table)));
        Assert.Equal($"id text not null,vector vector(8),summary_vector vector(8),content text,summary text,{common},sparse_vector jsonb,metadata jsonb,created_at timestamp with time zone",
            string.Join(',', await ColumnsAsync(Facts.Table(CoreChunkTableKind.Hybrid).Table)));
        Assert.Contains("embedding vector(768)", await ColumnsAsync("chunks"));
        Assert.Equal(0L, (await RowsAsync("SELECT count(*) FROM claude_context.chunks"))[0][0]);
        Assert.Equal("project_acme_dataset_backend_vectors", Facts.Table(CoreChunkTableKind.Plain).Table);
        Assert.Matches("^hybrid_code_chunks_[0-9a-f]{8}_vectors$", Facts.Table(CoreChunkTableKind.Hybrid).Table);
        Assert.Equal("chunks_project_acme_dataset_docs", Facts.Table(CoreChunkTableKind.CrawlChunks).Table);
    }

    [Fact]
    public async Task Every_chunk_table_holds_exactly_the_ids_of_its_facts()
    {
        foreach (var table in Facts.ChunkTables)
        {
            var ids = (await RowsAsync($"SELECT id FROM claude_context.\"{table.Table}\"")).Select(r => (string)r[0]!);
            Assert.Equal(9, table.RowCount);
            Assert.Equal(table.Ids.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Code_chunk_ids_recompute_from_each_rows_own_columns_as_the_indexer_computes_them()
    {
        foreach (var kind in new[] { CoreChunkTableKind.Plain, CoreChunkTableKind.Hybrid })
        {
            var rows = await RowsAsync($"SELECT id, relative_path, start_line, end_line, (metadata->>'chunkIndex')::int, content, file_extension, lang FROM claude_context.\"{Facts.Table(kind).Table}\"");
            foreach (var row in rows)
            {
                Assert.Matches("^chunk_[0-9a-f]{16}$", (string)row[0]!);
                Assert.Equal(row[0], ClaudeContextIds.CoreChunkId((string)row[1]!, (int)row[2]!, (int)row[3]!, (int)row[4]!, (string)row[5]!));
                Assert.Equal(CodebaseChunks.LanguageOf((string)row[6]!), row[7]);
            }

            Assert.Contains(rows, r => (string)r[7]! == "text");
            Assert.Contains(rows, r => (string)r[7]! != "text");
        }
    }

    [Fact]
    public async Task Vectors_and_summary_vectors_are_stored_bit_for_bit_and_sparse_and_symbol_stay_null()
    {
        var hybrid = Facts.Table(CoreChunkTableKind.Hybrid);
        var rows = await RowsAsync($"SELECT id, vector::text, summary_vector::text, summary, sparse_vector IS NULL AND symbol IS NULL, repo, sha FROM claude_context.\"{hybrid.Table}\"");
        foreach (var row in rows)
        {
            var chunk = hybrid.CodeRows.Single(c => c.Id == (string)row[0]!);
            Assert.Equal(chunk.Vector, Floats((string)row[1]!));
            Assert.Equal(chunk.SummaryVector, row[2] is string s ? Floats(s) : null);
            Assert.Equal(chunk.Summary, row[3]);
            Assert.True((bool)row[4]!);
            Assert.Equal(hybrid.Repo, row[5]);
            Assert.Equal(hybrid.Sha, row[6]);
        }

        Assert.Contains(rows, r => r[2] is null);
        Assert.Contains(rows, r => r[2] is not null);
    }

    [Fact]
    public async Task Crawled_chunks_keep_their_fields_in_columns_or_in_metadata()
    {
        var chunks = await RowsAsync($"SELECT id, is_code, scope, model_used, chunk_index FROM claude_context.\"{Facts.Table(CoreChunkTableKind.CrawlChunks).Table}\"");
        Assert.Contains(chunks, r => (bool)r[1]!);
        Assert.Contains(chunks, r => !(bool)r[1]!);
        var written = Facts.Table(CoreChunkTableKind.CrawlWritten);
        var rows = await RowsAsync($"SELECT id, source_type, (metadata->>'is_code')::boolean, metadata->>'scope', file_extension FROM claude_context.\"{written.Table}\"");
        foreach (var row in rows)
        {
            var chunk = written.CrawledRows.Single(c => c.Id == (string)row[0]!);
            Assert.True(Guid.TryParse((string)row[0]!, out _));
            Assert.Equal(("web", chunk.IsCode, chunk.Scope, (object?)null), ((string)row[1]!, (bool)row[2]!, (string)row[3]!, row[4]));
        }
    }

    [Fact]
    public async Task The_metadata_tables_link_each_collection_to_its_dataset()
    {
        var links = await RowsAsync("""
            SELECT dc.collection_name, d.name, dc.vector_db_type, dc.is_hybrid, dc.point_count, dc.dimension, cm.has_dual_vectors, cm.entity_count
            FROM claude_context.dataset_collections dc JOIN claude_context.datasets d ON d.id = dc.dataset_id
            LEFT JOIN claude_context.collections_metadata cm ON cm.collection_name = dc.collection_name ORDER BY d.name
            """);
        var plain = Facts.Table(CoreChunkTableKind.Plain).Collection;
        var hybrid = Facts.Table(CoreChunkTableKind.Hybrid).Collection;
        Assert.Equal(
        [
            ["project_acme_dataset_backend", "backend", "postgres", false, 9L, 8, false, 9],
            ["project_acme_dataset_docs", "docs", "qdrant", true, 9L, 8, null, null],
            [hybrid, "frontend", "postgres", true, 9L, 8, true, 9],
        ], links);
        Assert.Equal("project_acme_dataset_backend", plain);
        Assert.Equal([["default", true], ["acme", false]], await RowsAsync("SELECT name, is_global FROM claude_context.projects ORDER BY is_global DESC"));
    }

    private static float[] Floats(string vectorText) =>
        vectorText.Trim('[', ']').Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
