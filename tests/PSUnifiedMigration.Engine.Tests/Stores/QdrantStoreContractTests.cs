using PSUnifiedMigration.Engine.Targets;
using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Tests.Stores;

/// <summary>The store contract on Qdrant's wire fake, one per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class QdrantStoreContractTests(PostgresFixture postgres) : StoreContractTests(postgres)
{
    private QdrantWireListener _qdrant = null!;

    protected override IStoreEndpoint Store => QdrantEndpoint.Parse(_qdrant.Uri.ToString());

    protected override Task StartAsync()
    {
        _qdrant = QdrantWireListener.Start();
        return Task.CompletedTask;
    }

    protected override Task StopAsync()
    {
        _qdrant.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task<string> ContentAsync()
    {
        using var client = new QdrantHttpClient(QdrantEndpoint.Parse(_qdrant.Uri.ToString()));
        var points = new List<string>();
        foreach (var collection in await client.ListCollectionsAsync(default))
        {
            var page = await client.ScrollAsync(collection, null, 100_000, true, null, default);
            points.AddRange(page.Points.Select(p =>
                $"{collection}/{p.Id}/{p.Payload.ToJsonString()}/{string.Join(",", p.DenseVectors.SelectMany(v => v.Value))}/{string.Join(",", p.SparseVectors.SelectMany(v => v.Value.Values))}"));
        }

        return string.Join("\n", points.Order(StringComparer.Ordinal));
    }

    protected override async Task ChangeAsync()
    {
        using var client = new QdrantHttpClient(QdrantEndpoint.Parse(_qdrant.Uri.ToString()));
        var first = (await client.ScrollAsync(QdrantCollectionNames.Chunks, null, 1, false, null, default)).Points.Single();
        await client.DeletePointsAsync(QdrantCollectionNames.Chunks, [first.Id], default);
    }
}
