using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>
/// Reads a Claude-Context installation in PostgreSQL (schema claude_context): one connection, one
/// REPEATABLE READ snapshot for the whole run, keyset pagination on id (never OFFSET).
/// </summary>
public sealed class ClaudeContextReader : ISourceReader
{
    private const string KeyAlias = "__key";
    private const string CtidAlias = "__ctid";

    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _snapshot;
    private ClaudeContextCatalog? _catalog;

    /// <summary>
    /// Claude-Context as a source kind: its records carry system_origin 'claude'. Each store it can live in has its
    /// own location type, and the location picks the reader: one line per store.
    /// </summary>
    public static SourceKind Kind { get; } = new("ClaudeContext", "claude", source => source.Location switch
    {
        Qdrant.ClaudeContextQdrantLocation => new Qdrant.ClaudeContextQdrantReader(source),
        Milvus.MilvusLocation => new Milvus.ClaudeContextMilvusReader(source),
        _ => new ClaudeContextReader(source),
    });

    private readonly ClaudeContextLocation _location;

    public ClaudeContextReader(MigrationSource source)
    {
        Source = source;
        _location = source.Location as ClaudeContextLocation ?? throw new ArgumentException("Not a Claude-Context source.", nameof(source));
    }

    public MigrationSource Source { get; }

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var catalog = _catalog = await ClaudeContextCatalog.LoadAsync(connection, Source.Schema, cancellationToken);
        var serverVersion = connection.PostgreSqlVersion.ToString();
        if (!catalog.SchemaExists)
        {
            issues.Add(Blocker("SourceSchemaMissing",
                $"Source '{Source.Name}': schema '{Source.Schema}' does not exist in database {_location.Endpoint.Display}.",
                "Point -ConnectionString at the Claude-Context database, or pass the right -Schema.", MigrationErrorKind.ObjectNotFound));
            return (new SourceAnalysis(Source.Name, Source.System, serverVersion, ClaudeContextCatalog.LayoutName(null), [], null, null, new Dictionary<int, long>(), 0), []);
        }

        foreach (var required in new[] { "projects", "datasets", "chunks" }.Where(t => catalog.Table(t) is null))
        {
            issues.Add(Blocker("SourceTableMissing", $"Source '{Source.Name}': table {Source.Schema}.{required} does not exist.",
                "This does not look like a Claude-Context installation; check the database and schema.", MigrationErrorKind.ObjectNotFound));
        }

        if (catalog.Table("chunks") is not null && catalog.ChunkLayout() is null)
        {
            var columns = string.Join(", ", catalog.Table("chunks")!.Columns.Select(c => c.Name));
            issues.Add(Blocker("ChunkLayoutUnrecognised",
                $"Source '{Source.Name}': {Source.Schema}.chunks has columns ({columns}), which match neither known layout.",
                "Expected either (content, vector, relative_path, ...) or (text, embedding, document_id, ...). Report the layout to the PSUnifiedMigration team."));
        }

        var (collections, unreadable) = ChunkCollections.Discover(catalog);
        foreach (var table in unreadable)
        {
            issues.Add(Warning("ChunkTableNotUnderstood",
                $"Source '{Source.Name}': {Source.Schema}.{table.Table.Name} ({string.Join(", ", table.Table.Columns.Select(c => $"{c.Name} {c.Type}"))}) looks like a chunk collection, but {table.Reason}; it is not migrated.",
                "A chunk collection needs a vector column named vector or embedding (pgvector vector, real[] or double precision[]) and a text column named content, text or chunk_text. Rename or convert the columns, or report the layout to the PSUnifiedMigration team."));
        }

        var tables = new List<SourceTableAnalysis>();
        var steps = new List<SourceStep>();
        var dimensions = new Dictionary<int, long>();
        long withoutVector = 0;
        foreach (var spec in Specs(collections))
        {
            var table = catalog.Table(spec.SourceTable);
            if (table is null)
            {
                continue;
            }

            if (table.IsView)
            {
                // Reading pages by physical position (ctid) needs a table; a view has none.
                issues.Add(Blocker("SourceTableIsView", $"Source '{Source.Name}': {Source.Schema}.{table.Name} is a view, not a table.",
                    "Migrate from the table the view reads, or materialise the view into a table first."));
                continue;
            }

            var key = table.Column("id");
            if (key is null)
            {
                issues.Add(Blocker("SourceKeyMissing", $"Source '{Source.Name}': table {Source.Schema}.{table.Name} has no id column.",
                    "Every Claude-Context table has an id; check that the schema is a Claude-Context schema.", MigrationErrorKind.ObjectNotFound));
                continue;
            }

            var (rows, bytes) = await CountAsync(connection, catalog.QualifiedName(table.Name), cancellationToken);
            if (!table.KeyIsUnique)
            {
                issues.Add(Warning("SourceKeyNotUnique",
                    $"Source '{Source.Name}': {Source.Schema}.{table.Name}.id has no unique index; duplicate ids will be rejected and reading orders by (id, ctid).",
                    null));
            }

            var analysis = new SourceTableAnalysis(table.Name, rows, bytes, "id", key.Type, table.KeyIsUnique, CarriedColumns(spec, table))
            {
                Layout = collections.FirstOrDefault(c => c.Spec == spec)?.Layout,
            };
            if (spec.VectorColumn is not null)
            {
                var (tableDimensions, tableWithoutVector) = await VectorDimensionsAsync(connection, catalog, table, spec.VectorColumn, cancellationToken);
                analysis = analysis with { VectorDimensions = tableDimensions };
                withoutVector += tableWithoutVector;
                foreach (var (dimension, count) in tableDimensions)
                {
                    dimensions[dimension] = dimensions.GetValueOrDefault(dimension) + count;
                }
            }

            tables.Add(analysis);
            steps.Add(new SourceStep(Source.Name, table.Name, spec.Target, rows, bytes));
        }

        var vectorColumns = collections.Select(c => c.Table.Column(c.Spec.VectorColumn!)!).ToList();
        var vectorType = vectorColumns.Count == 0 ? null : string.Join(", ", vectorColumns.Select(c => c.Type).Distinct());
        if (vectorColumns.Any(c => c.TypeName == "_float8"))
        {
            issues.Add(Warning("VectorPrecisionNarrowed",
                $"Source '{Source.Name}': chunk vectors are double precision; the unified store keeps float32 (as pgvector and Qdrant do).", null));
        }

        var vectorColumn = vectorColumns.Count == 0 ? null : string.Join(", ", vectorColumns.Select(c => c.Name).Distinct());
        var layout = collections.Count == 0 ? ClaudeContextCatalog.LayoutName(null)
            : string.Join("; ", collections.Select(c => c.Table.Name == "chunks" ? c.Layout : $"{c.Table.Name}: {c.Layout}"));
        return (new SourceAnalysis(Source.Name, Source.System, serverVersion, layout, tables, vectorColumn, vectorType, dimensions, withoutVector)
        {
            CatalogFingerprint = catalog.Fingerprint(),
        }, steps);
    }

    public async IAsyncEnumerable<SourceKeyPage> ReadKeysAsync(SourceStep step, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var table = _catalog?.QualifiedName(step.SourceTable) ?? throw new InvalidOperationException("AnalyzeAsync must run first.");
        async Task<IReadOnlyList<string>> ReadPageAsync(string? last, int limit, CancellationToken token)
        {
            await using var command = new NpgsqlCommand(last is null
                ? $"SELECT DISTINCT s.\"id\", s.\"id\"::text FROM {table} AS s WHERE s.\"id\" IS NOT NULL ORDER BY 1 LIMIT $1"
                : $"SELECT DISTINCT s.\"id\", s.\"id\"::text FROM {table} AS s WHERE s.\"id\" > $2 ORDER BY 1 LIMIT $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            if (last is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = last, NpgsqlDbType = NpgsqlDbType.Unknown });
            }

            var legacy = new List<string>(limit);
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                legacy.Add(reader.GetString(1));
            }

            return legacy;
        }

        await foreach (var (legacy, _) in KeysetPager.PagesAsync<string, string?>(null, pageSize, ReadPageAsync, id => id, cancellationToken))
        {
            yield return new SourceKeyPage(legacy, legacy.Select(id => DeterministicId.ForLegacyId(Source.SystemOrigin, id)).ToArray());
        }
    }

    public async Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        _snapshot = await Connections.ReadSnapshot.BeginAsync(connection, cancellationToken);

        // The catalog is read inside the snapshot, so the run sees exactly the shape its rows have.
        _catalog = await ClaudeContextCatalog.LoadAsync(connection, Source.Schema, cancellationToken);
    }

    /// <summary>The source's shape as the open snapshot sees it; compared with the plan's.</summary>
    public string CatalogFingerprint => (_catalog ?? throw new InvalidOperationException("No catalog loaded.")).Fingerprint();

    /// <summary>Reads the rows with a null id first (each rejected, by ctid), then the rest in key order.</summary>
    public async IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var catalog = _catalog ?? throw new InvalidOperationException("BeginSnapshotAsync must run before ReadAsync.");
        var spec = Specs(ChunkCollections.Discover(catalog).Found).Single(s => s.SourceTable == step.SourceTable);
        var table = catalog.Table(step.SourceTable)!;
        var select = SelectList(catalog, spec, table);
        var from = $"FROM {catalog.QualifiedName(table.Name)} AS s";
        var position = ClaudeContextPosition.Parse(after);
        Func<ClaudeContextRow, UnifiedRecord> transform = row => Transform(spec, row, vectorDimensions);
        Func<ClaudeContextRow, string> rejectKey = row => row.Key ?? $"ctid {row.Ctid}";
        if (!position.NullKeysDone)
        {
            await foreach (var batch in KeysetPager.BatchesAsync(step, position, batchSize,
                (cursor, limit, token) => ReadPageAsync($"SELECT {select} {from} WHERE s.\"id\" IS NULL AND s.ctid > $1::tid ORDER BY s.ctid LIMIT $2",
                    [cursor.LastNullCtid ?? "(0,0)", limit], null, table.KeyIsUnique, token),
                row => new ClaudeContextPosition(false, row.Ctid, null, null), cursor => cursor.ToPosition(), transform, rejectKey, cancellationToken))
            {
                yield return batch;
            }

            position = ClaudeContextPosition.Start with { NullKeysDone = true };
        }

        await foreach (var batch in KeysetPager.BatchesAsync(step, position, batchSize,
            (cursor, limit, token) => cursor.LastKey is null
                ? ReadPageAsync($"SELECT {select} {from} WHERE s.\"id\" IS NOT NULL ORDER BY {Order(table)} LIMIT $1", [limit], null, table.KeyIsUnique, token)
                : table.KeyIsUnique
                    ? ReadPageAsync($"SELECT {select} {from} WHERE s.\"id\" > $1 ORDER BY {Order(table)} LIMIT $2", [Untyped(cursor.LastKey), limit], cursor.LastKey, true, token)
                    : ReadPageAsync($"SELECT {select} {from} WHERE (s.\"id\", s.ctid) > ($1, $2::tid) ORDER BY {Order(table)} LIMIT $3",
                        [Untyped(cursor.LastKey), cursor.LastCtid ?? "(0,0)", limit], cursor.LastKey, false, token),
            row => new ClaudeContextPosition(true, null, row.Key, row.Ctid), cursor => cursor.ToPosition(), transform, rejectKey, cancellationToken))
        {
            yield return batch;
        }
    }

    /// <summary>A row read with its key and physical position; Duplicate when its key repeats the row before it.</summary>
    private sealed record ClaudeContextRow(SourceRow Row, string? Key, string Ctid, bool Duplicate);

    private static NpgsqlParameter Untyped(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Unknown };

    /// <summary>One page inside the snapshot; <paramref name="previousKey"/> is the key of the row before the page.</summary>
    private async Task<IReadOnlyList<ClaudeContextRow>> ReadPageAsync(string sql, object[] values, string? previousKey, bool keyIsUnique, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _snapshot);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        var rows = new List<ClaudeContextRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ordinals = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new SourceRow(ordinals, SourceFields.Read(reader));
            var key = row.Raw(KeyAlias) as string;
            rows.Add(new ClaudeContextRow(row, key, (string)row.Raw(CtidAlias)!, !keyIsUnique && key is not null && key == previousKey));
            previousKey = key;
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary>The record of a row; a null or repeated id, or a value the mapping refuses, rejects it.</summary>
    private UnifiedRecord Transform(ClaudeTableSpec spec, ClaudeContextRow row, int? vectorDimensions)
    {
        var key = row.Key ?? throw new RecordRejectedException("id", "has a NULL id. Give the record an id in the source, or delete it.", "RecordIdNull");
        if (row.Duplicate)
        {
            throw new RecordRejectedException("id",
                $"duplicates the id of an earlier record (this copy is at ctid {row.Ctid}). Remove or re-key the duplicate in the source.", "RecordIdDuplicate");
        }

        var record = Source.NewRecord(spec.Target, spec.SourceTable, key);
        spec.Map(row.Row, record, vectorDimensions);
        return record;
    }

    /// <summary>The parent tables first (chunks reference them), then every chunk collection found.</summary>
    private static IEnumerable<ClaudeTableSpec> Specs(IReadOnlyList<ChunkCollection> collections) =>
        [.. ClaudeContextTables.ParentTables, .. collections.Select(c => c.Spec)];

    private static string Order(CatalogTable table) => table.KeyIsUnique ? "s.\"id\"" : "s.\"id\", s.ctid";

    private static IReadOnlyList<string> CarriedColumns(ClaudeTableSpec spec, CatalogTable table) =>
        table.Columns.Select(c => c.Name).Where(c => c != "id" && spec.Known.All(k => k.Name != c)).ToArray();

    /// <summary>
    /// The select list: key and position, each known column cast to its reading type (NULL when the
    /// table lacks it), lookups in other tables, and every unknown column as one JSON object.
    /// </summary>
    private static string SelectList(ClaudeContextCatalog catalog, ClaudeTableSpec spec, CatalogTable table)
    {
        var parts = new List<string> { $"s.\"id\"::text AS {Sql.Quote(KeyAlias)}", $"s.ctid::text AS {Sql.Quote(CtidAlias)}" };
        foreach (var known in spec.Known)
        {
            var column = table.Column(known.Name);
            var cast = ReadingCast(known.Cast, column?.TypeName);
            // real[] sources can hold NULL elements; they are read as nullable so the record can be rejected by index.
            var expression = column is null ? $"NULL::{cast}" : $"s.{Sql.Quote(known.Name)}::{cast}";
            parts.Add($"{expression} AS {Sql.Quote(known.Name)}");
        }

        foreach (var lookup in spec.Lookups)
        {
            var other = catalog.Table(lookup.Table);
            var available = other?.Column("id") is not null && other.Column(lookup.ValueColumn) is not null && table.Column(lookup.LocalColumn) is not null;
            parts.Add(available
                ? $"(SELECT x.{Sql.Quote(lookup.ValueColumn)}::text FROM {catalog.QualifiedName(lookup.Table)} AS x " +
                  $"WHERE x.\"id\" = s.{Sql.Quote(lookup.LocalColumn)} LIMIT 1) AS {Sql.Quote(lookup.Alias)}"
                : $"NULL::text AS {Sql.Quote(lookup.Alias)}");
        }

        if (spec.Collection is { } collection)
        {
            parts.AddRange(CollectionTables.LookupExpressions(catalog, table, collection));
        }

        var carried = CarriedColumns(spec, table);
        parts.Add(carried.Count == 0
            ? $"NULL::text AS {Sql.Quote(ClaudeContextTables.ExtraColumnsAlias)}"
            : $"(SELECT row_to_json(x)::text FROM (SELECT {string.Join(", ", carried.Select(c => "s." + Sql.Quote(c)))}) AS x) AS {Sql.Quote(ClaudeContextTables.ExtraColumnsAlias)}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// The type a known column is read as. A cast that can fail on one row's value would fail the whole page (a text
    /// created_at, a numeric chunk_index beyond bigint, a double precision vector element beyond float4), so such
    /// columns are read as they are, or as text, and each value is checked by the record's transform, which rejects
    /// only that record, naming the field.
    /// </summary>
    private static string ReadingCast(string cast, string? sourceType) => (cast, sourceType) switch
    {
        ("json", _) => "text",
        ("timestamptz", "timestamptz" or "timestamp" or "date" or null) => "timestamptz",
        ("timestamptz", _) => "text",
        ("bigint", "int2" or "int4" or "int8" or null) => "bigint",
        ("bigint", _) => "text",
        ("real[]", "_float8") => "float8[]",
        _ => cast,
    };

    /// <summary>
    /// The source connection. A SQL_ASCII database stores bytes unchecked; asking the server to convert them to UTF-8
    /// fails the whole page on the first byte that is not UTF-8, so the client encoding is declared SQL_ASCII too
    /// (no conversion) and each value is decoded here, where one that is not UTF-8 is that record's reject
    /// (TextEncodingInvalid, with its bytes). Other encodings (LATIN1, ...) the server converts exactly.
    /// </summary>
    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = await _location.Endpoint.OpenAsync(cancellationToken);
            if (_connection.PostgresParameters.GetValueOrDefault("server_encoding") == "SQL_ASCII")
            {
                await using var command = new NpgsqlCommand("SET client_encoding TO 'SQL_ASCII'", _connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return _connection;
    }

    private static async Task<(long Rows, long Bytes)> CountAsync(NpgsqlConnection connection, string qualifiedTable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), pg_total_relation_size({Sql.Literal(qualifiedTable)}::regclass) FROM {qualifiedTable}", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>How many rows of a collection have each vector dimension, and how many have no vector.</summary>
    private static async Task<(Dictionary<int, long> Dimensions, long WithoutVector)> VectorDimensionsAsync(
        NpgsqlConnection connection, ClaudeContextCatalog catalog, CatalogTable table, string vectorColumn, CancellationToken cancellationToken)
    {
        var column = table.Column(vectorColumn)!;
        var quoted = Sql.Quote(column.Name);
        var dimension = column.TypeName == "vector" ? "vector_dims(c." + quoted + ")" : "cardinality(c." + quoted + ")";
        await using var command = new NpgsqlCommand(
            $"SELECT {dimension}, count(*) FROM {catalog.QualifiedName(table.Name)} AS c GROUP BY 1", connection);
        var dimensions = new Dictionary<int, long>();
        long withoutVector = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(0))
            {
                withoutVector = reader.GetInt64(1);
            }
            else
            {
                dimensions[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }

        return (dimensions, withoutVector);
    }

    private MigrationPlanIssue Blocker(string code, string message, string remedy, MigrationErrorKind kind = MigrationErrorKind.InvalidOperation) =>
        new(PlanIssueSeverity.Blocker, code, message, remedy, Source.Name, kind);

    private MigrationPlanIssue Warning(string code, string message, string? remedy) => new(PlanIssueSeverity.Warning, code, message, remedy, Source.Name);
}
