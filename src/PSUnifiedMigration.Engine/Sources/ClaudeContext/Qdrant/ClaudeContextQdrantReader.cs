using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// Reads claude-context-core's Qdrant collections: one step per collection that has its dense vector 'vector' (named
/// qdrant/&lt;collection&gt;, apart from any PostgreSQL table of the same name), each point scrolled in id order with its
/// named vectors and payload and made a chunk whose legacy id is the point id. With the PostgreSQL installation, its
/// steps come first and <see cref="ClaudeContextQdrantJoin"/> joins points to their rows. Qdrant has no snapshots for
/// readers, so a run reads the collections as they are while it scrolls; their shapes are checked again when it starts.
/// </summary>
public sealed class ClaudeContextQdrantReader : ISourceReader
{
    private readonly ClaudeContextQdrantLocation _location;
    private readonly QdrantHttpClient _client;
    private readonly ClaudeContextReader? _database;
    private IReadOnlyList<QdrantCollectionInfo>? _collections;
    private ClaudeContextQdrantJoin? _join;

    /// <summary>What a Qdrant step's source table starts with; the rest is the collection's name.</summary>
    public const string StepPrefix = "qdrant/";

    public ClaudeContextQdrantReader(MigrationSource source)
    {
        Source = source;
        _location = source.Location as ClaudeContextQdrantLocation ?? throw new ArgumentException("Not a Claude-Context Qdrant source.", nameof(source));
        _client = new QdrantHttpClient(_location.Qdrant);
        _database = _location.Database is null ? null : new ClaudeContextReader(new MigrationSource(source.System, source.Name, _location.Database));
    }

    public MigrationSource Source { get; }

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var (database, databaseSteps) = _database is null ? (null, []) : await _database.AnalyzeAsync(issues, cancellationToken);
        var collections = _collections = await LoadCollectionsAsync(cancellationToken);
        _join = Join(collections, databaseSteps);
        var tables = new List<SourceTableAnalysis>(database?.Tables ?? []);
        var steps = new List<SourceStep>(databaseSteps);
        var dimensions = new Dictionary<int, long>(database?.VectorDimensions ?? new Dictionary<int, long>());
        foreach (var collection in collections)
        {
            if (!collection.DenseVectors.TryGetValue(QdrantChunkMapping.DenseVector, out var dense))
            {
                issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Warning, "QdrantCollectionNotClaudeContext",
                    $"Source '{Source.Name}': Qdrant collection '{collection.Name}' has no dense vector named '{QdrantChunkMapping.DenseVector}' " +
                    $"(it has {Names(collection)}), so it is not a claude-context-core collection and is not read.",
                    "Nothing to do if the collection belongs to something else; otherwise report its shape to the PSUnifiedMigration team.", Source.Name));
                continue;
            }

            var points = await _client.CountAsync(collection.Name, null, cancellationToken);
            tables.Add(new SourceTableAnalysis(StepPrefix + collection.Name, points, 0, "id", "uuid", true, [])
            {
                VectorDimensions = new Dictionary<int, long> { [dense.Size] = points },
            });
            steps.Add(new SourceStep(Source.Name, StepPrefix + collection.Name, UnifiedSchema.Chunks, points, 0));
            dimensions[dense.Size] = dimensions.GetValueOrDefault(dense.Size) + points;
        }

        const string Layout = "Qdrant collections (vector, summary_vector, sparse)";
        var analysis = new SourceAnalysis(Source.Name, Source.System, database?.ServerVersion ?? "Qdrant", database is null ? Layout : $"{database.Layout}; {Layout}",
            tables, database?.VectorColumn ?? QdrantChunkMapping.DenseVector, database?.VectorType ?? "float32", dimensions, database?.ChunksWithoutVector ?? 0)
        {
            CatalogFingerprint = Fingerprint(collections) + (database?.CatalogFingerprint ?? ""),
        };
        return (analysis, steps);
    }

    public async IAsyncEnumerable<SourceKeyPage> ReadKeysAsync(SourceStep step, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (CollectionOf(step) is not { } collection)
        {
            await foreach (var page in _database!.ReadKeysAsync(step, pageSize, cancellationToken))
            {
                yield return page;
            }

            yield break;
        }

        var withRows = _join is null ? null : await _join.RowPointIdsAsync(step, collection, cancellationToken);
        await foreach (var (points, _) in KeysetPager.PagesAsync(QdrantScrollPosition.Start, pageSize,
            (cursor, limit, token) => ScrollAsync(collection, cursor, limit, withVectors: false, token), p => p.After, cancellationToken))
        {
            var legacy = points.Where(p => withRows?.Contains(p.Point.Id) != true).Select(p => p.Point.Id.ToString("D")).ToList();
            yield return new SourceKeyPage(legacy, legacy.Select(id => DeterministicId.ForLegacyId(Source.SystemOrigin, id)).ToArray());
        }
    }

    /// <summary>
    /// Opens the database's snapshot (and sees which of its tables the join pairs with collections), then loads the
    /// collections' shapes; the run compares both with the plan's.
    /// </summary>
    public async Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SourceStep> databaseSteps = [];
        if (_database is not null)
        {
            await _database.BeginSnapshotAsync(cancellationToken);
            (_, databaseSteps) = await _database.AnalyzeAsync([], cancellationToken);
        }

        _collections = await LoadCollectionsAsync(cancellationToken);
        _join = Join(_collections, databaseSteps);
    }

    public string CatalogFingerprint => Fingerprint(_collections ?? throw new InvalidOperationException("No collections loaded.")) + (_database?.CatalogFingerprint ?? "");

    /// <summary>
    /// A database step's rows (a joined table's chunks with their points' sparse vectors), or the step's collection
    /// scrolled from the position's offset on, a page of at most batchSize points at a time, without points that have a row.
    /// </summary>
    public async IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (CollectionOf(step) is not { } collection)
        {
            await foreach (var batch in _database!.ReadAsync(step, after, batchSize, vectorDimensions, cancellationToken))
            {
                yield return _join is null ? batch : await _join.AttachAsync(batch, cancellationToken);
            }

            yield break;
        }

        var withRows = _join is null ? null : await _join.RowPointIdsAsync(step, collection, cancellationToken);
        await foreach (var batch in KeysetPager.BatchesAsync(step, QdrantScrollPosition.Parse(after), batchSize,
            (cursor, limit, token) => ScrollAsync(collection, cursor, limit, withVectors: true, token), p => p.After, cursor => cursor.ToPosition(),
            p => Transform(step, p.Point, vectorDimensions), p => p.Point.Id.ToString("D"), cancellationToken))
        {
            if ((withRows is null ? batch : ClaudeContextQdrantJoin.WithoutJoined(batch, withRows)) is { } kept)
            {
                yield return kept;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>The collection a Qdrant step reads, or null for a step of the PostgreSQL database.</summary>
    private static string? CollectionOf(SourceStep step) =>
        step.SourceTable.StartsWith(StepPrefix, StringComparison.Ordinal) ? step.SourceTable[StepPrefix.Length..] : null;

    private ClaudeContextQdrantJoin? Join(IReadOnlyList<QdrantCollectionInfo> collections, IReadOnlyList<SourceStep> databaseSteps) =>
        _database is null ? null : new ClaudeContextQdrantJoin(_client, _database,
            ClaudeContextQdrantJoin.Joined(collections, databaseSteps, _location.TableOfCollection), _location.TableOfCollection);

    /// <summary>A point read, with the position after the page it came in.</summary>
    private sealed record ScrolledPoint(QdrantPoint Point, QdrantScrollPosition After);

    private async Task<IReadOnlyList<ScrolledPoint>> ScrollAsync(string collection, QdrantScrollPosition cursor, int limit, bool withVectors, CancellationToken cancellationToken)
    {
        if (cursor.Done)
        {
            return [];
        }

        var page = await _client.ScrollAsync(collection, cursor.NextOffset, limit, withVectors, null, cancellationToken);
        var after = new QdrantScrollPosition(page.NextOffset, page.NextOffset is null);
        return page.Points.Select(p => new ScrolledPoint(p, after)).ToList();
    }

    private UnifiedRecord Transform(SourceStep step, QdrantPoint point, int? vectorDimensions)
    {
        var legacy = point.Id.ToString("D");
        var record = Source.NewRecord(UnifiedSchema.Chunks, step.SourceTable, legacy);
        QdrantChunkMapping.Map(point, record, vectorDimensions, parentsRead: _location.Database is not null);
        return record;
    }

    private async Task<IReadOnlyList<QdrantCollectionInfo>> LoadCollectionsAsync(CancellationToken cancellationToken)
    {
        var collections = new List<QdrantCollectionInfo>();
        foreach (var name in (await _client.ListCollectionsAsync(cancellationToken)).Order(StringComparer.Ordinal))
        {
            // A collection dropped between the listing and this read is simply not there any more.
            if (await _client.GetCollectionAsync(name, cancellationToken) is { } info)
            {
                collections.Add(info);
            }
        }

        return collections;
    }

    private static string Names(QdrantCollectionInfo collection) =>
        collection.DenseVectors.Count + collection.SparseVectors.Count == 0
            ? "no named vectors"
            : string.Join(", ", collection.DenseVectors.Keys.Select(k => k.Length == 0 ? "one unnamed vector" : $"'{k}'").Concat(collection.SparseVectors.Select(s => $"sparse '{s}'")));

    /// <summary>A hash of every collection's vectors: a run refuses a source whose collections changed since its plan.</summary>
    private static string Fingerprint(IEnumerable<QdrantCollectionInfo> collections)
    {
        var text = new StringBuilder("qdrant");
        foreach (var collection in collections)
        {
            text.Append('|').Append(collection.Name);
            foreach (var (name, config) in collection.DenseVectors.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                text.Append(',').Append(name).Append(':').Append(config.Size).Append(':').Append(config.Distance);
            }

            foreach (var sparse in collection.SparseVectors.Order(StringComparer.Ordinal))
            {
                text.Append(",sparse:").Append(sparse);
            }
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
