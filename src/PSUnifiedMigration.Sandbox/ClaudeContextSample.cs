using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace PSUnifiedMigration.Sandbox;

/// <summary>The two layouts of <c>claude_context.chunks</c> found in Claude-Context installations.</summary>
public enum ChunkLayout
{
    /// <summary>
    /// As created by the init script: uuid ids, <c>text</c>, <c>summary</c> and <c>embedding</c>; every chunk
    /// belongs to a document or a web page of its dataset, with foreign keys.
    /// </summary>
    Schema,

    /// <summary>
    /// As found in running installations: text ids (<c>chunk_</c> + 16 hex digits of a SHA-256), <c>content</c>,
    /// <c>vector</c>, <c>sparse_vector</c> and code metadata (path, lines, repo, symbol); no foreign keys.
    /// </summary>
    Live,
}

public sealed record ClaudeContextSampleOptions
{
    public int Projects { get; init; } = 2;
    public int DatasetsPerProject { get; init; } = 2;
    public int DocumentsPerDataset { get; init; } = 5;
    public int WebPagesPerDataset { get; init; } = 2;

    /// <summary>Total chunks, spread over the datasets and, within each dataset, over its documents and web pages.</summary>
    public int Chunks { get; init; } = 1000;

    public int Dimensions { get; init; } = 768;
    public ChunkLayout Layout { get; init; } = ChunkLayout.Schema;

    /// <summary>Store vectors as pgvector <c>vector(Dimensions)</c> instead of <c>real[]</c>; the server must offer the extension.</summary>
    public bool UsePgvector { get; init; }

    /// <summary>
    /// Write rows with batched INSERTs instead of binary COPY, for servers whose wire protocol cannot carry
    /// COPY FROM STDIN (PGlite's socket server, which is how tests get a real pgvector).
    /// </summary>
    public bool UseInsertInsteadOfCopy { get; init; }

    /// <summary>Content, ids, timestamps and vectors are a function of the options, this seed included.</summary>
    public int Seed { get; init; } = 42;
}

public sealed record ClaudeContextSampleSummary(
    int Projects, int Datasets, int Documents, int WebPages, int Chunks, int Dimensions, ChunkLayout Layout);

/// <summary>
/// Creates a realistic sample Claude-Context installation (schema <c>claude_context</c>) in an existing database:
/// projects, datasets, documents (code and markdown files), web pages and chunks with L2-normalised vectors.
/// Everything happens in one transaction; rows are streamed with binary COPY as they are generated.
/// </summary>
public static class ClaudeContextSample
{
    public const string SchemaName = "claude_context";

    private const string StagingTable = "claude_context_chunks_staging";
    private const int MaxContentChars = 256 * 1024;
    private const int MaxPgvectorDimensions = 16000;
    private const int Hour = 3600;
    private const int Day = 24 * Hour;
    private static readonly DateTime BaseTime = new(2024, 1, 15, 9, 0, 0, DateTimeKind.Utc);

    public static async Task<ClaudeContextSampleSummary> CreateAsync(
        string connectionString, ClaudeContextSampleOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        var random = new Random(options.Seed);
        var model = SampleModel.Build(options, random);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        if (await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)", SchemaName, ct))
        {
            throw new InvalidOperationException(
                $"Schema \"{SchemaName}\" already exists in database \"{connection.Database}\"; the sample generator only " +
                "creates fresh installations. Use an empty database or drop the schema first.");
        }

        var vectorType = options.UsePgvector ? await EnablePgvectorAsync(connection, options.Dimensions, ct) : "real[]";
        var tables = new SampleTables(options.Layout, vectorType);
        foreach (var sql in tables.CreateStatements())
        {
            await ExecuteAsync(connection, sql, ct);
        }

        await CopyProjectsAsync(connection, tables.Projects, model, options, ct);
        await CopyDatasetsAsync(connection, tables.Datasets, model, options, ct);
        await CopyDocumentsAsync(connection, tables.Documents, model, options, ct);
        await CopyWebPagesAsync(connection, tables.WebPages, model, options, ct);
        var chunks = await CopyChunksAsync(connection, tables.Chunks, model, options, random, ct);

        foreach (var sql in tables.IndexStatements())
        {
            await ExecuteAsync(connection, sql, ct);
        }

        await transaction.CommitAsync(ct);
        return new ClaudeContextSampleSummary(model.Projects.Count, model.Datasets.Count, model.Documents.Count,
            model.WebPages.Count, chunks, options.Dimensions, options.Layout);
    }

    private static void Validate(ClaudeContextSampleOptions o)
    {
        static void NotNegative(int value, string name)
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
            }
        }

        NotNegative(o.Projects, nameof(o.Projects));
        NotNegative(o.DatasetsPerProject, nameof(o.DatasetsPerProject));
        NotNegative(o.DocumentsPerDataset, nameof(o.DocumentsPerDataset));
        NotNegative(o.WebPagesPerDataset, nameof(o.WebPagesPerDataset));
        NotNegative(o.Chunks, nameof(o.Chunks));
        var maxDimensions = o.UsePgvector ? MaxPgvectorDimensions : 65535;
        if (o.Dimensions < 1 || o.Dimensions > maxDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(o.Dimensions), o.Dimensions, $"Dimensions must be between 1 and {maxDimensions}.");
        }

        if (!Enum.IsDefined(o.Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Layout), o.Layout, "Unknown chunk layout.");
        }

        var sourcesPerDataset = (long)o.DocumentsPerDataset + o.WebPagesPerDataset;
        var sources = (long)o.Projects * o.DatasetsPerProject * sourcesPerDataset;
        if ((long)o.Projects * o.DatasetsPerProject > 1_000_000 || sources > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(o.Projects), "Too many datasets, documents or web pages for a sample installation.");
        }

        if (o.Chunks > 0 && (o.Projects == 0 || o.DatasetsPerProject == 0 || sourcesPerDataset == 0))
        {
            throw new ArgumentException(
                "Chunks need at least one project, one dataset per project and one document or web page per dataset.", nameof(o.Chunks));
        }
    }

    private static async Task<string> EnablePgvectorAsync(NpgsqlConnection connection, int dimensions, CancellationToken ct)
    {
        if (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1)", "vector", ct))
        {
            throw new InvalidOperationException(
                "UsePgvector is set, but this PostgreSQL server does not offer the pgvector extension (\"vector\"). " +
                "Install pgvector on the server or leave UsePgvector off to store vectors as real[].");
        }

        await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector", ct);
        // The extension may live in any schema; qualify the type so search_path does not matter.
        var schema = await ScalarAsync<string>(connection,
            "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
            "vector", ct);
        return $"{Quote(schema)}.{Quote("vector")}({dimensions})";
    }

    // ---------------------------------------------------------------- table definitions

    private sealed record Column(string Name, string Type, NpgsqlDbType DbType, string Constraint = "", bool IsVector = false)
    {
        public string Definition => Constraint.Length == 0 ? $"{Quote(Name)} {Type}" : $"{Quote(Name)} {Type} {Constraint}";
    }

    private sealed record Table(string Name, Column[] Columns, params string[] TableConstraints)
    {
        public string QualifiedName => Qualify(Name);

        public string ColumnList => string.Join(", ", Columns.Select(c => Quote(c.Name)));

        public string CreateSql() =>
            $"CREATE TABLE {QualifiedName} ({string.Join(", ", Columns.Select(c => c.Definition).Concat(TableConstraints))})";

        public string CopySql(string target) => $"COPY {target} ({ColumnList}) FROM STDIN (FORMAT BINARY)";
    }

    private sealed class SampleTables
    {
        private readonly ChunkLayout _layout;

        public SampleTables(ChunkLayout layout, string vectorType)
        {
            _layout = layout;
            Projects = new Table("projects", [
                new("id", "uuid", NpgsqlDbType.Uuid, "PRIMARY KEY"),
                new("name", "text", NpgsqlDbType.Text, "NOT NULL UNIQUE"),
                new("description", "text", NpgsqlDbType.Text),
                new("is_active", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT true"),
                new("is_global", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT false"),
                new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                new("updated_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
            ]);
            Datasets = new Table("datasets", [
                new("id", "uuid", NpgsqlDbType.Uuid, "PRIMARY KEY"),
                new("project_id", "uuid", NpgsqlDbType.Uuid, References("projects")),
                new("name", "text", NpgsqlDbType.Text, "NOT NULL"),
                new("description", "text", NpgsqlDbType.Text),
                new("status", "text", NpgsqlDbType.Text, "NOT NULL DEFAULT 'active'"),
                new("is_global", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT false"),
                new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                new("updated_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
            ], $"UNIQUE ({Quote("project_id")}, {Quote("name")})");
            Documents = new Table("documents", [
                new("id", "uuid", NpgsqlDbType.Uuid, "PRIMARY KEY"),
                new("dataset_id", "uuid", NpgsqlDbType.Uuid, "NOT NULL " + References("datasets")),
                new("path", "text", NpgsqlDbType.Text, "NOT NULL"),
                new("title", "text", NpgsqlDbType.Text),
                new("content", "text", NpgsqlDbType.Text),
                new("file_extension", "text", NpgsqlDbType.Text),
                new("is_global", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT false"),
                new("metadata", "jsonb", NpgsqlDbType.Jsonb, "DEFAULT '{}'::jsonb"),
                new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                new("updated_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
            ]);
            WebPages = new Table("web_pages", [
                new("id", "uuid", NpgsqlDbType.Uuid, "PRIMARY KEY"),
                new("dataset_id", "uuid", NpgsqlDbType.Uuid, "NOT NULL " + References("datasets")),
                new("url", "text", NpgsqlDbType.Text, "NOT NULL"),
                new("title", "text", NpgsqlDbType.Text),
                new("content", "text", NpgsqlDbType.Text),
                new("status", "text", NpgsqlDbType.Text, "NOT NULL DEFAULT 'pending'"),
                new("is_global", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT false"),
                new("metadata", "jsonb", NpgsqlDbType.Jsonb, "DEFAULT '{}'::jsonb"),
                new("crawled_at", "timestamptz", NpgsqlDbType.TimestampTz),
                new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                new("updated_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
            ]);
            const NpgsqlDbType realArray = NpgsqlDbType.Array | NpgsqlDbType.Real;
            Chunks = layout == ChunkLayout.Schema
                ? new Table("chunks", [
                    new("id", "uuid", NpgsqlDbType.Uuid, "PRIMARY KEY"),
                    new("dataset_id", "uuid", NpgsqlDbType.Uuid, "NOT NULL " + References("datasets")),
                    new("document_id", "uuid", NpgsqlDbType.Uuid, References("documents")),
                    new("web_page_id", "uuid", NpgsqlDbType.Uuid, References("web_pages")),
                    new("source_type", "text", NpgsqlDbType.Text, "NOT NULL"),
                    new("chunk_index", "integer", NpgsqlDbType.Integer, "NOT NULL"),
                    new("text", "text", NpgsqlDbType.Text, "NOT NULL"),
                    new("summary", "text", NpgsqlDbType.Text),
                    new("embedding", vectorType, realArray, IsVector: true),
                    new("metadata", "jsonb", NpgsqlDbType.Jsonb, "DEFAULT '{}'::jsonb"),
                    new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                ])
                : new Table("chunks", [
                    new("id", "text", NpgsqlDbType.Text, "PRIMARY KEY"),
                    new("content", "text", NpgsqlDbType.Text, "NOT NULL"),
                    new("vector", vectorType, realArray, IsVector: true),
                    new("sparse_vector", "jsonb", NpgsqlDbType.Jsonb),
                    new("relative_path", "text", NpgsqlDbType.Text),
                    new("start_line", "integer", NpgsqlDbType.Integer),
                    new("end_line", "integer", NpgsqlDbType.Integer),
                    new("repo", "text", NpgsqlDbType.Text),
                    new("branch", "text", NpgsqlDbType.Text),
                    new("sha", "text", NpgsqlDbType.Text),
                    new("lang", "text", NpgsqlDbType.Text),
                    new("symbol", "jsonb", NpgsqlDbType.Jsonb),
                    new("is_code", "boolean", NpgsqlDbType.Boolean, "NOT NULL DEFAULT false"),
                    new("source_type", "text", NpgsqlDbType.Text, "NOT NULL"),
                    new("project_id", "uuid", NpgsqlDbType.Uuid),
                    new("dataset_id", "uuid", NpgsqlDbType.Uuid),
                    new("metadata", "jsonb", NpgsqlDbType.Jsonb, "DEFAULT '{}'::jsonb"),
                    new("created_at", "timestamptz", NpgsqlDbType.TimestampTz, "NOT NULL DEFAULT now()"),
                ]);
        }

        public Table Projects { get; }
        public Table Datasets { get; }
        public Table Documents { get; }
        public Table WebPages { get; }
        public Table Chunks { get; }

        public IEnumerable<string> CreateStatements()
        {
            yield return $"CREATE SCHEMA {Quote(SchemaName)}";
            foreach (var table in new[] { Projects, Datasets, Documents, WebPages, Chunks })
            {
                yield return table.CreateSql();
            }
        }

        /// <summary>Secondary indexes, built after the rows are in (faster than maintaining them during COPY).</summary>
        public IEnumerable<string> IndexStatements()
        {
            yield return Index("documents", "dataset_id");
            yield return Index("web_pages", "dataset_id");
            if (_layout == ChunkLayout.Schema)
            {
                yield return Index("chunks", "dataset_id");
                yield return Index("chunks", "document_id");
                yield return Index("chunks", "web_page_id");
            }
            else
            {
                yield return Index("chunks", "project_id", "dataset_id");
                yield return Index("chunks", "relative_path");
            }
        }

        private static string Index(string table, params string[] columns) =>
            $"CREATE INDEX {Quote($"{table}_{string.Join("_", columns)}_idx")} ON {Qualify(table)} ({string.Join(", ", columns.Select(Quote))})";

        private static string References(string table) => $"REFERENCES {Qualify(table)} ({Quote("id")})";
    }

    // ---------------------------------------------------------------- COPY

    /// <summary>
    /// Rows whose values take their types from the table's column list, in order: written with binary COPY,
    /// or, for servers whose wire protocol cannot carry COPY FROM STDIN, with batched multi-row INSERTs.
    /// </summary>
    private sealed class RowWriter : IAsyncDisposable
    {
        private const int RowsPerInsert = 100;
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlBinaryImporter? _importer;
        private readonly string _target;
        private readonly Column[] _columns;
        private readonly CancellationToken _ct;
        private readonly List<NpgsqlParameter> _pending = [];
        private int _next = -1;

        private RowWriter(NpgsqlConnection connection, NpgsqlBinaryImporter? importer, string target, Column[] columns, CancellationToken ct)
        {
            _connection = connection;
            _importer = importer;
            _target = target;
            _columns = columns;
            _ct = ct;
        }

        public static async Task<RowWriter> BeginAsync(NpgsqlConnection connection, Table table, string target, bool useInsert, CancellationToken ct) =>
            new(connection, useInsert ? null : await connection.BeginBinaryImportAsync(table.CopySql(target), ct), target, table.Columns, ct);

        public async Task StartRowAsync()
        {
            EnsureRowComplete();
            if (_importer is null && _pending.Count >= RowsPerInsert * _columns.Length)
            {
                await FlushAsync();
            }

            _next = 0;
            if (_importer is not null)
            {
                await _importer.StartRowAsync(_ct);
            }
        }

        public Task WriteAsync<T>(T value) where T : notnull => WriteValueAsync(value);

        public Task WriteAsync(string? value) => value is null ? WriteNullAsync() : WriteAsync<string>(value);

        public Task WriteAsync(Guid? value) => value is { } v ? WriteAsync<Guid>(v) : WriteNullAsync();

        public Task WriteAsync(DateTime? value) => value is { } v ? WriteAsync<DateTime>(v) : WriteNullAsync();

        public Task WriteNullAsync() => WriteValueAsync(null);

        public async Task CompleteAsync()
        {
            EnsureRowComplete();
            if (_importer is not null)
            {
                await _importer.CompleteAsync(_ct);
            }
            else
            {
                await FlushAsync();
            }
        }

        public ValueTask DisposeAsync() => _importer?.DisposeAsync() ?? ValueTask.CompletedTask;

        private Task WriteValueAsync(object? value)
        {
            var column = NextColumn();
            if (_importer is not null)
            {
                return value is null ? _importer.WriteNullAsync(_ct) : _importer.WriteAsync(value, column.DbType, _ct);
            }

            // Buffers are reused by the generator, so arrays are copied before they are queued.
            _pending.Add(new NpgsqlParameter { NpgsqlDbType = column.DbType, Value = value is Array array ? array.Clone() : value ?? DBNull.Value });
            return Task.CompletedTask;
        }

        private async Task FlushAsync()
        {
            if (_pending.Count == 0)
            {
                return;
            }

            var rows = Enumerable.Range(0, _pending.Count / _columns.Length).Select(r =>
                "(" + string.Join(", ", Enumerable.Range(1, _columns.Length).Select(c => $"${r * _columns.Length + c}")) + ")");
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {_target} ({string.Join(", ", _columns.Select(c => Quote(c.Name)))}) VALUES {string.Join(", ", rows)}", _connection);
            command.Parameters.AddRange(_pending.ToArray());
            await command.ExecuteNonQueryAsync(_ct);
            _pending.Clear();
        }

        private Column NextColumn() =>
            _next >= 0 && _next < _columns.Length ? _columns[_next++] : throw new InvalidOperationException("Row has more values than columns.");

        private void EnsureRowComplete()
        {
            if (_next >= 0 && _next != _columns.Length)
            {
                throw new InvalidOperationException($"Row has {_next} values for {_columns.Length} columns.");
            }
        }
    }

    private static async Task CopyProjectsAsync(NpgsqlConnection connection, Table table, SampleModel model, ClaudeContextSampleOptions options, CancellationToken ct)
    {
        await using var writer = await RowWriter.BeginAsync(connection, table, table.QualifiedName, options.UseInsertInsteadOfCopy, ct);
        foreach (var p in model.Projects)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(p.Id);
            await writer.WriteAsync(p.Name);
            await writer.WriteAsync(p.Description);
            await writer.WriteAsync(p.IsActive);
            await writer.WriteAsync(p.IsGlobal);
            await writer.WriteAsync(p.CreatedAt);
            await writer.WriteAsync(p.UpdatedAt);
        }

        await writer.CompleteAsync();
    }

    private static async Task CopyDatasetsAsync(NpgsqlConnection connection, Table table, SampleModel model, ClaudeContextSampleOptions options, CancellationToken ct)
    {
        await using var writer = await RowWriter.BeginAsync(connection, table, table.QualifiedName, options.UseInsertInsteadOfCopy, ct);
        foreach (var d in model.Datasets)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(d.Id);
            await writer.WriteAsync(d.Project.Id);
            await writer.WriteAsync(d.Name);
            await writer.WriteAsync(d.Description);
            await writer.WriteAsync(d.ChunkCount > 0 ? "ready" : "pending");
            await writer.WriteAsync(d.IsGlobal);
            await writer.WriteAsync(d.CreatedAt);
            await writer.WriteAsync(d.UpdatedAt);
        }

        await writer.CompleteAsync();
    }

    private static async Task CopyDocumentsAsync(NpgsqlConnection connection, Table table, SampleModel model, ClaudeContextSampleOptions options, CancellationToken ct)
    {
        var json = new JsonText();
        await using var writer = await RowWriter.BeginAsync(connection, table, table.QualifiedName, options.UseInsertInsteadOfCopy, ct);
        foreach (var doc in model.Documents)
        {
            var content = SourceContent.Build(doc);
            var metadata = json.Begin();
            metadata.WriteString("language", LanguageName(doc.Language));
            metadata.WriteNumber("lineCount", content.Lines);
            metadata.WriteNumber("chunkCount", doc.ChunkCount);
            metadata.WriteNumber("sizeBytes", Encoding.UTF8.GetByteCount(content.Text));
            metadata.WriteString("encoding", "utf-8");
            metadata.WriteBoolean("truncated", content.Truncated);

            await writer.StartRowAsync();
            await writer.WriteAsync(doc.Id);
            await writer.WriteAsync(doc.Dataset.Id);
            await writer.WriteAsync(doc.Location);
            await writer.WriteAsync(doc.Title);
            await writer.WriteAsync(content.Text);
            await writer.WriteAsync(doc.Extension);
            await writer.WriteAsync(doc.Dataset.IsGlobal);
            await writer.WriteAsync(json.End());
            await writer.WriteAsync(doc.CreatedAt);
            await writer.WriteAsync(doc.UpdatedAt);
        }

        await writer.CompleteAsync();
    }

    private static async Task CopyWebPagesAsync(NpgsqlConnection connection, Table table, SampleModel model, ClaudeContextSampleOptions options, CancellationToken ct)
    {
        var json = new JsonText();
        await using var writer = await RowWriter.BeginAsync(connection, table, table.QualifiedName, options.UseInsertInsteadOfCopy, ct);
        foreach (var page in model.WebPages)
        {
            // A page without chunks has not been crawled yet.
            var crawled = page.ChunkCount > 0;
            var content = crawled ? SourceContent.Build(page) : default;
            var metadata = json.Begin();
            metadata.WriteNumber("depth", page.Depth);
            if (crawled)
            {
                metadata.WriteNumber("statusCode", 200);
                metadata.WriteString("contentType", "text/html; charset=utf-8");
                metadata.WriteNumber("lineCount", content.Lines);
                metadata.WriteNumber("chunkCount", page.ChunkCount);
                metadata.WriteBoolean("truncated", content.Truncated);
            }

            await writer.StartRowAsync();
            await writer.WriteAsync(page.Id);
            await writer.WriteAsync(page.Dataset.Id);
            await writer.WriteAsync(page.Location);
            await writer.WriteAsync(page.Title);
            await writer.WriteAsync(crawled ? content.Text : null);
            await writer.WriteAsync(crawled ? "crawled" : "pending");
            await writer.WriteAsync(page.Dataset.IsGlobal);
            await writer.WriteAsync(json.End());
            await writer.WriteAsync(crawled ? page.CrawledAt : null);
            await writer.WriteAsync(page.CreatedAt);
            await writer.WriteAsync(page.UpdatedAt);
        }

        await writer.CompleteAsync();
    }

    /// <summary>
    /// Streams the chunks, one source after another. With pgvector the rows go to a temporary real[] table first
    /// (binary COPY cannot write the vector type without the Pgvector package) and are then cast on INSERT.
    /// </summary>
    private static async Task<int> CopyChunksAsync(
        NpgsqlConnection connection, Table table, SampleModel model, ClaudeContextSampleOptions options, Random random, CancellationToken ct)
    {
        var staged = options.UsePgvector;
        var target = table.QualifiedName;
        if (staged)
        {
            target = $"pg_temp.{Quote(StagingTable)}";
            var columns = table.Columns.Select(c => $"{Quote(c.Name)} {(c.IsVector ? "real[]" : c.Type)}");
            await ExecuteAsync(connection, $"CREATE TEMP TABLE {Quote(StagingTable)} ({string.Join(", ", columns)}) ON COMMIT DROP", ct);
        }

        var written = 0;
        await using (var writer = await RowWriter.BeginAsync(connection, table, target, options.UseInsertInsteadOfCopy, ct))
        {
            var vector = new float[options.Dimensions];
            var json = new JsonText();
            var sparse = new SparseVectorBuilder();
            foreach (var source in model.Sources)
            {
                var generator = new ChunkTextGenerator(source);
                var line = 1;
                for (var index = 0; index < source.ChunkCount; index++)
                {
                    var chunk = generator.Next();
                    var startLine = line;
                    var endLine = line + chunk.Lines - 1;
                    line = endLine + 1;
                    FillVector(random, source.Dataset.Centroid, vector);
                    var createdAt = source.UpdatedAt.AddSeconds(random.Next(5, 2 * Hour));
                    await writer.StartRowAsync();
                    if (options.Layout == ChunkLayout.Schema)
                    {
                        await WriteSchemaChunkAsync(writer, json, source, chunk, index, startLine, endLine, vector, createdAt, random);
                    }
                    else
                    {
                        await WriteLiveChunkAsync(writer, json, sparse, source, chunk, index, startLine, endLine, vector, createdAt, random);
                    }

                    written++;
                }
            }

            await writer.CompleteAsync();
        }

        if (staged)
        {
            // The vector column's type is vector(n) here; pgvector casts real[] to it.
            var select = table.Columns.Select(c => c.IsVector ? $"{Quote(c.Name)}::{c.Type}" : Quote(c.Name));
            await ExecuteAsync(connection,
                $"INSERT INTO {table.QualifiedName} ({table.ColumnList}) SELECT {string.Join(", ", select)} FROM {target}", ct);
            await ExecuteAsync(connection, $"DROP TABLE {target}", ct);
        }

        return written;
    }

    private static async Task WriteSchemaChunkAsync(RowWriter writer, JsonText json, SourceSpec source, ChunkText chunk,
        int index, int startLine, int endLine, float[] vector, DateTime createdAt, Random random)
    {
        var metadata = json.Begin();
        metadata.WriteString("language", LanguageName(source.Language));
        metadata.WriteNumber("startLine", startLine);
        metadata.WriteNumber("endLine", endLine);
        metadata.WriteNumber("tokens", EstimateTokens(chunk.Text));
        metadata.WriteString("embeddingModel", EmbeddingModel(vector.Length));
        if (source.IsWebPage)
        {
            metadata.WriteString("url", source.Location);
        }

        await writer.WriteAsync(NextUuid(random));
        await writer.WriteAsync(source.Dataset.Id);
        await writer.WriteAsync(source.IsWebPage ? null : source.Id);
        await writer.WriteAsync(source.IsWebPage ? source.Id : null);
        await writer.WriteAsync(source.IsWebPage ? "web_page" : "document");
        await writer.WriteAsync(index);
        await writer.WriteAsync(chunk.Text);
        await writer.WriteAsync(chunk.Summary);
        await writer.WriteAsync(vector);
        await writer.WriteAsync(json.End());
        await writer.WriteAsync(createdAt);
    }

    private static async Task WriteLiveChunkAsync(RowWriter writer, JsonText json, SparseVectorBuilder sparse, SourceSpec source,
        ChunkText chunk, int index, int startLine, int endLine, float[] vector, DateTime createdAt, Random random)
    {
        var dataset = source.Dataset;
        var isCode = source.Language is Language.TypeScript or Language.Python or Language.CSharp;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{source.Location}:{startLine}:{endLine}:{chunk.Text}"));
        var id = "chunk_" + Convert.ToHexString(hash, 0, 8).ToLowerInvariant();

        // Chunks indexed before hybrid search was switched on have no sparse vector.
        var sparseJson = random.NextDouble() < 0.1 ? null : sparse.Build(chunk.Text, json);

        string? symbol = null;
        if (chunk.SymbolName is not null)
        {
            var s = json.Begin();
            s.WriteString("name", chunk.SymbolName);
            s.WriteString("kind", chunk.SymbolKind);
            symbol = json.End();
        }

        var metadata = json.Begin();
        metadata.WriteNumber("chunkIndex", index);
        metadata.WriteNumber("tokens", EstimateTokens(chunk.Text));
        if (source.IsWebPage)
        {
            metadata.WriteString("url", source.Location);
        }
        else
        {
            metadata.WriteString("codebasePath", "/workspace/" + dataset.Repo[(dataset.Repo.LastIndexOf('/') + 1)..]);
            metadata.WriteString("fileExtension", source.Extension);
            metadata.WriteString("splitter", isCode ? "ast" : "langchain");
        }

        await writer.WriteAsync(id);
        await writer.WriteAsync(chunk.Text);
        await writer.WriteAsync(vector);
        await writer.WriteAsync(sparseJson);
        await writer.WriteAsync(source.Location);
        await writer.WriteAsync(startLine);
        await writer.WriteAsync(endLine);
        await writer.WriteAsync(source.IsWebPage ? null : dataset.Repo);
        await writer.WriteAsync(source.IsWebPage ? null : dataset.Branch);
        await writer.WriteAsync(source.IsWebPage ? null : dataset.Sha);
        await writer.WriteAsync(LanguageName(source.Language));
        await writer.WriteAsync(symbol);
        await writer.WriteAsync(isCode);
        await writer.WriteAsync(source.IsWebPage ? "web_page" : isCode ? "code" : "document");
        await writer.WriteAsync(dataset.Project.Id);
        await writer.WriteAsync(dataset.Id);
        await writer.WriteAsync(json.End());
        await writer.WriteAsync(createdAt);
    }

    // ---------------------------------------------------------------- the generated installation (small: no chunks)

    private enum Language { TypeScript, Python, CSharp, Markdown, Web }

    private sealed class ProjectSpec
    {
        public required Guid Id { get; init; }
        public required string Name { get; init; }
        public required string Display { get; init; }
        public required string Description { get; init; }
        public required bool IsActive { get; init; }
        public required bool IsGlobal { get; init; }
        public required DateTime CreatedAt { get; init; }
        public required DateTime UpdatedAt { get; init; }
    }

    private sealed class DatasetSpec
    {
        public required Guid Id { get; init; }
        public required ProjectSpec Project { get; init; }
        public required string Name { get; init; }
        public required string Description { get; init; }
        public required bool IsGlobal { get; init; }
        public required DateTime CreatedAt { get; init; }
        public required DateTime UpdatedAt { get; init; }
        public required string Repo { get; init; }
        public required string Branch { get; init; }
        public required string Sha { get; init; }

        /// <summary>Chunk vectors of a dataset scatter around this unit vector, so similarity search finds neighbours.</summary>
        public required float[] Centroid { get; init; }

        /// <summary>The dataset's documents, then its web pages.</summary>
        public List<SourceSpec> Sources { get; } = [];

        public int ChunkCount { get; set; }
    }

    /// <summary>A document (file) or a web page.</summary>
    private sealed class SourceSpec
    {
        public required Guid Id { get; init; }
        public required DatasetSpec Dataset { get; init; }
        public required bool IsWebPage { get; init; }

        /// <summary>The document's path or the page's URL.</summary>
        public required string Location { get; init; }

        public required string Title { get; init; }
        public string? Extension { get; init; }
        public required Language Language { get; init; }
        public required string TopicNoun { get; init; }

        /// <summary>Seeds the source's own text stream, so its content and its chunks can be generated separately and agree.</summary>
        public required int ContentSeed { get; init; }

        public int Depth { get; init; }
        public required DateTime CreatedAt { get; init; }
        public required DateTime UpdatedAt { get; init; }
        public DateTime CrawledAt { get; init; }
        public int ChunkCount { get; set; }
    }

    private sealed class SampleModel
    {
        public List<ProjectSpec> Projects { get; } = [];
        public List<DatasetSpec> Datasets { get; } = [];
        public List<SourceSpec> Documents { get; } = [];
        public List<SourceSpec> WebPages { get; } = [];

        /// <summary>Documents and web pages, dataset by dataset: the order in which chunks are written.</summary>
        public IEnumerable<SourceSpec> Sources => Datasets.SelectMany(d => d.Sources);

        public static SampleModel Build(ClaudeContextSampleOptions o, Random r)
        {
            var model = new SampleModel();
            // Datasets take turns at the primary code language, so every language shows up from three datasets on.
            var languageTurn = r.Next(CodeLanguages.Length);
            var projectNames = Shuffled(r, Words.ProjectNames);
            for (var p = 0; p < o.Projects; p++)
            {
                var name = NthName(projectNames, p);
                var display = string.Join(' ', name.Split('-').Select(Capitalize));
                var created = BaseTime.AddSeconds(r.Next(0, 30 * Day));
                var project = new ProjectSpec
                {
                    Id = NextUuid(r),
                    Name = name,
                    Display = display,
                    Description = $"{display}: {Pick(r, Words.ProjectPurposes)}.",
                    IsActive = p == 0 || r.NextDouble() < 0.85,
                    IsGlobal = r.NextDouble() < 0.1,
                    CreatedAt = created,
                    UpdatedAt = created.AddSeconds(r.Next(Hour, 120 * Day)),
                };
                model.Projects.Add(project);

                var datasetNames = Shuffled(r, Words.DatasetNames);
                for (var d = 0; d < o.DatasetsPerProject; d++)
                {
                    model.AddDataset(o, r, project, NthName(datasetNames, d), CodeLanguages[languageTurn++ % CodeLanguages.Length]);
                }
            }

            model.DistributeChunks(o.Chunks, r);
            return model;
        }

        private static readonly Language[] CodeLanguages = [Language.TypeScript, Language.Python, Language.CSharp];

        private void AddDataset(ClaudeContextSampleOptions o, Random r, ProjectSpec project, string name, Language primary)
        {
            var created = project.CreatedAt.AddSeconds(r.Next(10 * 60, 10 * Day));
            var org = project.Name.Split('-')[0];
            var product = project.Name[(org.Length + 1)..];
            var repoName = product == name ? name : $"{product}-{name}";
            var dataset = new DatasetSpec
            {
                Id = NextUuid(r),
                Project = project,
                Name = name,
                Description = $"{Capitalize(name)} of {project.Display}, indexed from github.com/{org}/{repoName}.",
                IsGlobal = r.NextDouble() < 0.15,
                CreatedAt = created,
                UpdatedAt = created.AddSeconds(r.Next(Hour, 60 * Day)),
                Repo = $"github.com/{org}/{repoName}",
                Branch = r.NextDouble() < 0.8 ? "main" : "develop",
                Sha = RandomHex(r, 20),
                Centroid = RandomUnitVector(r, o.Dimensions),
            };
            Datasets.Add(dataset);

            var paths = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < o.DocumentsPerDataset; k++)
            {
                var document = NewDocument(r, dataset, primary, k, o.DocumentsPerDataset, paths);
                Documents.Add(document);
                dataset.Sources.Add(document);
            }

            var urls = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < o.WebPagesPerDataset; k++)
            {
                var heading = Pick(r, Words.Headings);
                var url = $"https://docs.{project.Name}.dev/{Pick(r, Words.DocSections)}/{Slug(heading)}";
                url = urls.Add(url) ? url : $"{url}-{k + 1}";
                urls.Add(url);
                var pageCreated = dataset.CreatedAt.AddSeconds(r.Next(60, 20 * Day));
                var page = new SourceSpec
                {
                    Id = NextUuid(r),
                    Dataset = dataset,
                    IsWebPage = true,
                    Location = url,
                    Title = $"{heading} | {project.Display} Docs",
                    Language = Language.Web,
                    TopicNoun = Pick(r, Words.Nouns),
                    ContentSeed = r.Next(),
                    Depth = r.Next(0, 4),
                    CreatedAt = pageCreated,
                    CrawledAt = pageCreated.AddSeconds(r.Next(5, 10 * 60)),
                    UpdatedAt = pageCreated.AddSeconds(r.Next(10 * 60, 5 * Day)),
                };
                WebPages.Add(page);
                dataset.Sources.Add(page);
            }
        }

        private static SourceSpec NewDocument(Random r, DatasetSpec dataset, Language primary, int index, int count, HashSet<string> paths)
        {
            string path;
            Language language;
            string topic;
            var attempt = 0;
            do
            {
                topic = Pick(r, Words.Nouns);
                var suffix = Pick(r, Words.FileSuffixes);
                var unique = attempt >= 10 ? $"-{index + 1}" : "";
                if (index == 0 && count > 1)
                {
                    (path, language) = ("README.md", Language.Markdown);
                }
                else if (r.NextDouble() < 0.15)
                {
                    (path, language) = ($"docs/{Slug(Pick(r, Words.Headings))}{unique}.md", Language.Markdown);
                }
                else
                {
                    language = primary;
                    path = primary switch
                    {
                        Language.TypeScript => $"{Pick(r, Words.TypeScriptDirectories)}/{topic.ToLowerInvariant()}-{suffix}{unique}.ts",
                        Language.Python => $"{Pick(r, Words.PythonDirectories)}/{topic.ToLowerInvariant()}_{suffix}{unique.Replace('-', '_')}.py",
                        _ => $"src/{Pick(r, Words.CSharpAreas)}/{topic}{Capitalize(suffix)}{unique.Replace("-", "")}.cs",
                    };
                }

                attempt++;
            }
            while (!paths.Add(path));

            var created = dataset.CreatedAt.AddSeconds(r.Next(60, 20 * Day));
            var fileName = path[(path.LastIndexOf('/') + 1)..];
            return new SourceSpec
            {
                Id = NextUuid(r),
                Dataset = dataset,
                IsWebPage = false,
                Location = path,
                Title = fileName == "README.md" ? $"{dataset.Project.Display} {dataset.Name}" : fileName,
                Extension = Path.GetExtension(fileName),
                Language = language,
                TopicNoun = topic,
                ContentSeed = r.Next(),
                CreatedAt = created,
                UpdatedAt = created.AddSeconds(r.Next(10 * 60, 30 * Day)),
            };
        }

        /// <summary>Evenly over the datasets; within a dataset, by random weights over its documents and pages.</summary>
        private void DistributeChunks(int total, Random r)
        {
            for (var i = 0; i < Datasets.Count; i++)
            {
                var dataset = Datasets[i];
                dataset.ChunkCount = total / Datasets.Count + (i < total % Datasets.Count ? 1 : 0);
                var sources = dataset.Sources;
                if (sources.Count == 0)
                {
                    continue;
                }

                var weights = sources.Select(_ => 0.5 + 1.5 * r.NextDouble()).ToArray();
                var sum = weights.Sum();
                var assigned = 0;
                for (var k = 0; k < sources.Count; k++)
                {
                    sources[k].ChunkCount = (int)(dataset.ChunkCount * weights[k] / sum);
                    assigned += sources[k].ChunkCount;
                }

                for (var k = 0; assigned < dataset.ChunkCount; k = (k + 1) % sources.Count, assigned++)
                {
                    sources[k].ChunkCount++;
                }
            }
        }
    }

    /// <summary>A source's text: its chunks joined by newlines, so chunk line ranges point into it (capped in size).</summary>
    private readonly record struct SourceContent(string Text, int Lines, bool Truncated)
    {
        public static SourceContent Build(SourceSpec source)
        {
            var generator = new ChunkTextGenerator(source);
            var text = new StringBuilder();
            var lines = 0;
            var truncated = false;
            for (var i = 0; i < source.ChunkCount; i++)
            {
                var chunk = generator.Next();
                lines += chunk.Lines;
                if (truncated || text.Length + chunk.Text.Length + 1 > MaxContentChars)
                {
                    truncated = true;
                    continue;
                }

                if (i > 0)
                {
                    text.Append('\n');
                }

                text.Append(chunk.Text);
            }

            return new SourceContent(text.ToString(), lines, truncated);
        }
    }

    // ---------------------------------------------------------------- chunk text

    private readonly record struct ChunkText(string Text, int Lines, string? SymbolName, string? SymbolKind, string Summary);

    /// <summary>Code-like or prose chunks for one source, from the source's own seeded random stream.</summary>
    private sealed class ChunkTextGenerator
    {
        private readonly SourceSpec _source;
        private readonly Language _language;
        private readonly Random _r;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _fill = new();
        private int _index;

        public ChunkTextGenerator(SourceSpec source)
        {
            _source = source;
            _language = source.Language;
            _r = new Random(source.ContentSeed);
        }

        public ChunkText Next()
        {
            _lines.Clear();
            var (name, kind, summary) = _language switch
            {
                Language.TypeScript => TypeScriptUnit(),
                Language.Python => PythonUnit(),
                Language.CSharp => CSharpUnit(),
                Language.Markdown => MarkdownSection(),
                _ => WebSection(),
            };
            _index++;
            return new ChunkText(string.Join('\n', _lines), _lines.Count, name, kind, summary);
        }

        private (string?, string?, string) TypeScriptUnit()
        {
            var noun = Noun();
            var doc = Fill(Pick(_r, Words.DocSentences));
            var roll = _r.NextDouble();
            if (roll < 0.5)
            {
                var name = Camel(Pick(_r, Words.Verbs), noun);
                Add(0, "/**");
                Add(0, " * " + doc);
                Add(0, " */");
                Add(0, $"export async function {name}({Camel(noun)}Id: string, options: {noun}Options = {{}}): Promise<{noun}[]> {{");
                Body(1);
                Add(0, "}");
                return (name, "function", $"Function {name}: {doc}");
            }

            var type = noun + Pick(_r, Words.ClassSuffixes);
            if (roll < 0.8)
            {
                var method = Camel(Pick(_r, Words.Verbs), noun);
                Add(0, $"export class {type} {{");
                Add(1, $"private readonly cache = new Map<string, {noun}>();");
                Add(0, "");
                Add(1, $"constructor(private readonly {Camel(noun)}Store: {noun}Store, private readonly logger: Logger) {{}}");
                Add(0, "");
                Add(1, $"/** {doc} */");
                Add(1, $"async {method}(id: string): Promise<{noun} | undefined> {{");
                Body(2);
                Add(1, "}");
                Add(0, "}");
                return (type, "class", $"Class {type}, method {method}: {doc}");
            }

            Add(0, $"/** {doc} */");
            Add(0, $"export interface {type} {{");
            Add(1, "id: string;");
            foreach (var property in Properties())
            {
                Add(1, $"{property}{(_r.NextDouble() < 0.3 ? "?" : "")}: {Pick(_r, Words.TypeScriptTypes)};");
            }

            Add(0, "}");
            return (type, "interface", $"Interface {type}: {doc}");
        }

        private (string?, string?, string) PythonUnit()
        {
            var noun = Noun();
            var doc = Fill(Pick(_r, Words.DocSentences));
            var roll = _r.NextDouble();
            if (roll < 0.5)
            {
                var name = Snake(Pick(_r, Words.Verbs), noun);
                Add(0, $"async def {name}({Snake(noun)}_id: str, *, limit: int = {Pick(_r, Words.Numbers)}) -> list[{noun}]:");
                Add(1, $"\"\"\"{doc}\"\"\"");
                Body(1);
                return (name, "function", $"Function {name}: {doc}");
            }

            var type = noun + Pick(_r, Words.ClassSuffixes);
            if (roll < 0.8)
            {
                var method = Snake(Pick(_r, Words.Verbs), noun);
                Add(0, $"class {type}:");
                Add(1, $"\"\"\"{doc}\"\"\"");
                Add(0, "");
                Add(1, $"def __init__(self, store: {noun}Store, cache: dict[str, {noun}] | None = None) -> None:");
                Add(2, "self._store = store");
                Add(2, "self._cache = cache or {}");
                Add(0, "");
                Add(1, $"async def {method}(self, {Snake(noun)}_id: str) -> {noun} | None:");
                Body(2);
                return (type, "class", $"Class {type}, method {method}: {doc}");
            }

            Add(0, "@dataclass(frozen=True)");
            Add(0, $"class {type}:");
            Add(1, $"\"\"\"{doc}\"\"\"");
            Add(0, "");
            Add(1, "id: str");
            foreach (var property in Properties())
            {
                Add(1, $"{SnakeCase(property)}: {Pick(_r, Words.PythonTypes)}");
            }

            return (type, "class", $"Dataclass {type}: {doc}");
        }

        private (string?, string?, string) CSharpUnit()
        {
            var noun = Noun();
            var doc = Fill(Pick(_r, Words.DocSentences));
            var type = noun + Pick(_r, Words.ClassSuffixes);
            if (_r.NextDouble() < 0.6)
            {
                var method = Capitalize(Pick(_r, Words.Verbs)) + noun + "Async";
                Add(0, $"public sealed class {type}");
                Add(0, "{");
                Add(1, $"private readonly I{noun}Store _{Camel(noun)}Store;");
                Add(1, $"private readonly ILogger<{type}> _logger;");
                Add(0, "");
                Add(1, $"/// <summary>{doc}</summary>");
                Add(1, $"public async Task<{noun}?> {method}(Guid id, CancellationToken cancellationToken)");
                Add(1, "{");
                Body(2);
                Add(1, "}");
                Add(0, "}");
                return ($"{type}.{method}", "method", $"Method {type}.{method}: {doc}");
            }

            Add(0, $"/// <summary>{doc}</summary>");
            Add(0, $"public sealed record {type}");
            Add(0, "{");
            Add(1, "public required Guid Id { get; init; }");
            foreach (var property in Properties())
            {
                Add(1, $"public {Pick(_r, Words.CSharpTypes)} {Capitalize(property)} {{ get; init; }}");
            }

            Add(0, "}");
            return (type, "record", $"Record {type}: {doc}");
        }

        private (string?, string?, string) MarkdownSection()
        {
            var heading = Pick(_r, Words.Headings);
            if (_index == 0)
            {
                Add(0, $"# {_source.Title}");
                Add(0, "");
            }

            Add(0, $"## {heading}");
            Add(0, "");
            Add(0, Sentences(_r.Next(2, 5)));
            if (_r.NextDouble() < 0.5)
            {
                Add(0, "");
                for (var i = _r.Next(2, 5); i > 0; i--)
                {
                    Add(0, Fill("- `%c`: ") + Fill(Pick(_r, Words.ProseSentences)));
                }
            }

            if (_r.NextDouble() < 0.4)
            {
                Add(0, "");
                Add(0, "```bash");
                for (var i = _r.Next(1, 4); i > 0; i--)
                {
                    Add(0, Pick(_r, Words.Commands));
                }

                Add(0, "```");
            }

            if (_r.NextDouble() < 0.5)
            {
                Add(0, "");
                Add(0, Sentences(_r.Next(1, 4)));
            }

            return (null, null, $"Section \"{heading}\" of {_source.Location}");
        }

        private (string?, string?, string) WebSection()
        {
            var heading = Pick(_r, Words.Headings);
            if (_index == 0)
            {
                Add(0, $"# {_source.Title}");
                Add(0, "");
            }

            Add(0, $"## {heading}");
            for (var i = _r.Next(1, 4); i > 0; i--)
            {
                Add(0, "");
                Add(0, Sentences(_r.Next(2, 5)));
            }

            if (_r.NextDouble() < 0.35)
            {
                Add(0, "");
                Add(0, "```json");
                Add(0, Fill("{ \"%c\": %n, \"%c\": true }"));
                Add(0, "```");
            }

            if (_r.NextDouble() < 0.3)
            {
                Add(0, "");
                Add(0, "> Note: " + Fill(Pick(_r, Words.ProseSentences)));
            }

            return (null, null, $"\"{heading}\" on {_source.Title}");
        }

        /// <summary>Statements and nested blocks in the source's language, ending with a return.</summary>
        private void Body(int depth)
        {
            for (var i = _r.Next(3, 9); i > 0; i--)
            {
                if (depth < 4 && _r.NextDouble() < 0.3)
                {
                    Block(depth);
                }
                else
                {
                    Add(depth, Fill(Pick(_r, Statements)));
                }
            }

            Add(depth, Fill(_language == Language.Python ? "return %v" : "return %v;"));
        }

        private string[] Statements => _language switch
        {
            Language.TypeScript => Words.TypeScriptStatements,
            Language.Python => Words.PythonStatements,
            _ => Words.CSharpStatements,
        };

        private void Block(int depth)
        {
            var inner = _r.Next(1, 4);
            if (_r.NextDouble() < 0.25)
            {
                Open(depth, "try");
                Inner(depth + 1, inner);
                switch (_language)
                {
                    case Language.TypeScript:
                        Add(depth, "} catch (error) {");
                        Add(depth + 1, Fill("this.logger.warn('%m failed', { error });"));
                        Add(depth + 1, "throw error;");
                        break;
                    case Language.Python:
                        Add(depth, Fill("except %NError as exc:"));
                        Add(depth + 1, Fill("logger.warning(\"%m failed\", exc_info=exc)"));
                        Add(depth + 1, "raise");
                        break;
                    default:
                        Add(depth, "}");
                        Add(depth, Fill("catch (%NException ex)"));
                        Add(depth, "{");
                        Add(depth + 1, Fill("_logger.LogWarning(ex, \"%M failed\");"));
                        Add(depth + 1, "throw;");
                        break;
                }

                Close(depth);
                return;
            }

            var openers = _language switch
            {
                Language.TypeScript => Words.TypeScriptBlocks,
                Language.Python => Words.PythonBlocks,
                _ => Words.CSharpBlocks,
            };
            Open(depth, Fill(Pick(_r, openers)));
            Inner(depth + 1, inner);
            Close(depth);
        }

        private void Inner(int depth, int count)
        {
            for (var i = 0; i < count; i++)
            {
                Add(depth, Fill(Pick(_r, Statements)));
            }
        }

        private void Open(int depth, string header)
        {
            switch (_language)
            {
                case Language.TypeScript:
                    Add(depth, header + " {");
                    break;
                case Language.Python:
                    Add(depth, header + ":");
                    break;
                default:
                    Add(depth, header);
                    Add(depth, "{");
                    break;
            }
        }

        private void Close(int depth)
        {
            if (_language != Language.Python)
            {
                Add(depth, "}");
            }
        }

        private void Add(int depth, string text)
        {
            var width = _language == Language.TypeScript ? 2 : 4;
            _lines.Add(depth == 0 || text.Length == 0 ? text : new string(' ', depth * width) + text);
        }

        private IEnumerable<string> Properties() => Shuffled(_r, Words.Properties).Take(_r.Next(2, 7));

        private string Noun() => _r.NextDouble() < 0.6 ? _source.TopicNoun : Pick(_r, Words.Nouns);

        private string Sentences(int count)
        {
            var parts = new string[count];
            for (var i = 0; i < count; i++)
            {
                parts[i] = Fill(Pick(_r, Words.ProseSentences));
            }

            return string.Join(' ', parts);
        }

        /// <summary>
        /// Replaces placeholders: %v variable, %n number, %N noun, %l noun in lower case, %p property, %P property
        /// (Pascal), %m method, %M method (Pascal), %f field, %c configuration key, %d participle, %A adjective.
        /// </summary>
        private string Fill(string template)
        {
            var text = _fill.Clear();
            for (var i = 0; i < template.Length; i++)
            {
                if (template[i] != '%' || i + 1 == template.Length)
                {
                    text.Append(template[i]);
                    continue;
                }

                var python = _language == Language.Python;
                text.Append(template[++i] switch
                {
                    'v' => Pick(_r, Words.Variables),
                    'n' => Pick(_r, Words.Numbers),
                    'N' => Noun(),
                    'l' => Noun().ToLowerInvariant(),
                    'p' => python ? SnakeCase(Pick(_r, Words.Properties)) : Pick(_r, Words.Properties),
                    'P' => Capitalize(Pick(_r, Words.Properties)),
                    'm' => python ? Snake(Pick(_r, Words.Verbs), Noun()) : Camel(Pick(_r, Words.Verbs), Noun()),
                    'M' => Capitalize(Pick(_r, Words.Verbs)) + Noun(),
                    'f' => python ? Snake(Noun()) + "_store" : Camel(Noun()) + "Store",
                    'c' => Pick(_r, Words.ConfigKeys),
                    'd' => Pick(_r, Words.Participles),
                    'A' => Pick(_r, Words.Adjectives),
                    var key => throw new InvalidOperationException($"Unknown placeholder %{key} in \"{template}\"."),
                });
            }

            return text.ToString();
        }

        private static string Camel(string noun) => char.ToLowerInvariant(noun[0]) + noun[1..];

        private static string Camel(string verb, string noun) => verb + noun;

        private static string Snake(string noun) => noun.ToLowerInvariant();

        private static string Snake(string verb, string noun) => verb + "_" + noun.ToLowerInvariant();

        private static string SnakeCase(string camel)
        {
            var text = new StringBuilder(camel.Length + 4);
            foreach (var c in camel)
            {
                if (char.IsUpper(c))
                {
                    text.Append('_').Append(char.ToLowerInvariant(c));
                }
                else
                {
                    text.Append(c);
                }
            }

            return text.ToString();
        }
    }

    // ---------------------------------------------------------------- vectors and JSON

    /// <summary>A dataset centroid plus Gaussian noise, L2-normalised.</summary>
    private static void FillVector(Random r, float[] centroid, float[] vector)
    {
        SampleVectors.FillGaussian(r, vector);
        var noise = 0.8 / Math.Sqrt(vector.Length);
        var norm = 0.0;
        for (var i = 0; i < vector.Length; i++)
        {
            var value = centroid[i] + noise * vector[i];
            vector[i] = (float)value;
            norm += value * value;
        }

        Normalize(vector, norm);
    }

    private static float[] RandomUnitVector(Random r, int dimensions)
    {
        var vector = new float[dimensions];
        SampleVectors.FillGaussian(r, vector);
        var norm = 0.0;
        foreach (var value in vector)
        {
            norm += (double)value * value;
        }

        Normalize(vector, norm);
        return vector;
    }

    private static void Normalize(float[] vector, double squaredNorm)
    {
        if (squaredNorm <= 0 || !double.IsFinite(squaredNorm))
        {
            Array.Clear(vector);
            vector[0] = 1;
            return;
        }

        var scale = 1 / Math.Sqrt(squaredNorm);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] * scale);
        }
    }

    /// <summary>BM25-style sparse vectors: hashed term ids with log-scaled term-frequency weights.</summary>
    private sealed class SparseVectorBuilder
    {
        private const int Vocabulary = 30000;
        private readonly Dictionary<int, int> _counts = [];
        private readonly List<int> _indices = [];

        public string Build(string text, JsonText json)
        {
            _counts.Clear();
            uint hash = 2166136261;
            var length = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                var c = i < text.Length ? text[i] : ' ';
                if (char.IsAsciiLetterOrDigit(c))
                {
                    hash = (hash ^ char.ToLowerInvariant(c)) * 16777619;
                    length++;
                    continue;
                }

                if (length >= 2)
                {
                    var index = (int)(hash % Vocabulary);
                    _counts[index] = _counts.GetValueOrDefault(index) + 1;
                }

                hash = 2166136261;
                length = 0;
            }

            _indices.Clear();
            _indices.AddRange(_counts.Keys);
            _indices.Sort();
            var writer = json.Begin();
            writer.WriteStartArray("indices");
            foreach (var index in _indices)
            {
                writer.WriteNumberValue(index);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("values");
            foreach (var index in _indices)
            {
                var idf = 0.5 + 2.5 * (index * 2654435761u % 1000) / 1000.0;
                writer.WriteNumberValue(Math.Round((1 + Math.Log(_counts[index])) * idf, 4));
            }

            writer.WriteEndArray();
            return json.End();
        }
    }

    /// <summary>Builds one JSON object at a time into a reused buffer.</summary>
    private sealed class JsonText
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);
        private readonly Utf8JsonWriter _writer;

        public JsonText() => _writer = new Utf8JsonWriter(_buffer);

        public Utf8JsonWriter Begin()
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            return _writer;
        }

        public string End()
        {
            _writer.WriteEndObject();
            _writer.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Guid NextUuid(Random r)
    {
        Span<byte> bytes = stackalloc byte[16];
        r.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }

    private static string RandomHex(Random r, int bytes)
    {
        var buffer = new byte[bytes];
        r.NextBytes(buffer);
        return Convert.ToHexString(buffer).ToLowerInvariant();
    }

    private static T Pick<T>(Random r, T[] items) => items[r.Next(items.Length)];

    private static T[] Shuffled<T>(Random r, T[] items)
    {
        var copy = (T[])items.Clone();
        r.Shuffle(copy);
        return copy;
    }

    /// <summary>The n-th name of a list, with a numeric suffix once the list runs out, so names stay unique.</summary>
    private static string NthName(string[] names, int n) =>
        n < names.Length ? names[n] : $"{names[n % names.Length]}-{n / names.Length + 1}";

    private static string Capitalize(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    private static string Slug(string heading) => heading.ToLowerInvariant().Replace(' ', '-');

    private static int EstimateTokens(string text) => (text.Length + 3) / 4;

    private static string LanguageName(Language language) => language switch
    {
        Language.TypeScript => "typescript",
        Language.Python => "python",
        Language.CSharp => "csharp",
        Language.Markdown => "markdown",
        _ => "html",
    };

    private static string EmbeddingModel(int dimensions) => dimensions switch
    {
        768 => "nomic-embed-text",
        1024 => "mxbai-embed-large",
        1536 => "text-embedding-3-small",
        3072 => "text-embedding-3-large",
        _ => $"custom-{dimensions}d",
    };

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string Qualify(string table) => $"{Quote(SchemaName)}.{Quote(table)}";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, string parameter, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = parameter } } };
        return (T)(await command.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"No result from: {sql}"));
    }

    private static class Words
    {
        public static readonly string[] ProjectNames =
        [
            "acme-billing", "orbit-analytics", "helios-api", "nimbus-docs", "atlas-search", "quill-editor",
            "beacon-monitoring", "cobalt-payments", "ember-mobile", "vertex-ml", "harbor-infra", "lumen-portal",
        ];

        public static readonly string[] ProjectPurposes =
        [
            "billing and invoicing platform", "internal analytics dashboards", "customer-facing REST API",
            "knowledge base and support documentation", "search and recommendation services", "collaborative text editor",
            "uptime and latency monitoring", "payment processing and reconciliation", "mobile companion app",
            "model training and feature pipelines", "infrastructure as code and deployment tooling", "self-service customer portal",
        ];

        public static readonly string[] DatasetNames =
        [
            "backend", "frontend", "docs", "infra", "sdk", "mobile", "worker", "api-gateway", "data-pipeline", "admin-console",
        ];

        public static readonly string[] Nouns =
        [
            "Invoice", "Customer", "Embedding", "Chunk", "Dataset", "Project", "Session", "Token", "Document", "Result",
            "Payload", "Webhook", "Snapshot", "Cursor", "Manifest", "Report", "Record", "Tenant", "Job", "Event",
        ];

        public static readonly string[] Verbs =
        [
            "fetch", "load", "resolve", "build", "create", "update", "sync", "index", "parse", "validate",
            "render", "compute", "flush", "merge", "retry", "schedule", "normalize", "export", "import", "register",
        ];

        public static readonly string[] Variables =
        [
            "result", "items", "record", "entry", "batch", "response", "payload", "existing", "pending", "cursor",
            "snapshot", "rows", "matches", "updated",
        ];

        public static readonly string[] Properties =
        [
            "status", "updatedAt", "datasetId", "projectId", "count", "version", "name", "score", "retryCount",
            "createdAt", "ownerId", "checksum",
        ];

        public static readonly string[] Numbers = ["3", "5", "10", "25", "50", "100", "250", "500", "1000"];

        public static readonly string[] FileSuffixes =
        [
            "service", "store", "client", "controller", "worker", "utils", "repository", "handler", "mapper", "validator",
        ];

        public static readonly string[] ClassSuffixes = ["Service", "Store", "Client", "Handler", "Repository", "Worker", "Snapshot", "Options"];

        public static readonly string[] TypeScriptDirectories = ["src", "src/services", "src/api", "src/lib", "src/workers", "packages/core/src"];

        public static readonly string[] PythonDirectories = ["app", "app/services", "app/api", "core", "workers", "scripts"];

        public static readonly string[] CSharpAreas = ["Api", "Core", "Infrastructure", "Workers", "Domain"];

        public static readonly string[] TypeScriptTypes = ["string", "number", "boolean", "Date", "string[]", "Record<string, unknown>", "string | null"];

        public static readonly string[] PythonTypes = ["str", "int", "float", "bool", "datetime", "str | None", "list[str]", "dict[str, Any]"];

        public static readonly string[] CSharpTypes = ["string", "int", "long", "decimal", "bool", "DateTimeOffset", "string?", "IReadOnlyList<string>"];

        public static readonly string[] TypeScriptStatements =
        [
            "const %v = await this.%f.%m(id);",
            "const %v = %v.filter((item) => item.%p !== undefined);",
            "this.logger.debug('%m: processed %l', { id: %v.id });",
            "%v.%p = Date.now();",
            "await this.cache.set(`%l:${%v.id}`, %v);",
            "const %v = new Map<string, %N>();",
            "metrics.increment('%l.%m');",
            "const %v = %v.map((entry) => entry.%p);",
            "const %v = await fetch(`${this.baseUrl}/%ls/${id}`, { method: 'GET' });",
            "%v.push(...%v.slice(0, %n));",
        ];

        public static readonly string[] TypeScriptBlocks =
        [
            "if (!%v)", "for (const item of %v)", "if (%v.%p === undefined)", "if (%v.length > %n)", "while (%v.hasNext())",
        ];

        public static readonly string[] PythonStatements =
        [
            "%v = await self._store.%m(%l_id)",
            "%v = [item for item in %v if item.%p is not None]",
            "logger.debug(\"%m: processed %l\", extra={\"id\": %v.id})",
            "%v.%p = time.time()",
            "self._cache[%v.id] = %v",
            "%v: dict[str, %N] = {}",
            "metrics.increment(\"%l.%m\")",
            "%v = [entry.%p for entry in %v]",
            "%v = await self._%f.get(%v.id, timeout=%n)",
            "%v.extend(%v[:%n])",
        ];

        public static readonly string[] PythonBlocks =
        [
            "if not %v", "for item in %v", "if %v.%p is None", "if len(%v) > %n", "async with self._lock",
        ];

        public static readonly string[] CSharpStatements =
        [
            "var %v = await _%f.%MAsync(id, cancellationToken);",
            "var %v = %v.Where(item => item.%P is not null).ToList();",
            "_logger.LogDebug(\"%M processed {Count} items\", %v.Count);",
            "%v.%P = DateTimeOffset.UtcNow;",
            "_cache[%v.Id] = %v;",
            "var %v = new Dictionary<Guid, %N>();",
            "_metrics.Increment(\"%l.%m\");",
            "var %v = %v.Select(entry => entry.%P).ToArray();",
            "await _%f.SaveChangesAsync(cancellationToken);",
            "%v.AddRange(%v.Take(%n));",
        ];

        public static readonly string[] CSharpBlocks =
        [
            "if (%v is null)", "foreach (var item in %v)", "if (%v.%P is null)", "if (%v.Count > %n)", "while (await %v.MoveNextAsync())",
        ];

        public static readonly string[] DocSentences =
        [
            "Loads the %l with the given id, using the cache when possible.",
            "Builds the %l from the raw webhook payload.",
            "Synchronises pending %ls with the remote %l store.",
            "Returns every %l that changed since the given cursor.",
            "Validates the %l and normalises its fields before saving.",
            "Retries transient failures up to %n times before giving up.",
            "Splits large %ls into batches of at most %n items.",
            "Removes expired %ls and records a metric for each deletion.",
        ];

        public static readonly string[] ProseSentences =
        [
            "Each %l is %d before it is written to the %l store.",
            "Use the `%c` setting to control how many %ls are processed per batch.",
            "When the %l service is unavailable, requests are retried up to %n times with exponential backoff.",
            "%A %ls are cached for %n minutes to reduce load on the %l service.",
            "The default value is %n; larger values increase memory usage but improve throughput.",
            "This endpoint returns a paginated list of %ls ordered by creation time.",
            "Authentication uses short-lived tokens that expire after %n minutes.",
            "See the %l reference for the full list of supported fields.",
            "Indexing runs in the background, so new %ls become searchable within a few seconds.",
            "Deleting a %l also removes every %l that belongs to it.",
            "The `%c` option accepts values between 1 and %n.",
            "Large %ls are split into chunks of roughly %n tokens with a small overlap.",
        ];

        public static readonly string[] Participles = ["validated", "normalised", "indexed", "compressed", "deduplicated", "encrypted"];

        public static readonly string[] Adjectives = ["Stale", "Frequently used", "Archived", "Expired", "Pending", "Large"];

        public static readonly string[] ConfigKeys =
        [
            "maxBatchSize", "embeddingModel", "chunkOverlap", "requestTimeout", "retryLimit", "cacheTtl", "logLevel",
            "databaseUrl", "vectorDimensions", "concurrency",
        ];

        public static readonly string[] Headings =
        [
            "Getting started", "Installation", "Configuration", "Architecture overview", "Indexing pipeline", "Troubleshooting",
            "Deployment", "Environment variables", "Running the tests", "Data model", "Search API", "Authentication",
            "Rate limits", "Webhooks", "Pagination", "Error handling", "Upgrading", "Monitoring", "Backups", "FAQ",
        ];

        public static readonly string[] DocSections = ["guides", "reference", "api", "tutorials", "concepts"];

        public static readonly string[] Commands =
        [
            "npm install", "npm run build", "npm test -- --watch", "pnpm lint", "docker compose up -d postgres",
            "python -m pytest -q", "dotnet test", "make migrate", "psql \"$DATABASE_URL\" -f init.sql",
        ];
    }
}
