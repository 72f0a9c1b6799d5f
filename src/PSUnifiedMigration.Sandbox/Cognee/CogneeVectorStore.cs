using Npgsql;
using NpgsqlTypes;

namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// Cognee's pgvector collections: one table per collection, as PGVectorAdapter creates them with SQLAlchemy
/// (<c>id UUID NOT NULL PRIMARY KEY, payload JSON, vector VECTOR(n)</c>, the name quoted because of its capitals).
/// Rows are streamed into one temporary staging table (binary COPY cannot write pgvector's type without its
/// type plug-in, and only one COPY can be open on a connection) and distributed when the sample is complete.
/// Everything happens in one transaction.
/// </summary>
internal sealed class CogneeVectorStore : IAsyncDisposable
{
    private const string StagingTable = "cognee_sample_vectors";
    private const int RowsPerInsert = 100;
    private const int MaxPgvectorDimensions = 16000;

    private static readonly (string Name, NpgsqlDbType Type)[] StagingColumns =
    [
        ("ordinal", NpgsqlDbType.Bigint), ("schema_name", NpgsqlDbType.Text), ("collection", NpgsqlDbType.Text),
        ("id", NpgsqlDbType.Uuid), ("payload", NpgsqlDbType.Text), ("vector", NpgsqlDbType.Array | NpgsqlDbType.Real),
    ];

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _vectorType;
    private NpgsqlBinaryImporter? _importer;
    private readonly List<NpgsqlParameter> _pending = [];
    private readonly HashSet<(string Schema, string Collection)> _tables = [];
    private readonly HashSet<(string Schema, string Collection, Guid Id)> _written = [];
    private readonly CancellationToken _ct;
    private long _ordinal;

    private CogneeVectorStore(NpgsqlConnection connection, NpgsqlTransaction transaction, string vectorType, string defaultSchema, CancellationToken ct)
    {
        _connection = connection;
        _transaction = transaction;
        _vectorType = vectorType;
        DefaultSchema = defaultSchema;
        _ct = ct;
    }

    /// <summary>The schema SQLAlchemy creates unqualified tables in (the first of the search path, normally <c>public</c>).</summary>
    public string DefaultSchema { get; }

    public string DatabaseName => _connection.Database;

    public string Host => _connection.Host ?? "localhost";

    public int Port => _connection.Port;

    public Dictionary<string, int> RowsByCollection { get; } = new(StringComparer.Ordinal);

    public IEnumerable<string> Schemas => _tables.Select(t => t.Schema).Distinct().Order(StringComparer.Ordinal);

    /// <summary>The collections of the default cognify pipeline (Cognee names them <c>{DataPoint class}_{indexed field}</c>).</summary>
    public static readonly string[] Collections =
    [
        "TextDocument_name", "DocumentChunk_text", "Entity_name", "EntityType_name", "TextSummary_text", "EdgeType_relationship_name",
    ];

    public static async Task<CogneeVectorStore> OpenAsync(string connectionString, int dimensions, CancellationToken ct)
    {
        if (dimensions > MaxPgvectorDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, $"pgvector columns hold at most {MaxPgvectorDimensions} dimensions.");
        }

        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            if (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector')", ct))
            {
                throw new InvalidOperationException(
                    $"The vector database \"{connection.Database}\" has no pgvector extension (\"vector\") available, and Cognee's " +
                    "pgvector collections need it. Point VectorConnectionString at a server with pgvector (tests use PgliteServer, " +
                    "PGlite with the pgvector extension) or leave it null to write no vectors.");
            }

            await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS vector", ct);
            // The extension may live in any schema; qualify the type so search paths do not matter.
            var extensionSchema = await ScalarAsync<string>(connection,
                "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'", ct);
            var defaultSchema = await ScalarAsync<string>(connection, "SELECT current_schema()", ct);
            var columns = string.Join(", ", StagingColumns.Select(c => $"{Quote(c.Name)} {(c.Name == "vector" ? "real[]" : PgType(c.Type))}"));
            await ExecuteAsync(connection, $"CREATE TEMP TABLE {Quote(StagingTable)} ({columns}) ON COMMIT DROP", ct);
            return new CogneeVectorStore(connection, transaction, $"{Quote(extensionSchema)}.{Quote("vector")}({dimensions})", defaultSchema, ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Refuses to run when any of the collections the sample may write already exists: it only makes fresh installations.</summary>
    public async Task EnsureFreshAsync(IEnumerable<(string Schema, string Collection)> tables)
    {
        foreach (var (schema, collection) in tables)
        {
            if (await ScalarAsync<bool>(_connection, "SELECT to_regclass(format('%I.%I', $1::text, $2::text)) IS NOT NULL", _ct, schema, collection))
            {
                throw new InvalidOperationException(
                    $"Table \"{schema}\".\"{collection}\" already exists in database \"{_connection.Database}\"; the sample generator only " +
                    "creates fresh installations. Use an empty database or drop the collection first.");
            }
        }
    }

    /// <summary>Starts streaming rows into the staging table (with binary COPY unless INSERTs were asked for).</summary>
    public async Task BeginRowsAsync(bool useInsert)
    {
        if (!useInsert)
        {
            _importer = await _connection.BeginBinaryImportAsync(
                $"COPY {Quote(StagingTable)} ({string.Join(", ", StagingColumns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)", _ct);
        }
    }

    /// <summary>Adds a row unless the collection already has that id: Cognee upserts, and the first write's payload stays.</summary>
    public async Task<bool> AddAsync(string schema, string collection, Guid id, PyDict payload, float[] vector)
    {
        if (!_written.Add((schema, collection, id)))
        {
            return false;
        }

        _tables.Add((schema, collection));
        RowsByCollection[collection] = RowsByCollection.GetValueOrDefault(collection) + 1;
        object[] values = [_ordinal++, schema, collection, id, PyJson.Dumps(payload), vector];
        if (_importer is not null)
        {
            await _importer.StartRowAsync(_ct);
            for (var i = 0; i < values.Length; i++)
            {
                await _importer.WriteAsync(values[i], StagingColumns[i].Type, _ct);
            }

            return true;
        }

        for (var i = 0; i < values.Length; i++)
        {
            // The caller reuses its buffers, so the vector is copied before it is queued.
            _pending.Add(new NpgsqlParameter { NpgsqlDbType = StagingColumns[i].Type, Value = values[i] is float[] v ? v.Clone() : values[i] });
        }

        if (_pending.Count >= RowsPerInsert * StagingColumns.Length)
        {
            await FlushAsync();
        }

        return true;
    }

    /// <summary>
    /// Creates the collections that received rows (Cognee creates a collection with its first data point), moves the
    /// staged rows into them, casting real[] to vector(n), and commits.
    /// </summary>
    public async Task CommitAsync()
    {
        if (_importer is not null)
        {
            await _importer.CompleteAsync(_ct);
            await _importer.DisposeAsync();
            _importer = null;
        }

        await FlushAsync();
        foreach (var (schema, collection) in _tables.OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Collection, StringComparer.Ordinal))
        {
            await CreateTableAsync(schema, collection);
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {Quote(schema)}.{Quote(collection)} (id, payload, vector) " +
                $"SELECT id, payload::json, vector::{_vectorType} FROM {Quote(StagingTable)} " +
                "WHERE schema_name = $1 AND collection = $2 ORDER BY ordinal", _connection)
            {
                Parameters = { new() { Value = schema }, new() { Value = collection } },
            };
            await command.ExecuteNonQueryAsync(_ct);
        }

        await ExecuteAsync(_connection, $"DROP TABLE {Quote(StagingTable)}", _ct);
        await _transaction.CommitAsync(_ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            // An unfinished COPY is cancelled, and the transaction rolls back with it.
            await _importer.DisposeAsync();
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task CreateTableAsync(string schema, string collection)
    {
        if (schema != DefaultSchema)
        {
            await ExecuteAsync(_connection, $"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", _ct);
        }

        await ExecuteAsync(_connection,
            $"CREATE TABLE {Quote(schema)}.{Quote(collection)} (id uuid NOT NULL, payload json, vector {_vectorType}, PRIMARY KEY (id))", _ct);
    }

    private async Task FlushAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var width = StagingColumns.Length;
        var rows = Enumerable.Range(0, _pending.Count / width)
            .Select(r => "(" + string.Join(", ", Enumerable.Range(1, width).Select(c => $"${r * width + c}")) + ")");
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {Quote(StagingTable)} ({string.Join(", ", StagingColumns.Select(c => Quote(c.Name)))}) VALUES {string.Join(", ", rows)}",
            _connection);
        command.Parameters.AddRange(_pending.ToArray());
        await command.ExecuteNonQueryAsync(_ct);
        _pending.Clear();
    }

    private static string PgType(NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Bigint => "bigint",
        NpgsqlDbType.Uuid => "uuid",
        _ => "text",
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"No result from: {sql}"));
    }
}
