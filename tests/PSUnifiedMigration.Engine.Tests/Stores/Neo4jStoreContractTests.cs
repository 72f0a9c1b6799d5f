using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Targets;
using PSUnifiedMigration.Engine.Targets.Neo4j;
using PSUnifiedMigration.Engine.Tests.Neo4j;

namespace PSUnifiedMigration.Engine.Tests.Stores;

/// <summary>The store contract on the real Neo4j server the Neo4j tests share (cleared first, so the graph is this test's).</summary>
[Collection(Neo4jCollection.Name)]
public sealed class Neo4jStoreContractTests(Neo4jFixture neo4j, PostgresFixture postgres) : StoreContractTests(postgres)
{
    protected override IStoreEndpoint Store => neo4j.Endpoint;

    protected override Task StartAsync() => neo4j.Store.DeleteAllAsync(default);

    protected override Task StopAsync() => Task.CompletedTask;

    protected override async Task<string> ContentAsync()
    {
        var nodes = await neo4j.Store.ReadNodesAsync(null, 100_000, default);
        var edges = await neo4j.Store.ReadEdgesAsync(null, 100_000, default);
        // Neo4j returns properties in no fixed order: they are compared with sorted keys.
        return string.Join("\n", nodes.Select(n => $"{n.Id} {string.Join(":", n.Labels.Order(StringComparer.Ordinal))} {ContentHash.Canonical(n.Properties)}")
            .Concat(edges.Select(e => $"{e.Id} {e.Type} {e.SourceId}->{e.TargetId} {ContentHash.Canonical(e.Properties)}")));
    }

    protected override Task ChangeAsync() =>
        neo4j.Store.UpsertNodesAsync([new GraphNodeRecord(Guid.NewGuid().ToString("D"), "Added", "later", null, "cognee", Guid.NewGuid(), null)], default);
}
