using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Data.Common;
using Npgsql;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Reads a Cognee installation: the relational store (SQLite or PostgreSQL: principals, datasets, data, ACLs) in
/// one read transaction with keyset pages on id; the graph from the networkx file (streamed element by element), the
/// relational ledger or the PostgreSQL graph tables; and the pgvector collections.
/// </summary>
public sealed class CogneeReader : ISourceReader
{
    private const string NodesTable = "graph_nodes";
    private const string EdgesTable = "graph_edges";

    private readonly CogneeStores _stores;
    private readonly CogneeDatabase _database;
    private bool _opened;
    private CogneeCatalog? _catalog;
    private NpgsqlConnection? _vectors;
    private NpgsqlTransaction? _vectorSnapshot;
    private IReadOnlyList<CogneeVectorCollection> _collections = [];
    private NpgsqlConnection? _graph;
    private NpgsqlTransaction? _graphSnapshot;
    private CogneeGraphTables? _graphTables;

    public CogneeReader(MigrationSource source)
    {
        Source = source;
        _stores = source.Cognee ?? throw new ArgumentException("Not a Cognee source.", nameof(source));
        _database = _stores.Relational is { } relational ? new PostgresCogneeDatabase(relational) : new SqliteCogneeDatabase(_stores.SqlitePath!);
    }

    public MigrationSource Source { get; }

    public string CatalogFingerprint => (_catalog ?? throw new InvalidOperationException("No catalog loaded.")).Fingerprint()
        + (_stores.GraphFilePath is null ? "" : "+graph") + string.Concat(_graphTables?.Schemas.Select(s => "+graph_node@" + s) ?? [])
        + string.Concat(_collections.Select(c => "+" + c.SourceTable));

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var empty = new SourceAnalysis(Source.Name, Source.System, "", "unrecognised", [], null, null, new Dictionary<int, long>(), 0);
        CogneeCatalog catalog;
        try
        {
            catalog = _catalog = CogneeCatalog.Load(await ConnectAsync(cancellationToken));
        }
        catch (MigrationException e)
        {
            issues.Add(Blocker(e.ErrorId, $"Source '{Source.Name}': {e.Message}", null));
            return (empty, []);
        }

        if (!catalog.Has("datasets") || !catalog.Has("data") || !catalog.Has("principals"))
        {
            issues.Add(Blocker("CogneeNotADatabase", $"Source '{Source.Name}': {_database.Location} is a database without Cognee's tables (datasets, data, principals).",
                "Point -Path at the Cognee system root (the folder holding databases/cognee_db), -SqlitePath at Cognee's SQLite database, or -ConnectionString at its PostgreSQL database."));
            return (empty with { ServerVersion = _database.ServerVersion }, []);
        }

        if (!catalog.DataHasDatasetColumn && !catalog.Has("dataset_data"))
        {
            issues.Add(Blocker("CogneeLayoutUnrecognised", $"Source '{Source.Name}': data has no dataset_id column and there is no dataset_data table.",
                "Report the Cognee version to the PSUnifiedMigration team."));
        }


        if (_stores.Vectors is null)
        {
            issues.Add(Warning("CogneeVectorsNotGiven", $"Source '{Source.Name}': no vector store was given, so chunks, data points and their vectors are not migrated.",
                "If Cognee keeps its collections in pgvector, pass that database's connection string as the vector store."));
        }

        var tables = new List<SourceTableAnalysis>();
        var steps = new List<SourceStep>();
        foreach (var spec in CogneeRelationalTables.All.Where(s => catalog.Has(s.SourceTable)))
        {
            var rows = _database.ScalarLong($"SELECT count(*) FROM {Sql.Quote(spec.SourceTable)}");
            tables.Add(new SourceTableAnalysis(spec.SourceTable, rows, _database.TableBytes(spec.SourceTable), "id", "UUID", true, []));
            steps.Add(new SourceStep(Source.Name, spec.SourceTable, spec.Target, rows, 0));
        }

        var orphanData = DataWithoutDataset(catalog);
        if (orphanData > 0)
        {
            issues.Add(Warning("CogneeDataWithoutDataset", $"Source '{Source.Name}': {orphanData} data row(s) belong to no dataset; they will be rejected (DatasetMissing).",
                "Add them to a dataset in Cognee, or delete them, before migrating."));
        }

        if (_stores.GraphFilePath is { } givenGraph && !File.Exists(givenGraph))
        {
            issues.Add(Blocker("CogneeGraphFileNotFound", $"Source '{Source.Name}': the graph file {givenGraph} does not exist.",
                "Check -GraphPath, or leave it out to read the graph from the relational ledger."));
            return (empty, []);
        }

        if (GraphTablesEndpoint is { } graphEndpoint)
        {
            try
            {
                await ConnectGraphAsync(graphEndpoint, snapshot: false, cancellationToken);
            }
            catch (MigrationException e)
            {
                issues.Add(Blocker(e.ErrorId, $"Source '{Source.Name}' (graph database): {e.Message}", null));
            }

            if (_graphTables is { } graphTables)
            {
                AnalyzeGraphTables(graphTables, issues, tables, steps);
            }
            else if (_stores.GraphDatabase is not null)
            {
                issues.Add(Blocker("CogneeGraphTablesNotFound", $"Source '{Source.Name}': the graph database {_stores.GraphDatabase.Display} holds no graph_node/graph_edge tables.",
                    "Check -GraphConnectionString: it must name the database of Cognee's PostgreSQL graph store."));
            }
        }

        var ledger = _graphTables is null && UsesLedger(catalog);
        if (ledger)
        {
            var nodes = _database.ScalarLong("SELECT count(DISTINCT \"slug\") FROM \"nodes\"");
            var edges = catalog.Has("edges")
                ? _database.ScalarLong("SELECT count(*) FROM (SELECT 1 FROM \"edges\" GROUP BY \"source_node_id\", \"relationship_name\", \"destination_node_id\") AS g")
                : 0;
            var orphans = catalog.Has("edges")
                ? _database.ScalarLong("SELECT count(*) FROM \"edges\" AS e WHERE NOT EXISTS (SELECT 1 FROM \"nodes\" AS n WHERE n.\"slug\" = e.\"source_node_id\") OR NOT EXISTS (SELECT 1 FROM \"nodes\" AS n WHERE n.\"slug\" = e.\"destination_node_id\")")
                : 0;
            if (orphans > 0)
            {
                issues.Add(Warning("GraphOrphanEdges", $"Source '{Source.Name}': {orphans} ledger edge row(s) point at a node the ledger does not hold; they will be rejected (ReferenceDangling).", null));
            }

            tables.Add(new SourceTableAnalysis(NodesTable, nodes, 0, "slug", "node id", true, []));
            tables.Add(new SourceTableAnalysis(EdgesTable, edges, 0, "source|relationship|target", "edge key", true, []));
            steps.Add(new SourceStep(Source.Name, NodesTable, UnifiedSchema.GraphNodes, nodes, 0));
            steps.Add(new SourceStep(Source.Name, EdgesTable, UnifiedSchema.GraphEdges, edges, 0));
        }

        if (_stores.GraphFilePath is { } graph)
        {
            var bytes = new FileInfo(graph).Length;
            var (nodes, duplicateNodes) = await CountElementsAsync(graph, ["nodes"], NodeKey, cancellationToken);
            var (edges, duplicateEdges) = await CountElementsAsync(graph, NodeLinkGraphFile.EdgeArrayNames, EdgeKey, cancellationToken);
            if (duplicateNodes + duplicateEdges > 0)
            {
                issues.Add(Warning("GraphDuplicateIds", $"Source '{Source.Name}': the graph file repeats {duplicateNodes} node id(s) and {duplicateEdges} edge(s); each repeat will be rejected (RecordIdDuplicate).",
                    "Re-export the graph from Cognee, or accept the repeats as rejects with -ContinueOnError."));
            }

            tables.Add(new SourceTableAnalysis(NodesTable, nodes, bytes, "id", "node id", duplicateNodes == 0, []) { DuplicateIds = duplicateNodes });
            tables.Add(new SourceTableAnalysis(EdgesTable, edges, 0, "source|key|target", "edge key", duplicateEdges == 0, []) { DuplicateIds = duplicateEdges });
            steps.Add(new SourceStep(Source.Name, NodesTable, UnifiedSchema.GraphNodes, nodes, bytes));
            steps.Add(new SourceStep(Source.Name, EdgesTable, UnifiedSchema.GraphEdges, edges, 0));
        }

        var chunkDimensions = new Dictionary<int, long>();
        if (_stores.Vectors is not null)
        {
            try
            {
                _collections = await CogneeVectorCollection.DiscoverAsync(await ConnectVectorsAsync(cancellationToken), null, cancellationToken);
            }
            catch (MigrationException e)
            {
                issues.Add(Blocker(e.ErrorId, $"Source '{Source.Name}' (vector store): {e.Message}", null));
            }

            if (_collections.Count == 0)
            {
                issues.Add(Warning("CogneeNoCollections", $"Source '{Source.Name}': the vector store {_stores.Vectors.Display} holds no Cognee collection tables (id, payload, vector).",
                    "Check the vector store's connection string; nothing is migrated from it."));
            }

            foreach (var collection in _collections)
            {
                AddCollectionSteps(collection, tables, steps);
                if (collection.IsChunks)
                {
                    foreach (var (dimension, count) in collection.Dimensions)
                    {
                        chunkDimensions[dimension] = chunkDimensions.GetValueOrDefault(dimension) + count;
                    }
                }
                else if (collection.Dimensions.Count > 1)
                {
                    issues.Add(Warning("VectorDimensionsMixed",
                        $"Source '{Source.Name}': collection {collection.SourceTable} holds vectors of {string.Join(", ", collection.Dimensions.Select(d => $"{d.Value} of {d.Key}"))} dimensions; those not of {collection.ExpectedDimensions} will be rejected.",
                        "Re-embed the collection with one model before migrating, or accept them as rejects with -ContinueOnError."));
                }
            }
        }

        foreach (var (path, kind) in _stores.UnreadableStores)
        {
            var vectors = kind.StartsWith("LanceDB", StringComparison.Ordinal);
            // Cognee v1.x records every node and edge it writes to Kuzu or Ladybug in the ledger, so those files need not be read.
            issues.Add(!vectors && ledger
                ? Warning("CogneeGraphFromLedger", $"Source '{Source.Name}': {path} is a {kind}, which has no reader here; its nodes and edges are read from the relational ledger, which records them.", null)
                : Blocker("CogneeStoreUnreadable", $"Source '{Source.Name}': {path} is a {kind}, which has no reader outside Cognee's native engines.",
                    vectors
                        ? "Switch Cognee's vector store to pgvector (VECTOR_DB_PROVIDER=pgvector) and re-index, or export the collections first."
                        : "Export the graph to networkx node-link JSON and pass it with -GraphPath (or switch Cognee to its NetworkX graph store)."));
        }

        var datasetDatabases = CogneeDatasetDatabase.Read(_database, catalog);
        issues.AddRange(CogneeDatasetDatabaseChecks.Check(Source.Name, datasetDatabases, ledger, _graphTables?.Schemas ?? [],
            _collections.Select(c => c.Schema).ToHashSet(StringComparer.Ordinal), _stores.Vectors is not null));
        var layout = catalog.Layout + (catalog.AlembicRevision is { } revision ? $", alembic revision {revision}" : "")
            + (_stores.GraphFilePath is not null ? "; graph: networkx node-link file"
                : _graphTables is not null ? $"; graph: PostgreSQL graph tables (graph_node, graph_edge) in schema(s) {string.Join(", ", _graphTables.Schemas)}"
                : ledger ? "; graph: relational ledger (nodes, edges)" : "")
            + (_collections.Count == 0 ? "" : $"; vectors: {_collections.Count} pgvector collection(s)")
            + (datasetDatabases.Count == 0 ? "" : $"; per-dataset stores for {datasetDatabases.Count} dataset(s) (dataset_database)");
        return (new SourceAnalysis(Source.Name, Source.System, _database.ServerVersion, layout, tables,
            _collections.Any(c => c.IsChunks) ? "vector" : null, _collections.Any(c => c.IsChunks) ? "vector" : null, chunkDimensions, 0)
        {
            CatalogFingerprint = CatalogFingerprint,
        }, steps);
    }

    public async Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        await (await ConnectAsync(cancellationToken)).BeginSnapshotAsync(cancellationToken);
        _catalog = CogneeCatalog.Load(_database);
        if (GraphTablesEndpoint is { } graphEndpoint)
        {
            await ConnectGraphAsync(graphEndpoint, snapshot: true, cancellationToken);
        }

        if (_stores.Vectors is not null)
        {
            var vectors = await ConnectVectorsAsync(cancellationToken);
            _vectorSnapshot = await Connections.ReadSnapshot.BeginAsync(vectors, cancellationToken);

            _collections = await CogneeVectorCollection.DiscoverAsync(vectors, _vectorSnapshot, cancellationToken);
        }
    }

    public async IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var collection = _collections.FirstOrDefault(c => c.SourceTable == step.SourceTable || c.VectorSourceTable == step.SourceTable);
        var ledger = _stores.GraphFilePath is null && _graphTables is null;
        var batches = step.SourceTable switch
        {
            NodesTable when _graphTables is { } graphTables =>
                ReadKeysetPagesAsync(step, GraphTablesPage(graphTables.NodePageSql, batchSize), batchSize, "key", GraphTablesJsonColumns, TransformGraphTableNode, after, cancellationToken),
            EdgesTable when _graphTables is { } graphTables =>
                ReadKeysetPagesAsync(step, GraphTablesPage(graphTables.EdgePageSql, batchSize), batchSize, "key", GraphTablesJsonColumns, TransformGraphTableEdge, after, cancellationToken),
            NodesTable when ledger => ReadRelationalPagesAsync(step, LedgerNodesSql, "key", LedgerJsonColumns, TransformLedgerNode, after, batchSize, cancellationToken),
            EdgesTable when ledger => ReadRelationalPagesAsync(step, LedgerEdgesSql, "key", LedgerJsonColumns, TransformLedgerEdge, after, batchSize, cancellationToken),
            NodesTable => ReadGraphAsync(step, ["nodes"], TransformNode, after, batchSize, cancellationToken),
            EdgesTable => ReadGraphAsync(step, NodeLinkGraphFile.EdgeArrayNames, TransformEdge, after, batchSize, cancellationToken),
            _ when collection is not null => ReadCollectionAsync(step, collection, after, batchSize, vectorDimensions, cancellationToken),
            _ => ReadTableAsync(step, CogneeRelationalTables.All.Single(s => s.SourceTable == step.SourceTable), after, batchSize, cancellationToken),
        };
        await foreach (var batch in batches)
        {
            yield return batch;
        }
    }

    public async IAsyncEnumerable<SourceKeyPage> ReadKeysAsync(SourceStep step, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadAsync(step, null, pageSize, null, cancellationToken))
        {
            yield return new SourceKeyPage(batch.Records.Select(r => r.LegacyId).ToArray(), batch.Records.Select(r => r.CandidateId).ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_vectorSnapshot is not null)
        {
            await _vectorSnapshot.DisposeAsync();
        }

        if (_vectors is not null)
        {
            await _vectors.DisposeAsync();
        }

        if (_graphSnapshot is not null)
        {
            await _graphSnapshot.DisposeAsync();
        }

        if (_graph is not null)
        {
            await _graph.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    private IAsyncEnumerable<SourceBatch> ReadTableAsync(SourceStep step, CogneeTableSpec spec, SourcePosition? after, int batchSize, CancellationToken cancellationToken)
    {
        var catalog = _catalog ?? throw new InvalidOperationException("AnalyzeAsync or BeginSnapshotAsync must run first.");
        return ReadRelationalPagesAsync(step, spec.Select(catalog, _database), spec.PageKey, catalog.JsonColumns(spec.SourceTable), row =>
        {
            var id = row.Uuid("id") ?? throw new RecordRejectedException("id", "has a NULL id. Give the record an id, or delete it.", "RecordIdNull");
            var record = NewRecord(spec.Target, spec.SourceTable, id);
            spec.Map(row, record);
            return record;
        }, after, batchSize, cancellationToken);
    }

    /// <summary>Reads a query over the relational snapshot in keyset pages on one text column (never OFFSET).</summary>
    private IAsyncEnumerable<SourceBatch> ReadRelationalPagesAsync(SourceStep step, string sql, string keyColumn, IReadOnlySet<string> jsonColumns,
        Func<CogneeRow, UnifiedRecord> transform, SourcePosition? after, int batchSize, CancellationToken cancellationToken)
    {
        var key = _database.PageKey("page." + Sql.Quote(keyColumn));
        return ReadKeysetPagesAsync(step, last => _database.Command($"SELECT * FROM ({sql}) AS page WHERE @last IS NULL OR {key} > @last ORDER BY {key} LIMIT @limit",
            ("@last", last), ("@limit", batchSize)), batchSize, keyColumn, jsonColumns, transform, after, cancellationToken);
    }

    /// <summary>A page of the PostgreSQL graph tables after a key, inside the graph database's snapshot.</summary>
    private Func<string?, DbCommand> GraphTablesPage(string sql, int batchSize) => last =>
    {
        var command = new NpgsqlCommand(sql, _graph, _graphSnapshot);
        command.Parameters.Add(new NpgsqlParameter("last", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)last ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("limit", batchSize));
        return command;
    };

    /// <summary>
    /// Reads keyset pages (each command returns the rows after the last key, at most a batch of them), transforming
    /// each row; a row that cannot be migrated becomes a reject named by its key.
    /// </summary>
    private async IAsyncEnumerable<SourceBatch> ReadKeysetPagesAsync(SourceStep step, Func<string?, DbCommand> page, int batchSize, string keyColumn,
        IReadOnlySet<string> jsonColumns, Func<CogneeRow, UnifiedRecord> transform, SourcePosition? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = after?.LastKey;
        while (!cancellationToken.IsCancellationRequested)
        {
            var records = new List<UnifiedRecord>();
            var rejects = new List<RejectedRecord>();
            var read = 0;
            using (var command = page(last))
            {
                using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    read++;
                    var row = CogneeRow.Read(reader, jsonColumns);
                    last = Convert.ToString(row[keyColumn], System.Globalization.CultureInfo.InvariantCulture);
                    try
                    {
                        records.Add(transform(row));
                    }
                    catch (RecordRejectedException rejected)
                    {
                        // A reject is named by the record's own id where it has one, not by the paging key.
                        var recordKey = row["id"] is { } id ? CogneeValues.Uuid(id, "id") ?? last : last;
                        rejects.Add(new RejectedRecord(step.SourceTable, recordKey ?? "(null)", rejected.Field, rejected.Message, rejected.ErrorId));
                    }
                }
            }

            if (read == 0)
            {
                yield break;
            }

            yield return new SourceBatch(step, records, rejects, new SourcePosition(true, null, last, null));
            if (read < batchSize)
            {
                yield break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Streams a graph array; the position is how many elements earlier batches consumed.</summary>
    private async IAsyncEnumerable<SourceBatch> ReadGraphAsync(SourceStep step, IReadOnlyList<string> arrayNames, Func<JsonObject, UnifiedRecord> transform,
        SourcePosition? after, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var skip = after?.LastKey is { } consumed ? long.Parse(consumed, System.Globalization.CultureInfo.InvariantCulture) : 0;
        long index = 0;
        var records = new List<UnifiedRecord>();
        var rejects = new List<RejectedRecord>();
        // A file can list an id twice; the first occurrence wins and each repeat is rejected. Only the keys are held.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(_stores.GraphFilePath!, arrayNames, cancellationToken))
        {
            index++;
            try
            {
                var record = transform(element);
                if (!seen.Add(record.LegacyId))
                {
                    throw new RecordRejectedException("id", $"repeats the id of an earlier element of the graph file (element #{index - 1}). Remove the repeat from the graph.", "RecordIdDuplicate");
                }

                if (index <= skip)
                {
                    continue;
                }

                records.Add(record);
            }
            catch (RecordRejectedException rejected) when (index > skip)
            {
                rejects.Add(new RejectedRecord(step.SourceTable, $"#{index - 1}", rejected.Field, rejected.Message, rejected.ErrorId));
            }
            catch (RecordRejectedException)
            {
                // Rejected by the run that read up to the checkpoint already.
            }

            if (records.Count + rejects.Count == batchSize)
            {
                yield return new SourceBatch(step, records, rejects, new SourcePosition(true, null, index.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
                records = [];
                rejects = [];
            }
        }

        if (records.Count + rejects.Count > 0)
        {
            yield return new SourceBatch(step, records, rejects, new SourcePosition(true, null, index.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
        }
    }

    private void AddCollectionSteps(CogneeVectorCollection collection, List<SourceTableAnalysis> tables, List<SourceStep> steps)
    {
        tables.Add(new SourceTableAnalysis(collection.SourceTable, collection.Rows, 0, "id", "uuid", true, []) { VectorDimensions = collection.Dimensions });
        if (collection.IsChunks)
        {
            steps.Add(new SourceStep(Source.Name, collection.SourceTable, UnifiedSchema.Chunks, collection.Rows, 0));
            return;
        }

        steps.Add(new SourceStep(Source.Name, collection.SourceTable, UnifiedSchema.DataPoints, collection.Rows, 0));
        steps.Add(new SourceStep(Source.Name, collection.VectorSourceTable, UnifiedSchema.DataPointVectors, collection.Rows, 0));
    }

    /// <summary>
    /// Reads a collection in keyset pages on id inside the vector store's snapshot. DocumentChunk_text rows become
    /// chunks (their dataset comes from the relational store); other rows become data points, and in a second
    /// step their vectors.
    /// </summary>
    private async IAsyncEnumerable<SourceBatch> ReadCollectionAsync(SourceStep step, CogneeVectorCollection collection, SourcePosition? after, int batchSize,
        int? chunkDimensions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var vectors = step.SourceTable == collection.VectorSourceTable;
        var last = after?.LastKey;
        while (!cancellationToken.IsCancellationRequested)
        {
            var rows = new List<(string Id, JsonObject Payload, float[]? Vector)>();
            await using (var command = new NpgsqlCommand(last is null
                ? $"SELECT id::text, payload::text, vector::real[] FROM {collection.Qualified} ORDER BY id LIMIT $1"
                : $"SELECT id::text, payload::text, vector::real[] FROM {collection.Qualified} WHERE id > $2::uuid ORDER BY id LIMIT $1", _vectors, _vectorSnapshot))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = batchSize });
                if (last is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = last });
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var payload = reader.IsDBNull(1) ? null : JsonNode.Parse(reader.GetString(1)) as JsonObject;
                    rows.Add((reader.GetString(0), payload ?? [], reader.IsDBNull(2) ? null : reader.GetFieldValue<float[]>(2)));
                }
            }

            if (rows.Count == 0)
            {
                yield break;
            }

            var datasets = collection.IsChunks ? DatasetsOfData(rows.Select(r => PayloadText(r.Payload, "document_id"))) : null;
            var records = new List<UnifiedRecord>();
            var rejects = new List<RejectedRecord>();
            foreach (var (id, payload, vector) in rows)
            {
                try
                {
                    records.Add(collection.IsChunks ? TransformChunk(step, id, payload, vector, chunkDimensions, datasets!)
                        : vectors ? TransformVector(step, collection, id, vector)
                        : TransformDataPoint(step, collection, id, payload));
                }
                catch (RecordRejectedException rejected)
                {
                    rejects.Add(new RejectedRecord(step.SourceTable, id, rejected.Field, rejected.Message, rejected.ErrorId));
                }
            }

            last = rows[^1].Id;
            yield return new SourceBatch(step, records, rejects, new SourcePosition(true, null, last, null));
            if (rows.Count < batchSize)
            {
                yield break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private UnifiedRecord TransformChunk(SourceStep step, string id, JsonObject payload, float[]? vector, int? dimensions, IReadOnlyDictionary<string, string> datasets)
    {
        var record = NewRecord(UnifiedSchema.Chunks, step.SourceTable, id);
        var content = PayloadText(payload, "text");
        var document = PayloadText(payload, "document_id") is { } documentId ? CogneeValues.Uuid(documentId, "document_id") : null;
        record["content"] = content;
        record["content_hash"] = content is null ? null : RecordChecks.Sha256Hex(content);
        record["dense_vector"] = vector is null ? null : FieldChecks.Vector(vector, dimensions, "vector");
        record["chunk_type"] = "text";
        record["source_type"] = "cognee";
        record["relative_path"] = PayloadText(payload, "document_name");
        record["chunk_index"] = payload["chunk_index"] is JsonValue index && index.TryGetValue<int>(out var position) ? position : null;
        record["is_code"] = false;
        record.SetReference("document_id", "data", document);
        record.SetReference("dataset_id", "datasets", document is null ? null : datasets.GetValueOrDefault(document));
        var carried = Checked((JsonObject)payload.DeepClone(), "payload");
        carried.Remove("text");
        record["metadata"] = new JsonObject { ["cognee"] = carried }.ToJsonString();
        record["created_at"] = EpochMilliseconds(payload, "created_at");
        record["updated_at"] = EpochMilliseconds(payload, "updated_at");
        return record;
    }

    private UnifiedRecord TransformDataPoint(SourceStep step, CogneeVectorCollection collection, string id, JsonObject payload)
    {
        var record = NewRecord(UnifiedSchema.DataPoints, step.SourceTable, id);
        record["data_point_type"] = collection.DataPointClass;
        record["payload"] = Checked(payload, "payload").ToJsonString();
        record["created_at"] = EpochMilliseconds(payload, "created_at");
        record["updated_at"] = EpochMilliseconds(payload, "updated_at");
        return record;
    }

    private UnifiedRecord TransformVector(SourceStep step, CogneeVectorCollection collection, string id, float[]? vector)
    {
        var record = NewRecord(UnifiedSchema.DataPointVectors, step.SourceTable, id);
        record["collection"] = collection.Table;
        record["field"] = collection.Field;
        record["vector"] = vector is null
            ? throw new RecordRejectedException("vector", "is NULL. Re-index the data point in Cognee.", "VectorInvalid")
            : FieldChecks.Vector(vector, collection.ExpectedDimensions, "vector");
        record.SetReference("data_point_id", collection.SourceTable, id);
        return record;
    }

    private static string? PayloadText(JsonObject payload, string key) =>
        payload[key] is JsonValue value && value.TryGetValue<string>(out var text) ? FieldChecks.Text(text, key) : null;

    /// <summary>Cognee's data points carry created_at/updated_at as epoch milliseconds.</summary>
    private static DateTime? EpochMilliseconds(JsonObject payload, string key) =>
        payload[key] is JsonValue value && value.TryGetValue<long>(out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime
            : null;

    /// <summary>The dataset of each data row (a chunk's document), looked up in the relational snapshot for one page.</summary>
    private Dictionary<string, string> DatasetsOfData(IEnumerable<string?> dataIds)
    {
        var ids = dataIds.Select(id => Guid.TryParse(id, out var guid) ? guid : (Guid?)null).OfType<Guid>().Distinct().ToArray();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return found;
        }

        var parameters = ids.Select((id, i) => ($"@p{i}", (object?)_database.UuidParameter(id))).ToArray();
        using var command = _database.Command((_catalog!.DataHasDatasetColumn
            ? "SELECT d.\"id\", d.\"dataset_id\" FROM \"data\" AS d"
            : "SELECT d.\"id\", (SELECT dd.\"dataset_id\" FROM \"dataset_data\" AS dd WHERE dd.\"data_id\" = d.\"id\" ORDER BY dd.\"created_at\", dd.\"dataset_id\" LIMIT 1) FROM \"data\" AS d")
            + $" WHERE d.\"id\" IN ({string.Join(", ", parameters.Select(p => p.Item1))})", parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(1) && CogneeValues.Uuid(reader.GetValue(1), "dataset_id") is { } dataset)
            {
                found[CogneeValues.Uuid(reader.GetValue(0), "id")!] = dataset;
            }
        }

        return found;
    }

    private async Task<NpgsqlConnection> ConnectVectorsAsync(CancellationToken cancellationToken) =>
        _vectors ??= await _stores.Vectors!.OpenAsync(cancellationToken);

    /// <summary>
    /// Where Cognee's PostgreSQL graph tables may be: the graph database given, or else the relational database
    /// when it is PostgreSQL (the postgres graph provider's default and its shared per-dataset schemas).
    /// </summary>
    private Connections.PostgresEndpoint? GraphTablesEndpoint => _stores.GraphFilePath is null ? _stores.GraphDatabase ?? _stores.Relational : null;

    private async Task ConnectGraphAsync(Connections.PostgresEndpoint endpoint, bool snapshot, CancellationToken cancellationToken)
    {
        _graph ??= await endpoint.OpenAsync(cancellationToken);
        if (snapshot)
        {
            _graphSnapshot = await Connections.ReadSnapshot.BeginAsync(_graph, cancellationToken);
        }

        _graphTables = await CogneeGraphTables.DiscoverAsync(_graph, _graphSnapshot, cancellationToken);
    }

    private void AnalyzeGraphTables(CogneeGraphTables graphTables, List<MigrationPlanIssue> issues, List<SourceTableAnalysis> tables, List<SourceStep> steps)
    {
        long Scalar(string sql)
        {
            using var command = new NpgsqlCommand(sql, _graph, _graphSnapshot);
            return (long)command.ExecuteScalar()!;
        }

        var nodes = Scalar(graphTables.NodeCountSql);
        var edges = Scalar(graphTables.EdgeCountSql);
        var orphans = Scalar(graphTables.OrphanEdgeCountSql);
        if (orphans > 0)
        {
            issues.Add(Warning("GraphOrphanEdges", $"Source '{Source.Name}': {orphans} graph_edge row(s) point at a node no graph_node table holds; they will be rejected (ReferenceDangling).", null));
        }

        tables.Add(new SourceTableAnalysis(NodesTable, nodes, 0, "id", "node id", true, []));
        tables.Add(new SourceTableAnalysis(EdgesTable, edges, 0, "source_id|target_id|relationship_name", "edge key", true, []));
        steps.Add(new SourceStep(Source.Name, NodesTable, UnifiedSchema.GraphNodes, nodes, 0));
        steps.Add(new SourceStep(Source.Name, EdgesTable, UnifiedSchema.GraphEdges, edges, 0));
    }

    private static readonly IReadOnlySet<string> GraphTablesJsonColumns = new HashSet<string>(StringComparer.Ordinal) { "properties" };

    /// <summary>A graph_node row: its properties object, with the row's timestamps and, across dataset schemas, where it was found.</summary>
    private UnifiedRecord TransformGraphTableNode(CogneeRow row) =>
        GraphNode(row.Text("key")!, row.Text("type"), row.Text("name"), GraphTableProperties(row));

    /// <summary>A graph_edge row, keyed like a ledger edge (source|relationship|target) so both layouts give the same ids.</summary>
    private UnifiedRecord TransformGraphTableEdge(CogneeRow row) =>
        GraphEdge(row.Text("source"), row.Text("relationship_name") ?? "", row.Text("target"), GraphTableProperties(row));

    private JsonObject GraphTableProperties(CogneeRow row)
    {
        var properties = FieldChecks.Json(row["properties"], "properties") switch
        {
            null => [],
            JsonObject value => Checked(value, "properties"),
            _ => throw new RecordRejectedException("properties", "is not a JSON object. Fix the row in Cognee's graph tables.", "JsonInvalid"),
        };
        properties["created_at"] = CogneeValues.AsJson(row["created_at"], "created_at", false);
        properties["updated_at"] = CogneeValues.AsJson(row["updated_at"], "updated_at", false);
        if (_graphTables!.Schemas.Count > 1)
        {
            properties["graph_schemas"] = new JsonArray(row.Text("schemas")!.Split(',').Select(schema => (JsonNode?)JsonValue.Create(schema)).ToArray());
        }

        return properties;
    }

    /// <summary>Cognee v1.x keeps the graph in the ledger when there is no graph file: a row per node (or edge) and data row.</summary>
    private bool UsesLedger(CogneeCatalog catalog) => _stores.GraphFilePath is null && catalog.Has("nodes") && _database.ScalarLong("SELECT count(*) FROM \"nodes\"") > 0;

    private static readonly IReadOnlySet<string> LedgerJsonColumns = new HashSet<string>(StringComparer.Ordinal) { "attributes", "indexed_fields" };

    /// <summary>One graph node per slug (the data point id); its data and dataset rows are listed in its properties.</summary>
    private string LedgerNodesSql => $"""
        SELECT n."slug" AS "key", {_database.AnyValue("n.\"type\"")} AS "type", {_database.AnyValue("n.\"label\"")} AS "label",
               {_database.AnyValue("n.\"attributes\"")} AS "attributes", {_database.AnyValue("n.\"indexed_fields\"")} AS "indexed_fields",
               min(n."created_at") AS "created_at",
               {_database.ListAggregate("n.\"dataset_id\"", distinct: true)} AS "dataset_ids", {_database.ListAggregate("n.\"data_id\"", distinct: true)} AS "data_ids"
        FROM "nodes" AS n GROUP BY n."slug"
        """;

    /// <summary>One graph edge per (source, relationship, target); the ledger repeats it per dataset.</summary>
    private string LedgerEdgesSql => $"""
        SELECT e."source_node_id" || '|' || e."relationship_name" || '|' || e."destination_node_id" AS "key",
               e."source_node_id" AS "source", e."destination_node_id" AS "target", e."relationship_name" AS "relationship_name",
               {_database.AnyValue("e.\"label\"")} AS "label", {_database.AnyValue("e.\"attributes\"")} AS "attributes", min(e."created_at") AS "created_at",
               {_database.ListAggregate("e.\"dataset_id\"", distinct: true)} AS "dataset_ids"
        FROM "edges" AS e GROUP BY e."source_node_id", e."relationship_name", e."destination_node_id"
        """;

    private UnifiedRecord TransformLedgerNode(CogneeRow row) =>
        GraphNode(row.Uuid("key")!, row.Text("type"), row.Text("label"), LedgerProperties(row, "attributes", "indexed_fields", "created_at", "dataset_ids", "data_ids"));

    private UnifiedRecord TransformLedgerEdge(CogneeRow row) =>
        GraphEdge(row.Uuid("source"), row.Text("relationship_name") ?? "", row.Uuid("target"), LedgerProperties(row, "label", "attributes", "created_at", "dataset_ids"));

    private UnifiedRecord GraphNode(string id, string? type, string? name, JsonObject properties)
    {
        var record = NewRecord(UnifiedSchema.GraphNodes, NodesTable, id);
        record["node_type"] = type;
        record["name"] = name;
        record["properties"] = properties.ToJsonString();
        return record;
    }

    /// <summary>An edge keyed by its ends and relationship: the same key in the ledger and the graph tables.</summary>
    private UnifiedRecord GraphEdge(string? source, string relationship, string? target, JsonObject properties)
    {
        var record = NewRecord(UnifiedSchema.GraphEdges, EdgesTable, $"{source}|{relationship}|{target}");
        record.SetReference("source_node_id", NodesTable, source);
        record.SetReference("target_node_id", NodesTable, target);
        record["relationship_name"] = relationship;
        record["properties"] = properties.ToJsonString();
        return record;
    }

    /// <summary>The ledger's columns as graph properties; id lists (group_concat) become arrays of UUIDs.</summary>
    private static JsonObject LedgerProperties(CogneeRow row, params string[] columns)
    {
        var properties = new JsonObject();
        foreach (var column in columns)
        {
            properties[column] = column.EndsWith("_ids", StringComparison.Ordinal)
                ? row.Text(column) is { } ids ? new JsonArray(ids.Split(',').Select(id => (JsonNode?)JsonValue.Create(CogneeValues.Uuid(id, column))).ToArray()) : null
                : CogneeValues.AsJson(row[column], column, LedgerJsonColumns.Contains(column));
        }

        return properties;
    }

    /// <summary>A graph node: its id (a UUID, or a name such as COGNITIVE_LAYER__SYNTAX), type, name, and every other attribute.</summary>
    private UnifiedRecord TransformNode(JsonObject node)
    {
        var id = GraphText(node, "id") ?? throw new RecordRejectedException("id", "is missing: a node-link node needs an id. Re-export the graph.", "RecordIdNull");
        var record = NewRecord(UnifiedSchema.GraphNodes, NodesTable, id);
        record["node_type"] = GraphText(node, "type");
        record["name"] = GraphText(node, "name");
        record["properties"] = Checked(node, "properties").ToJsonString();
        return record;
    }

    /// <summary>An edge, keyed by its ends and relationship (networkx's key), which a multigraph keeps unique.</summary>
    private UnifiedRecord TransformEdge(JsonObject edge)
    {
        var source = GraphText(edge, "source") ?? throw new RecordRejectedException("source", "is missing: a node-link edge needs a source node. Re-export the graph.", "GraphEdgeEndMissing");
        var target = GraphText(edge, "target") ?? throw new RecordRejectedException("target", "is missing: a node-link edge needs a target node. Re-export the graph.", "GraphEdgeEndMissing");
        var relationship = GraphText(edge, "relationship_name") ?? GraphText(edge, "key") ?? "";
        var record = NewRecord(UnifiedSchema.GraphEdges, EdgesTable, $"{source}|{GraphText(edge, "key") ?? relationship}|{target}");
        record.SetReference("source_node_id", NodesTable, source);
        record.SetReference("target_node_id", NodesTable, target);
        record["relationship_name"] = relationship;
        record["properties"] = Checked(edge, "properties").ToJsonString();
        return record;
    }

    private static string? GraphText(JsonObject element, string key) => element[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => FieldChecks.Text(text, key),
        var other => FieldChecks.Text(other.ToJsonString(), key),
    };

    private static JsonObject Checked(JsonObject element, string field) =>
        RecordChecks.JsonProblem(element) is { } problem ? throw new RecordRejectedException(field, problem, "TextContainsNul") : element;

    private UnifiedRecord NewRecord(UnifiedTable table, string sourceTable, string legacyId)
    {
        var record = new UnifiedRecord(table, sourceTable, legacyId,
            DeterministicId.ForLegacyId(Source.SystemOrigin, legacyId),
            DeterministicId.NameBased(Source.SystemOrigin, $"{Source.Name}/{sourceTable}/{legacyId}"));
        record["legacy_id"] = legacyId;
        record["system_origin"] = Source.SystemOrigin;
        record["source_name"] = Source.Name;
        return record;
    }

    private async Task<CogneeDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_opened)
        {
            await _database.OpenAsync(cancellationToken);
            _opened = true;
        }

        return _database;
    }

    private long DataWithoutDataset(CogneeCatalog catalog) => _database.ScalarLong(catalog.DataHasDatasetColumn
        ? "SELECT count(*) FROM \"data\" WHERE \"dataset_id\" IS NULL"
        : catalog.Has("dataset_data")
            ? "SELECT count(*) FROM \"data\" AS d WHERE NOT EXISTS (SELECT 1 FROM \"dataset_data\" AS dd WHERE dd.\"data_id\" = d.\"id\")"
            : "SELECT 0");

    /// <summary>Counts a graph array's elements and the repeats of their keys (a set of keys, never the elements, is held).</summary>
    private static async Task<(long Count, long Duplicates)> CountElementsAsync(string path, IReadOnlyList<string> arrayNames, Func<JsonObject, string?> key,
        CancellationToken cancellationToken)
    {
        long count = 0;
        long duplicates = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(path, arrayNames, cancellationToken))
        {
            count++;
            if (key(element) is { } id && !seen.Add(id))
            {
                duplicates++;
            }
        }

        return (count, duplicates);
    }

    private static string? NodeKey(JsonObject node) => node["id"]?.ToJsonString();

    private static string? EdgeKey(JsonObject edge) => $"{edge["source"]?.ToJsonString()}|{(edge["key"] ?? edge["relationship_name"])?.ToJsonString()}|{edge["target"]?.ToJsonString()}";

    private MigrationPlanIssue Blocker(string code, string message, string? remedy) => new(PlanIssueSeverity.Blocker, code, message, remedy, Source.Name);

    private MigrationPlanIssue Warning(string code, string message, string? remedy) => new(PlanIssueSeverity.Warning, code, message, remedy, Source.Name);
}
