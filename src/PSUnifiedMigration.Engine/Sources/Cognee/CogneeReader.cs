using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Transforms;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Reads a Cognee installation: the relational SQLite store (principals, datasets, data, ACLs) in one read
/// transaction with keyset pages on id, and the networkx graph file streamed element by element.
/// </summary>
public sealed class CogneeReader : ISourceReader
{
    private const string NodesTable = "graph_nodes";
    private const string EdgesTable = "graph_edges";

    private readonly CogneeStores _stores;
    private SqliteConnection? _connection;
    private SqliteTransaction? _snapshot;
    private CogneeCatalog? _catalog;

    public CogneeReader(MigrationSource source)
    {
        Source = source;
        _stores = source.Cognee ?? throw new ArgumentException("Not a Cognee source.", nameof(source));
    }

    public MigrationSource Source { get; }

    public string CatalogFingerprint => (_catalog ?? throw new InvalidOperationException("No catalog loaded.")).Fingerprint() + (_stores.GraphFilePath is null ? "" : "+graph");

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        foreach (var (path, kind) in _stores.UnreadableStores)
        {
            issues.Add(Blocker("CogneeStoreUnreadable", $"Source '{Source.Name}': {path} is a {kind}, which has no reader outside Cognee's native engines.",
                kind.StartsWith("LanceDB", StringComparison.Ordinal)
                    ? "Switch Cognee's vector store to pgvector (VECTOR_DB_PROVIDER=pgvector) and re-index, or export the collections first."
                    : "Switch Cognee's graph store to Neo4j or NetworkX, or export the graph to networkx node-link JSON first."));
        }

        var empty = new SourceAnalysis(Source.Name, Source.System, "", "unrecognised", [], null, null, new Dictionary<int, long>(), 0);
        CogneeCatalog catalog;
        try
        {
            catalog = _catalog = CogneeCatalog.Load(Connect(), null);
        }
        catch (MigrationException e)
        {
            issues.Add(Blocker(e.ErrorId, $"Source '{Source.Name}': {e.Message}", null));
            return (empty, []);
        }

        if (!catalog.Has("datasets") || !catalog.Has("data") || !catalog.Has("principals"))
        {
            issues.Add(Blocker("CogneeNotADatabase", $"Source '{Source.Name}': {_stores.SqlitePath} is an SQLite file without Cognee's tables (datasets, data, principals).",
                "Point -Path at the Cognee system root (the folder holding databases/cognee_db), or -SqlitePath at Cognee's relational database."));
            return (empty with { ServerVersion = "SQLite " + _connection!.ServerVersion }, []);
        }

        if (!catalog.DataHasDatasetColumn && !catalog.Has("dataset_data"))
        {
            issues.Add(Blocker("CogneeLayoutUnrecognised", $"Source '{Source.Name}': data has no dataset_id column and there is no dataset_data table.",
                "Report the Cognee version to the PSUnifiedMigration team."));
        }

        if (_stores.GraphFilePath is null && catalog.Has("nodes") && Count("nodes") > 0)
        {
            issues.Add(Blocker("CogneeGraphLedgerUnsupported", $"Source '{Source.Name}': the graph is in the relational ledger (nodes/edges), which this version does not read yet.",
                "Export the graph to networkx node-link JSON and pass it with the graph file, or wait for ledger support."));
        }

        issues.Add(Warning("CogneeVectorsNotRead", $"Source '{Source.Name}': Cognee's vector collections are not read by this version; chunks, data points and their vectors are not migrated.", null));

        var tables = new List<SourceTableAnalysis>();
        var steps = new List<SourceStep>();
        foreach (var spec in CogneeRelationalTables.All.Where(s => catalog.Has(s.SourceTable)))
        {
            var rows = Count(spec.SourceTable);
            tables.Add(new SourceTableAnalysis(spec.SourceTable, rows, new FileInfo(_stores.SqlitePath).Length, "id", "UUID", true, []));
            steps.Add(new SourceStep(Source.Name, spec.SourceTable, spec.Target, rows, 0));
        }

        var orphanData = DataWithoutDataset(catalog);
        if (orphanData > 0)
        {
            issues.Add(Warning("CogneeDataWithoutDataset", $"Source '{Source.Name}': {orphanData} data row(s) belong to no dataset; they will be rejected (DatasetMissing).",
                "Add them to a dataset in Cognee, or delete them, before migrating."));
        }

        if (_stores.GraphFilePath is { } graph)
        {
            var bytes = new FileInfo(graph).Length;
            var nodes = await CountElementsAsync(graph, ["nodes"], cancellationToken);
            var edges = await CountElementsAsync(graph, NodeLinkGraphFile.EdgeArrayNames, cancellationToken);
            tables.Add(new SourceTableAnalysis(NodesTable, nodes, bytes, "id", "node id", true, []));
            tables.Add(new SourceTableAnalysis(EdgesTable, edges, 0, "source|key|target", "edge key", true, []));
            steps.Add(new SourceStep(Source.Name, NodesTable, UnifiedSchema.GraphNodes, nodes, bytes));
            steps.Add(new SourceStep(Source.Name, EdgesTable, UnifiedSchema.GraphEdges, edges, 0));
        }

        var layout = catalog.Layout + (_stores.GraphFilePath is null ? "" : "; graph: networkx node-link file");
        return (new SourceAnalysis(Source.Name, Source.System, "SQLite " + _connection!.ServerVersion, layout, tables, null, null, new Dictionary<int, long>(), 0)
        {
            CatalogFingerprint = CatalogFingerprint,
        }, steps);
    }

    public Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        var connection = Connect();
        // A deferred transaction takes its read snapshot at the first read: the catalog, read right away.
        _snapshot = connection.BeginTransaction(deferred: true);
        _catalog = CogneeCatalog.Load(connection, _snapshot);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batches = step.SourceTable switch
        {
            NodesTable => ReadGraphAsync(step, ["nodes"], TransformNode, after, batchSize, cancellationToken),
            EdgesTable => ReadGraphAsync(step, NodeLinkGraphFile.EdgeArrayNames, TransformEdge, after, batchSize, cancellationToken),
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
        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async IAsyncEnumerable<SourceBatch> ReadTableAsync(SourceStep step, CogneeTableSpec spec, SourcePosition? after, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var catalog = _catalog ?? throw new InvalidOperationException("AnalyzeAsync or BeginSnapshotAsync must run first.");
        var json = catalog.JsonColumns(spec.SourceTable);
        var last = after?.LastKey;
        while (!cancellationToken.IsCancellationRequested)
        {
            var records = new List<UnifiedRecord>();
            var rejects = new List<RejectedRecord>();
            using (var command = Connect().CreateCommand())
            {
                command.Transaction = _snapshot;
                // The spec's select names its table's alias first; paging is on that alias's id.
                command.CommandText = $"SELECT * FROM ({spec.Select(catalog)}) AS page WHERE $last IS NULL OR page.\"id\" > $last ORDER BY page.\"id\" LIMIT $limit";
                command.Parameters.AddWithValue("$last", (object?)last ?? DBNull.Value);
                command.Parameters.AddWithValue("$limit", batchSize);
                using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var values = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        values[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    }

                    last = Convert.ToString(values["id"], System.Globalization.CultureInfo.InvariantCulture);
                    var row = new CogneeRow(values, json);
                    try
                    {
                        var id = row.Uuid("id") ?? throw new RecordRejectedException("id", "has a NULL id. Give the record an id, or delete it.", "RecordIdNull");
                        var record = NewRecord(spec.Target, spec.SourceTable, id);
                        spec.Map(row, record);
                        records.Add(record);
                    }
                    catch (RecordRejectedException rejected)
                    {
                        rejects.Add(new RejectedRecord(spec.SourceTable, last ?? "(null)", rejected.Field, rejected.Message, rejected.ErrorId));
                    }
                }
            }

            if (records.Count + rejects.Count == 0)
            {
                yield break;
            }

            yield return new SourceBatch(step, records, rejects, new SourcePosition(true, null, last, null));
            if (records.Count + rejects.Count < batchSize)
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
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(_stores.GraphFilePath!, arrayNames, cancellationToken))
        {
            if (index++ < skip)
            {
                continue;
            }

            try
            {
                records.Add(transform(element));
            }
            catch (RecordRejectedException rejected)
            {
                rejects.Add(new RejectedRecord(step.SourceTable, $"#{index - 1}", rejected.Field, rejected.Message, rejected.ErrorId));
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
        JsonValue value when value.TryGetValue<string>(out var text) => CogneeValues.Text(text, key),
        var other => CogneeValues.Text(other.ToJsonString(), key),
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

    /// <summary>Opens the SQLite file read-only; a missing, locked or foreign file gets an error that says so.</summary>
    private SqliteConnection Connect()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        if (!File.Exists(_stores.SqlitePath))
        {
            throw new MigrationException("CogneeDatabaseNotFound", MigrationErrorKind.ObjectNotFound,
                $"Cognee's relational database {_stores.SqlitePath} does not exist. Point -Path at the Cognee system root, or -SqlitePath at the file.", _stores.SqlitePath);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _stores.SqlitePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5,
        }.ConnectionString);
        try
        {
            connection.Open();
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            probe.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw e.SqliteErrorCode switch
            {
                26 => new MigrationException("CogneeNotADatabase", MigrationErrorKind.InvalidData,
                    $"{_stores.SqlitePath} is not an SQLite database. Point -SqlitePath at Cognee's relational database (databases/cognee_db).", _stores.SqlitePath, e),
                5 or 6 => new MigrationException("CogneeDatabaseLocked", MigrationErrorKind.ResourceBusy,
                    $"{_stores.SqlitePath} is locked by another process (Cognee is probably running). Stop Cognee, or copy the file while it is idle and migrate the copy.", _stores.SqlitePath, e),
                _ => new MigrationException("CogneeDatabaseUnreadable", MigrationErrorKind.InvalidData,
                    $"{_stores.SqlitePath} cannot be read: {e.Message}", _stores.SqlitePath, e),
            };
        }

        return _connection = connection;
    }

    private long Count(string table)
    {
        using var command = Connect().CreateCommand();
        command.Transaction = _snapshot;
        command.CommandText = $"SELECT count(*) FROM {Sql.Quote(table)}";
        return (long)command.ExecuteScalar()!;
    }

    private long DataWithoutDataset(CogneeCatalog catalog)
    {
        using var command = Connect().CreateCommand();
        command.CommandText = catalog.DataHasDatasetColumn
            ? "SELECT count(*) FROM \"data\" WHERE \"dataset_id\" IS NULL"
            : catalog.Has("dataset_data")
                ? "SELECT count(*) FROM \"data\" AS d WHERE NOT EXISTS (SELECT 1 FROM \"dataset_data\" AS dd WHERE dd.\"data_id\" = d.\"id\")"
                : "SELECT 0";
        return (long)command.ExecuteScalar()!;
    }

    private static async Task<long> CountElementsAsync(string path, IReadOnlyList<string> arrayNames, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in NodeLinkGraphFile.ReadArrayAsync(path, arrayNames, cancellationToken))
        {
            count++;
        }

        return count;
    }

    private MigrationPlanIssue Blocker(string code, string message, string? remedy) => new(PlanIssueSeverity.Blocker, code, message, remedy, Source.Name);

    private MigrationPlanIssue Warning(string code, string message, string? remedy) => new(PlanIssueSeverity.Warning, code, message, remedy, Source.Name);
}
