using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Targets.Neo4j;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>Test-Migration names the records a projection store lost or changed: the real Neo4j, and Qdrant's wire fake.</summary>
[Collection(Neo4jCollection.Name)]
public sealed class CrossStoreValidationTests(Neo4jFixture neo4j, PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-crossval-{Guid.NewGuid():N}", ".cognee_system");
    private readonly QdrantWireListener _qdrant = QdrantWireListener.Start("psum-qdrant-key");

    public async Task InitializeAsync()
    {
        using var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default);
        await client.RunAsync([new CypherStatement("MATCH (n:UnifiedNode) WHERE n.system_origin IN ['claude', 'cognee'] DETACH DELETE n")], default);
    }

    public Task DisposeAsync()
    {
        _qdrant.Dispose();
        if (Directory.Exists(Path.GetDirectoryName(_systemRoot)))
        {
            Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
        }

        return Task.CompletedTask;
    }

    private QdrantEndpoint Qdrant => QdrantEndpoint.Parse(_qdrant.Uri.ToString(), new System.Net.NetworkCredential("", "psum-qdrant-key").SecurePassword);

    private async Task<(MigrationResult Result, string Target)> MigrateAsync()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1 });
        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 40, Dimensions = 16, Seed = 5, Layout = ChunkLayout.Live });
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(claude.TargetConnection)) { Neo4j = neo4j.Endpoint, Qdrant = Qdrant };
        var plan = await MigrationPlanner.PlanAsync([claude.Source(), new MigrationSource("cognee", CogneeStores.Locate(_systemRoot))], target, 100, default);
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        return (result, claude.TargetConnection);
    }

    private static Task<MigrationValidationReport> ValidateAsync(MigrationResult result) =>
        MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

    [Fact]
    public async Task A_clean_migration_to_all_three_stores_is_valid_with_the_qdrant_tolerance_stated()
    {
        var (result, _) = await MigrateAsync();

        var report = await ValidateAsync(result);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Empty(report.Differences);
        Assert.Equal(QdrantProjection.Tolerance, report.VectorTolerance);
        Assert.Contains(report.Checks, c => c.Name == "Qdrant collection unified_chunks dimension and distance metric" && c.Passed && c.Actual.Contains("Cosine", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_relationship_dropped_from_neo4j_is_named_by_its_edge()
    {
        var (result, target) = await MigrateAsync();
        using (var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default))
        {
            await client.RunAsync([new CypherStatement(
                "MATCH (:UnifiedNode)-[r]->(:UnifiedNode) WHERE r.system_origin = 'cognee' WITH r ORDER BY r.id LIMIT 1 DELETE r")], default);
        }

        var report = await ValidateAsync(result);

        var edge = await TestDatabase.ScalarAsync<string>(target, "SELECT legacy_id FROM unified.graph_edges WHERE system_origin = 'cognee' ORDER BY id LIMIT 1");
        var difference = Assert.Single(report.Differences);
        Assert.Equal(("graph_edges", edge, "MissingInNeo4j"), (difference.SourceTable, difference.RecordKey, difference.Kind));
        Assert.Contains(report.Checks, c => c.Name == "Neo4j relationships for every unified row" && !c.Passed);
    }

    [Fact]
    public async Task A_sparse_vector_dropped_from_a_qdrant_point_is_named_by_its_chunk()
    {
        var (result, target) = await MigrateAsync();
        var (id, chunk) = (await TestDatabase.ScalarAsync<Guid>(target, "SELECT id FROM unified.chunks WHERE sparse_vector IS NOT NULL ORDER BY id LIMIT 1"),
            await TestDatabase.ScalarAsync<string>(target, "SELECT legacy_id FROM unified.chunks WHERE sparse_vector IS NOT NULL ORDER BY id LIMIT 1"));
        using (var client = new QdrantHttpClient(Qdrant))
        {
            var point = (await client.ScrollAsync(QdrantCollectionNames.Chunks, id, 1, true, null, default)).Points.Single();
            Assert.Equal(id, point.Id);
            await client.UpsertPointsAsync(QdrantCollectionNames.Chunks, [point with { SparseVectors = new Dictionary<string, QdrantSparseVector>() }], default);
        }

        var report = await ValidateAsync(result);

        var difference = Assert.Single(report.Differences);
        Assert.Equal(("chunks", chunk, "ChangedInQdrant", "sparse"), (difference.SourceTable, difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task A_point_dropped_from_qdrant_is_named_by_its_chunk()
    {
        var (result, target) = await MigrateAsync();
        var id = await TestDatabase.ScalarAsync<Guid>(target, "SELECT id FROM unified.chunks ORDER BY id LIMIT 1");
        using (var client = new QdrantHttpClient(Qdrant))
        {
            await client.DeletePointsAsync(QdrantCollectionNames.Chunks, [id], default);
        }

        var report = await ValidateAsync(result);

        var chunk = await TestDatabase.ScalarAsync<string>(target, $"SELECT legacy_id FROM unified.chunks WHERE id = '{id}'");
        var difference = Assert.Single(report.Differences);
        Assert.Equal(("chunks", chunk, "MissingInQdrant"), (difference.SourceTable, difference.RecordKey, difference.Kind));
    }
}
