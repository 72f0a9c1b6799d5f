using System.Runtime.CompilerServices;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources.Cognee.Native;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Reads a Cognee installation. It opens the stores (the relational database, the graph database, the vector
/// database) and their snapshots, and delegates each step to the reader of its store kind: the relational tables, the
/// graph (a networkx file, the PostgreSQL graph tables or the relational ledger) and the pgvector collections.
/// </summary>
public sealed class CogneeReader : ISourceReader
{
    private readonly CogneeSession _session;
    private readonly CogneeRelationalReader _relational;
    private bool _opened;
    private ICogneeStoreReader? _graph;
    private CogneeCollectionReader? _collections;
    private CogneeNativeReaders _native;

    /// <summary>Cognee as a source kind: its records carry system_origin 'cognee'.</summary>
    public static SourceKind Kind { get; } = new("Cognee", "cognee", source => new CogneeReader(source));

    public CogneeReader(MigrationSource source)
    {
        Source = source;
        var stores = source.Cognee ?? throw new ArgumentException("Not a Cognee source.", nameof(source));
        CogneeDatabase database = stores.Relational is { } relational ? new PostgresCogneeDatabase(relational) : new SqliteCogneeDatabase(stores.SqlitePath!);
        _session = new CogneeSession(source, stores, database);
        _relational = new CogneeRelationalReader(_session);
        _native = new CogneeNativeReaders(_session, _relational);
    }

    public MigrationSource Source { get; }

    private CogneeStores Stores => _session.Stores;

    public string CatalogFingerprint => _session.RequireCatalog.Fingerprint()
        + (Stores.GraphFilePath is null ? "" : "+graph") + string.Concat((_graph as CogneeGraphTableReader)?.Schemas.Select(s => "+graph_node@" + s) ?? [])
        + string.Concat(Collections.Concat(_native.Collections).Select(c => "+" + c.SourceTable))
        + string.Concat(_native.Graph?.Stores.Select(s => "+" + CogneeNativeGraphReader.NodesStep(s.Store)) ?? []);

    private IReadOnlyList<CogneeVectorCollection> Collections => _collections?.Collections ?? [];

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var empty = new SourceAnalysis(Source.Name, Source.System, "", "unrecognised", [], null, null, new Dictionary<int, long>(), 0);
        var analysis = new CogneeAnalysis(issues);
        CogneeCatalog catalog;
        try
        {
            catalog = _session.Catalog = CogneeCatalog.Load(await ConnectAsync(cancellationToken));
        }
        catch (MigrationException e)
        {
            issues.Add(MigrationPlanIssue.Blocker(e, $"Source '{Source.Name}'", Source.Name));
            return (empty, []);
        }

        if (!catalog.Has("datasets") || !catalog.Has("data") || !catalog.Has("principals"))
        {
            issues.Add(_session.Blocker("CogneeNotADatabase", $"{_session.Database.Location} is a database without Cognee's tables (datasets, data, principals).",
                "Point -Path at the Cognee system root (the folder holding databases/cognee_db), -SqlitePath at Cognee's SQLite database, or -ConnectionString at its PostgreSQL database.",
                MigrationErrorKind.InvalidData));
            return (empty with { ServerVersion = _session.Database.ServerVersion }, []);
        }

        if (!catalog.DataHasDatasetColumn && !catalog.Has("dataset_data"))
        {
            issues.Add(_session.Blocker("CogneeLayoutUnrecognised", "data has no dataset_id column and there is no dataset_data table.",
                "Report the Cognee version to the PSUnifiedMigration team."));
        }

        // Every column a reader names is introspected first: a missing one is a blocker here, not an error mid-run.
        if (CogneeColumns.Check(catalog, _session).ToList() is { Count: > 0 } missingColumns)
        {
            issues.AddRange(missingColumns);
            return (empty with { ServerVersion = _session.Database.ServerVersion }, []);
        }

        if (Stores.Vectors is null)
        {
            issues.Add(_session.Warning("CogneeVectorsNotGiven", "no vector store was given, so chunks, data points and their vectors are not migrated.",
                "If Cognee keeps its collections in pgvector, pass that database's connection string as the vector store."));
        }

        _relational.Analyze(analysis);
        var chunkDimensions = new Dictionary<int, long>();
        await _native.OpenAsync(analysis, chunkDimensions, cancellationToken);
        if (Stores.GraphFilePath is { } givenGraph && !File.Exists(givenGraph))
        {
            issues.Add(_session.Blocker("CogneeGraphFileNotFound", $"the graph file {givenGraph} does not exist.",
                "Check -GraphPath, or leave it out to read the graph from the relational ledger.", MigrationErrorKind.ObjectNotFound));
            return (empty, []);
        }

        await AnalyzeGraphAsync(analysis, cancellationToken);
        if (Stores.Vectors is not null)
        {
            try
            {
                _collections = new CogneeCollectionReader(_session, _relational, await CogneeVectorCollection.DiscoverAsync(await ConnectVectorsAsync(cancellationToken), null, cancellationToken));
            }
            catch (MigrationException e)
            {
                issues.Add(MigrationPlanIssue.Blocker(e, $"Source '{Source.Name}' (vector store)", Source.Name));
            }

            foreach (var (dimension, count) in (_collections ?? new CogneeCollectionReader(_session, _relational, [])).Analyze(analysis))
            {
                chunkDimensions[dimension] = chunkDimensions.GetValueOrDefault(dimension) + count;
            }
        }

        var ledger = _graph is CogneeLedgerReader;
        var graphSchemas = (_graph as CogneeGraphTableReader)?.Schemas ?? [];
        var datasetDatabases = CogneeDatasetDatabase.Read(_session.Database, catalog);
        issues.AddRange(CogneeDatasetDatabaseChecks.Check(Source.Name, datasetDatabases, ledger, graphSchemas,
            Collections.Select(c => c.Schema).ToHashSet(StringComparer.Ordinal), Stores.Vectors is not null, _native.GraphDatasets, _native.VectorDatasets));
        issues.AddRange(CogneeDatasetVectorDatabases.Check(_session, datasetDatabases));
        var layout = catalog.Layout + (catalog.AlembicRevision is { } revision ? $", alembic revision {revision}" : "")
            + (Stores.GraphFilePath is not null ? $"; graph: {(_graph as CogneeGraphFileReader)?.Format ?? "graph file"}"
                : graphSchemas.Count > 0 ? $"; graph: PostgreSQL graph tables (graph_node, graph_edge) in schema(s) {string.Join(", ", graphSchemas)}"
                : ledger ? "; graph: relational ledger (nodes, edges)" : "")
            + (Collections.Count == 0 ? "" : $"; vectors: {Collections.Count} pgvector collection(s)")
            + (datasetDatabases.Count == 0 ? "" : $"; per-dataset stores for {datasetDatabases.Count} dataset(s) (dataset_database)")
            + _native.Layout;
        var chunks = Collections.Concat(_native.Collections).Any(c => c.IsChunks) ? "vector" : null;
        return (new SourceAnalysis(Source.Name, Source.System, _session.Database.ServerVersion, layout, analysis.Tables, chunks, chunks, chunkDimensions, 0)
        {
            CatalogFingerprint = CatalogFingerprint,
        }, analysis.Steps);
    }

    /// <summary>The graph comes from one store: the graph file, else PostgreSQL graph tables, else the relational ledger.</summary>
    private async Task AnalyzeGraphAsync(CogneeAnalysis analysis, CancellationToken cancellationToken)
    {
        if (GraphTablesEndpoint is { } graphEndpoint)
        {
            try
            {
                await ConnectGraphAsync(graphEndpoint, snapshot: false, cancellationToken);
            }
            catch (MigrationException e)
            {
                analysis.Issues.Add(MigrationPlanIssue.Blocker(e, $"Source '{Source.Name}' (graph database)", Source.Name));
            }

            if (_graph is CogneeGraphTableReader graphTables)
            {
                graphTables.Analyze(analysis);
            }
            else if (Stores.GraphDatabase is not null)
            {
                analysis.Issues.Add(_session.Blocker("CogneeGraphTablesNotFound", $"the graph database {Stores.GraphDatabase.Display} holds no graph_node/graph_edge tables.",
                    "Check -GraphConnectionString: it must name the database of Cognee's PostgreSQL graph store.", MigrationErrorKind.ObjectNotFound));
            }
        }

        // A native graph store is the graph; the ledger only records (part of) what was written to it.
        if (_graph is null && _native.Graph is null && CogneeLedgerReader.IsUsed(_session))
        {
            var ledger = new CogneeLedgerReader(_session, _relational);
            _graph = ledger;
            ledger.Analyze(analysis);
        }

        if (Stores.GraphFilePath is { } path)
        {
            var file = new CogneeGraphFileReader(_session, path);
            _graph = file;
            await file.AnalyzeAsync(analysis, cancellationToken);
        }

        if (_graph is not null and not CogneeLedgerReader && CogneeLedgerCrossCheck.Compare(_session, analysis, _graph is CogneeGraphFileReader ? "graph file" : "PostgreSQL graph tables") is { } mismatch)
        {
            analysis.Issues.Add(mismatch);
        }
    }

    public async Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        await (await ConnectAsync(cancellationToken)).BeginSnapshotAsync(cancellationToken);
        _session.Catalog = CogneeCatalog.Load(_session.Database);
        _graph = Stores.GraphFilePath is { } path ? new CogneeGraphFileReader(_session, path) : new CogneeLedgerReader(_session, _relational);
        _native = new CogneeNativeReaders(_session, _relational);
        await _native.OpenAsync(null, null, cancellationToken);
        if (GraphTablesEndpoint is { } graphEndpoint)
        {
            await ConnectGraphAsync(graphEndpoint, snapshot: true, cancellationToken);
        }

        if (Stores.Vectors is not null)
        {
            var vectors = await ConnectVectorsAsync(cancellationToken);
            _session.VectorSnapshot = await ReadSnapshot.BeginAsync(vectors, cancellationToken);
            _collections = new CogneeCollectionReader(_session, _relational, await CogneeVectorCollection.DiscoverAsync(vectors, _session.VectorSnapshot, cancellationToken));
        }
    }

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken)
    {
        ICogneeStoreReader[] stores = [_relational, .. _native.Readers, .. _graph is null ? [] : new[] { _graph }, .. _collections is null ? [] : new ICogneeStoreReader[] { _collections }];
        var store = stores.FirstOrDefault(s => s.Reads(step.SourceTable))
            ?? throw new InvalidOperationException($"No Cognee store reads {step.SourceTable}.");
        return store.ReadAsync(step, after, batchSize, vectorDimensions, cancellationToken);
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
        foreach (var disposable in new IAsyncDisposable?[] { _session.VectorSnapshot, _session.Vectors, _session.GraphSnapshot, _session.Graph })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        await _session.Database.DisposeAsync();
    }

    /// <summary>
    /// Where Cognee's PostgreSQL graph tables may be: the graph database given, or else the relational database
    /// when it is PostgreSQL (the postgres graph provider's default and its shared per-dataset schemas).
    /// </summary>
    private PostgresEndpoint? GraphTablesEndpoint => Stores.GraphFilePath is null ? Stores.GraphDatabase ?? Stores.Relational : null;

    private async Task ConnectGraphAsync(PostgresEndpoint endpoint, bool snapshot, CancellationToken cancellationToken)
    {
        _session.Graph ??= await endpoint.OpenAsync(cancellationToken);
        if (snapshot)
        {
            _session.GraphSnapshot = await ReadSnapshot.BeginAsync(_session.Graph, cancellationToken);
        }

        if (await CogneeGraphTables.DiscoverAsync(_session.Graph, _session.GraphSnapshot, cancellationToken) is { } tables)
        {
            _graph = new CogneeGraphTableReader(_session, tables);
        }
    }

    private async Task<Npgsql.NpgsqlConnection> ConnectVectorsAsync(CancellationToken cancellationToken) =>
        _session.Vectors ??= await Stores.Vectors!.OpenAsync(cancellationToken);

    private async Task<CogneeDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_opened)
        {
            await _session.Database.OpenAsync(cancellationToken);
            _opened = true;
        }

        return _session.Database;
    }
}
