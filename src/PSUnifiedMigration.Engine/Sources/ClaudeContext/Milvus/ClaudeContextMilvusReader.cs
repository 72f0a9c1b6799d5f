using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// Reads upstream Claude-Context (zilliztech/claude-context) from Milvus or Zilliz Cloud over the REST API v2: a step
/// for the codebases (projects), one for the collections (datasets), then one per code_chunks_* /
/// hybrid_code_chunks_* collection, read in id order by <see cref="MilvusBuckets"/>. Milvus offers no snapshot: a run
/// sees the collections as they are while it reads, and refuses to start when their shape changed since the plan.
/// </summary>
internal sealed class ClaudeContextMilvusReader(MigrationSource source) : ISourceReader
{
    private readonly MilvusLocation _location = source.Location as MilvusLocation ?? throw new ArgumentException("Not a Milvus source.", nameof(source));
    private MilvusRestClient? _client;
    private MilvusCatalog? _catalog;

    public MigrationSource Source { get; } = source;

    private MilvusRestClient Client => _client ??= new MilvusRestClient(_location);

    public async Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var catalog = _catalog = await MilvusCatalog.LoadAsync(Client, Snapshot(issues), cancellationToken);
        var tables = new List<SourceTableAnalysis>();
        var chunkSteps = new List<SourceStep>();
        var dimensions = new Dictionary<int, long>();
        foreach (var collection in catalog.Collections)
        {
            var rows = await Client.CountAsync(collection.Name, MilvusBuckets.AllFilter, cancellationToken);
            var bucketed = await Client.CountAsync(collection.Name, MilvusBuckets.BucketedFilter, cancellationToken);
            if (bucketed != rows)
            {
                issues.Add(new(PlanIssueSeverity.Blocker, "MilvusIdsNotChunkIds",
                    $"Source '{Source.Name}': {rows - bucketed} of the {rows} entities of Milvus collection {collection.Name} have an id that does not start with " +
                    $"'{MilvusBuckets.IdPrefix}'; Milvus returns at most 16,384 entities per query, so this reader reads by chunk-id prefix and would miss them.",
                    "Re-index the codebase with Claude-Context (its ids are chunk_ + 16 hex digits), or report the collection to the PSUnifiedMigration team.",
                    Source.Name, MigrationErrorKind.InvalidData));
            }

            if (collection.SparseField is { } sparse)
            {
                issues.Add(new(PlanIssueSeverity.Warning, "MilvusSparseVectorsNotCarried",
                    $"Source '{Source.Name}': Milvus collection {collection.Name} holds BM25 sparse vectors in '{sparse}', which Milvus computes from the content " +
                    "and never returns. They are not carried: the chunks' sparse_vector stays empty, and nothing in this migration recomputes it.",
                    "The content is migrated whole; recompute BM25 sparse vectors from it in the target (for example a Qdrant sparse index with the idf modifier) if hybrid search needs them.",
                    Source.Name));
            }

            if (collection.Dimension is { } dimension)
            {
                dimensions[dimension] = dimensions.GetValueOrDefault(dimension) + rows;
            }

            if (collection.SnapshotStatus is { } status and not "indexed")
            {
                issues.Add(new(PlanIssueSeverity.Warning, "ClaudeContextCodebaseNotIndexed",
                    $"Source '{Source.Name}': the codebase snapshot says codebase {collection.Codebase} of Milvus collection {collection.Name} is '{status}', " +
                    "not 'indexed': the collection may hold only part of the codebase. What it holds is migrated.",
                    "Let Claude-Context finish indexing the codebase (or re-index it after a failure), then plan again; or migrate it as it is.", Source.Name));
            }

            tables.Add(new SourceTableAnalysis(collection.Name, rows, 0, "id", "VarChar", true,
                [.. collection.Fields.Where(f => !MilvusCatalog.KnownFields.Contains(f))])
            {
                Layout = $"upstream {(collection.SparseField is null ? "plain" : "hybrid")} collection of codebase {collection.Codebase}",
            });
            chunkSteps.Add(new SourceStep(Source.Name, collection.Name, UnifiedSchema.Chunks, rows, 0));
        }

        var codebases = catalog.Collections.Select(c => c.Codebase).Distinct().Count();
        SourceStep[] steps =
        [
            new(Source.Name, MilvusRecords.CodebasesStep, UnifiedSchema.Projects, codebases, 0),
            new(Source.Name, MilvusRecords.CollectionsStep, UnifiedSchema.Datasets, catalog.Collections.Count, 0),
            .. chunkSteps,
        ];
        var analysis = new SourceAnalysis(Source.Name, Source.System, "Milvus REST API v2", "upstream Claude-Context on Milvus (code_chunks_*, hybrid_code_chunks_*)",
            tables, "vector", "FloatVector", dimensions, 0)
        {
            CatalogFingerprint = catalog.Fingerprint(),
        };
        return (analysis, steps);
    }

    public async IAsyncEnumerable<SourceKeyPage> ReadKeysAsync(SourceStep step, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadAsync(step, null, pageSize, null, cancellationToken))
        {
            var keys = batch.Records.Select(r => r.LegacyId).Concat(batch.Rejects.Select(r => r.RecordKey)).ToArray();
            yield return new SourceKeyPage(keys, [.. keys.Select(k => DeterministicId.ForLegacyId(Source.SystemOrigin, k))]);
        }
    }

    /// <summary>Loads the collections as the run will read them; Milvus has no read snapshot to open.</summary>
    public async Task BeginSnapshotAsync(CancellationToken cancellationToken) => _catalog = await MilvusCatalog.LoadAsync(Client, Snapshot([]), cancellationToken);

    /// <summary>The codebase snapshot file; its warnings go to the plan (a run reads it again without repeating them).</summary>
    private CodebaseSnapshot Snapshot(List<MigrationPlanIssue> issues) =>
        CodebaseSnapshot.Load(_location.CodebaseSnapshotPath, _location.CodebaseSnapshotGiven, Source.Name, issues);

    public string CatalogFingerprint => (_catalog ?? throw new InvalidOperationException("No catalog loaded.")).Fingerprint();

    /// <summary>
    /// One step in id order after a position this reader wrote: the last id read ({"LastKey": ...}), which also names
    /// its bucket, so a resume reads exactly the rest.
    /// </summary>
    public async IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var catalog = _catalog ?? throw new InvalidOperationException("AnalyzeAsync or BeginSnapshotAsync must run before ReadAsync.");
        var last = KeysetPager.LastKey(after);
        await using var rows = Items(catalog, step, last, vectorDimensions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        async Task<IReadOnlyList<Item>> NextPageAsync(string? _, int limit, CancellationToken token)
        {
            var page = new List<Item>(limit);
            while (page.Count < limit && await rows.MoveNextAsync())
            {
                page.Add(rows.Current);
            }

            return page;
        }

        await foreach (var batch in KeysetPager.BatchesAsync(step, last, batchSize, NextPageAsync, row => row.Key, KeysetPager.KeyPosition,
            row => row.Transform(), row => row.Key, cancellationToken))
        {
            yield return batch;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A record to be, by its key: transformed only when its page is, so a reject lands in its own batch.</summary>
    private sealed record Item(string Key, Func<UnifiedRecord> Transform);

    /// <summary>The step's items after <paramref name="after"/>, in ordinal key order.</summary>
    private async IAsyncEnumerable<Item> Items(MilvusCatalog catalog, SourceStep step, string? after, int? dimensions,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (step.SourceTable is MilvusRecords.CodebasesStep or MilvusRecords.CollectionsStep)
        {
            var listed = step.SourceTable == MilvusRecords.CodebasesStep
                ? catalog.Collections.Select(c => c.Codebase).Distinct().Select(c => new Item(c, () => MilvusRecords.Project(Source, c)))
                : catalog.Collections.Select(c => new Item(c.Name, () => MilvusRecords.Dataset(Source, c)));
            foreach (var item in listed.Where(i => after is null || string.CompareOrdinal(i.Key, after) > 0).OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                yield return item;
            }

            yield break;
        }

        var collection = catalog.Collection(step.SourceTable);
        await foreach (var entity in MilvusBuckets.ReadAsync(Client, collection, after, _location.QueryLimit, cancellationToken))
        {
            yield return new Item(MilvusBuckets.IdOf(entity), () => MilvusRecords.Chunk(Source, collection, entity, dimensions));
        }
    }
}
