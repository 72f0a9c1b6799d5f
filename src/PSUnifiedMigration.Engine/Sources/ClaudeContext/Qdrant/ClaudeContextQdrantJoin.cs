using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// Joins claude-context-core's Qdrant points to the PostgreSQL rows they were computed from, when both are read. A
/// collection is joined when the PostgreSQL reader reads its table (<see cref="ClaudeContextQdrantLocation.TableOfCollection"/>):
/// each page of that table fetches its points by recomputed id (<see cref="ClaudeContextPointIds"/>) and takes their
/// sparse vectors, which PostgreSQL never holds; the collection's own step then passes over every point that has a
/// row, so only points without one become chunks of their own. A chunk is thus read once, under its chunk id.
/// </summary>
internal sealed class ClaudeContextQdrantJoin(QdrantHttpClient client, ISourceReader database, IReadOnlyDictionary<string, QdrantCollectionInfo> joined,
    Func<string, string> tableOfCollection)
{
    private readonly Dictionary<string, HashSet<Guid>> _rowPointIds = new(StringComparer.Ordinal);

    /// <summary>The joined collections, each with the PostgreSQL steps' tables that hold its rows.</summary>
    public static IReadOnlyDictionary<string, QdrantCollectionInfo> Joined(IEnumerable<QdrantCollectionInfo> collections, IEnumerable<SourceStep> databaseSteps,
        Func<string, string> tableOfCollection)
    {
        var tables = databaseSteps.Select(s => s.SourceTable).ToHashSet(StringComparer.Ordinal);
        return collections.Where(c => tables.Contains(tableOfCollection(c.Name))).ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The PostgreSQL table's batch with each chunk's sparse vector from its point; an invalid one rejects the chunk.</summary>
    public async Task<SourceBatch> AttachAsync(SourceBatch batch, CancellationToken cancellationToken)
    {
        var collection = joined.Values.FirstOrDefault(c => tableOfCollection(c.Name) == batch.Step.SourceTable);
        if (collection is null || !collection.SparseVectors.Contains(QdrantChunkMapping.SparseVector) || batch.Records.Count == 0)
        {
            return batch;
        }

        var byPoint = batch.Records.Where(r => r.Table == UnifiedSchema.Chunks).GroupBy(r => ClaudeContextPointIds.ForChunk(r.LegacyId)).ToDictionary(g => g.Key, g => g.First());
        var points = await client.RetrieveAsync(collection.Name, byPoint.Keys, [QdrantChunkMapping.SparseVector], cancellationToken);
        var rejects = new List<RejectedRecord>(batch.Rejects);
        var rejected = new HashSet<UnifiedRecord>();
        foreach (var point in points.Where(p => p.SparseVectors.ContainsKey(QdrantChunkMapping.SparseVector)))
        {
            var record = byPoint[point.Id];
            try
            {
                record["sparse_vector"] = QdrantChunkMapping.SparseJson(point.SparseVectors[QdrantChunkMapping.SparseVector]);
            }
            catch (RecordRejectedException e)
            {
                rejected.Add(record);
                rejects.Add(new RejectedRecord(batch.Step.SourceTable, record.LegacyId, e.Field, e.Message, e.ErrorId));
            }
        }

        return rejected.Count == 0 ? batch : batch with { Records = batch.Records.Where(r => !rejected.Contains(r)).ToList(), Rejects = rejects };
    }

    /// <summary>The ids of the collection's points that have a PostgreSQL row, or null when the collection is not joined.</summary>
    public async Task<HashSet<Guid>?> RowPointIdsAsync(SourceStep collectionStep, string collection, CancellationToken cancellationToken)
    {
        if (!joined.ContainsKey(collection))
        {
            return null;
        }

        if (!_rowPointIds.TryGetValue(collection, out var ids))
        {
            ids = [];
            var table = new SourceStep(collectionStep.SourceName, tableOfCollection(collection), UnifiedSchema.Chunks, 0, 0);
            await foreach (var page in database.ReadKeysAsync(table, 10_000, cancellationToken))
            {
                ids.UnionWith(page.LegacyIds.Select(ClaudeContextPointIds.ForChunk));
            }

            _rowPointIds[collection] = ids;
        }

        return ids;
    }

    /// <summary>The batch without the points that have a row (they arrive with it), or null when nothing is left.</summary>
    public static SourceBatch? WithoutJoined(SourceBatch batch, HashSet<Guid> rowPointIds)
    {
        bool Orphan(string pointId) => !Guid.TryParse(pointId, out var id) || !rowPointIds.Contains(id);
        var kept = batch with { Records = batch.Records.Where(r => Orphan(r.LegacyId)).ToList(), Rejects = batch.Rejects.Where(r => Orphan(r.RecordKey)).ToList() };
        return kept.Read > 0 ? kept : null;
    }
}
