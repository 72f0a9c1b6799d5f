using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// The Qdrant part of a savepoint: a snapshot, on the server, of every unified_* collection, with its point count and
/// content hash. Restore recovers each collection from its snapshot (a file:// location in the server's snapshots
/// directory) and deletes the unified collections the savepoint did not have.
/// </summary>
internal sealed class QdrantSavepointPart(QdrantEndpoint endpoint) : ISavepointPart
{
    private const int PageSize = 500;
    private QdrantHttpClient? _client;

    public string Store => QdrantEndpoint.StoreKind.Name;

    public string Address => endpoint.Redacted;

    public async Task<SavepointPart> SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storageSchema, CancellationToken cancellationToken)
    {
        var items = new List<SavepointItem>();
        try
        {
            foreach (var collection in await UnifiedCollectionsAsync(cancellationToken))
            {
                var measured = await MeasureAsync(collection, cancellationToken);
                items.Add(measured with { Snapshot = await new QdrantVectorStore(Client()).CreateSnapshotAsync(collection, cancellationToken) });
            }
        }
        catch
        {
            // The savepoint is not recorded, so nothing would ever remove the snapshots already taken.
            await RemoveAsync(new SavepointPart(Store, Address, items), CancellationToken.None);
            throw;
        }

        return new SavepointPart(Store, Address, items);
    }

    public async Task RestoreAsync(NpgsqlConnection connection, SavepointPart part, string storageSchema, CancellationToken cancellationToken)
    {
        var store = new QdrantVectorStore(Client());
        foreach (var collection in (await UnifiedCollectionsAsync(cancellationToken)).Where(c => part.Items.All(i => i.Name != c)))
        {
            await Client().DeleteCollectionAsync(collection, cancellationToken);
        }

        var actual = new List<SavepointItem>();
        foreach (var item in part.Items)
        {
            await store.RestoreSnapshotAsync(item.Name, item.Snapshot!, cancellationToken);
            actual.Add(await MeasureAsync(item.Name, cancellationToken));
        }

        SavepointParts.Verify(Store, part.Items, actual);
    }

    public async Task RemoveAsync(SavepointPart part, CancellationToken cancellationToken)
    {
        foreach (var item in part.Items.Where(i => i.Snapshot is not null))
        {
            try
            {
                await Client().DeleteSnapshotAsync(item.Name, item.Snapshot!, cancellationToken);
            }
            catch (MigrationException e) when (e.ErrorId == "QdrantNotFound")
            {
                // Already gone (deleted by hand, or with its collection): the outcome wanted.
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private QdrantHttpClient Client() => _client ??= new QdrantHttpClient(endpoint);

    private async Task<List<string>> UnifiedCollectionsAsync(CancellationToken cancellationToken) =>
        [.. (await Client().ListCollectionsAsync(cancellationToken)).Where(QdrantCollectionNames.IsUnified).Order(StringComparer.Ordinal)];

    /// <summary>Point count and content hash (id, payload, every named vector) of a collection, read in pages by id.</summary>
    private async Task<SavepointItem> MeasureAsync(string collection, CancellationToken cancellationToken)
    {
        var hash = new ContentHash();
        Guid? from = null;
        do
        {
            var page = await Client().ScrollAsync(collection, from, PageSize, true, null, cancellationToken);
            foreach (var point in page.Points)
            {
                var vectors = new JsonObject();
                foreach (var (name, dense) in point.DenseVectors)
                {
                    vectors["dense:" + name] = string.Join(",", dense.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                }

                foreach (var (name, sparse) in point.SparseVectors)
                {
                    vectors["sparse:" + name] = string.Join(",", sparse.Indices) + "|" + string.Join(",", sparse.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                }

                hash.Add(string.Join("\n", point.Id.ToString("D"), ContentHash.Canonical(point.Payload), ContentHash.Canonical(vectors)));
            }

            from = page.NextOffset;
        }
        while (from is not null);

        return new SavepointItem(collection, hash.Count, hash.ToString());
    }
}
