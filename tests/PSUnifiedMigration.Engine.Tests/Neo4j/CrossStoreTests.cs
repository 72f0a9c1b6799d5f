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

/// <summary>
/// PostgreSQL + Neo4j + Qdrant: the graph goes to the real Neo4j, the vectors to Qdrant's wire fake (no Qdrant can
/// run here; QdrantContainerTests are the authority where Docker exists), and Test-Migration checks that the
/// stores agree with the system of record.
/// </summary>
[Collection(Neo4jCollection.Name)]
public sealed class CrossStoreTests(Neo4jFixture neo4j, PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cross-{Guid.NewGuid():N}", ".cognee_system");
    private readonly QdrantWireListener _qdrant = QdrantWireListener.Start("psum-qdrant-key");

    /// <summary>The shared server may hold the origins from an earlier test; only those are removed.</summary>
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

    private async Task<(MigrationPlan Plan, CogneeSampleSummary Cognee, string Target)> PlanAsync(ChunkLayout layout = ChunkLayout.Schema)
    {
        var cognee = await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1 });
        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 300, Seed = 5, Layout = layout });
        var plan = await MigrationPlanner.PlanAsync([claude.Source(), new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], Target(claude.TargetConnection), 100, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return (plan, cognee, claude.TargetConnection);
    }

    private QdrantEndpoint Qdrant => QdrantEndpoint.Parse(_qdrant.Uri.ToString(), new System.Net.NetworkCredential("", "psum-qdrant-key").SecurePassword);

    private MigrationTarget Target(string connection) => new("unified", PostgresEndpoint.Parse(connection), [neo4j.Endpoint, Qdrant]);

    private static Task<MigrationResult> RunAsync(MigrationPlan plan) => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

    [Fact]
    public async Task A_migration_to_postgresql_neo4j_and_qdrant_writes_every_store_and_validates()
    {
        var (plan, cognee, target) = await PlanAsync();

        var result = await RunAsync(plan);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(cognee.GraphNodes, (await neo4j.Store.CountAsync("cognee", default)).Nodes);
        Assert.Equal(cognee.GraphEdges, (await neo4j.Store.CountAsync("cognee", default)).Edges);
        Assert.Equal(300, _qdrant.PointCount(QdrantCollectionNames.Chunks));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("Neo4j graph nodes", StringComparison.Ordinal) && c.Passed);
        Assert.Contains(report.Checks, c => c.Name == "Neo4j graph readable by Cognee (cognee)" && c.Passed);
        Assert.Contains(report.Checks, c => c.Name.StartsWith("Qdrant vectors unified_chunks", StringComparison.Ordinal) && c.Passed);
        Assert.Contains(report.Checks, c => c.Name == "Qdrant collection unified_chunks dimension and distance metric" && c.Passed && c.Actual.Contains("Cosine", StringComparison.Ordinal));
        Assert.Equal(QdrantProjection.Tolerance, report.VectorTolerance);
        Assert.Empty(report.Differences);
        Assert.Equal(cognee.GraphNodes + cognee.GraphEdges, result.Projections.Single(p => p.Key.StartsWith("Neo4j", StringComparison.Ordinal)).Value);
        Assert.Equal(300L, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks WHERE system_origin = 'claude'"));
    }

    [Fact]
    public async Task A_repeated_run_never_duplicates_nodes_relationships_or_points()
    {
        var (plan, cognee, _) = await PlanAsync();

        await RunAsync(plan);
        var again = await RunAsync(plan);
        var report = await MigrationValidator.ValidateAsync(again, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(new GraphCounts(cognee.GraphNodes, cognee.GraphEdges), await neo4j.Store.CountAsync("cognee", default));
        Assert.Equal(300, _qdrant.PointCount(QdrantCollectionNames.Chunks));
    }

    [Fact]
    public async Task A_node_missing_from_neo4j_fails_validation_naming_the_store()
    {
        var (plan, _, _) = await PlanAsync();
        var result = await RunAsync(plan);
        using var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default);
        await client.RunAsync([new CypherStatement("MATCH (n:UnifiedNode) WHERE n.system_origin = 'cognee' WITH n LIMIT 1 DETACH DELETE n")], default);

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.False(report.IsValid);
        Assert.Contains(report.Checks, c => c.Name == "Neo4j graph nodes (cognee)" && !c.Passed);
    }

    [Fact]
    public async Task A_node_stripped_of_cognees_label_fails_validation_as_unreadable_by_cognee()
    {
        var (plan, _, _) = await PlanAsync();
        var result = await RunAsync(plan);
        using var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default);
        await client.RunAsync([new CypherStatement("MATCH (n:UnifiedNode) WHERE n.system_origin = 'cognee' WITH n LIMIT 1 REMOVE n:`__Node__`")], default);

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.False(report.IsValid);
        Assert.Contains(report.Checks, c => c.Name == "Neo4j graph readable by Cognee (cognee)" && !c.Passed && c.Actual.StartsWith("1 node(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_point_missing_from_qdrant_fails_validation_naming_the_collection()
    {
        var (plan, _, target) = await PlanAsync();
        var result = await RunAsync(plan);
        var chunk = await TestDatabase.ScalarAsync<Guid>(target, "SELECT id FROM unified.chunks ORDER BY id LIMIT 1");
        using var client = new QdrantHttpClient(plan.Target.Qdrant!);
        await client.DeletePointsAsync(QdrantCollectionNames.Chunks, [chunk], default);

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.Contains(report.Checks, c => c.Name == "Qdrant points unified_chunks (claude)" && !c.Passed && c.Actual == "299");
    }

    [Fact]
    public async Task An_existing_qdrant_collection_of_another_dimension_blocks_the_plan()
    {
        using (var client = new QdrantHttpClient(Qdrant))
        {
            await client.CreateCollectionAsync(QdrantCollectionNames.Chunks, QdrantProjection.DenseVector, 3, QdrantDistance.Cosine, null, default);
        }

        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 10, Seed = 5 });
        var plan = await MigrationPlanner.PlanAsync([claude.Source()], Target(claude.TargetConnection), 100, default);

        Assert.Contains(plan.Blockers, b => b.Code == "QdrantCollectionMismatch" && b.Message.Contains("3 dimensions"));
    }

    [Fact]
    public async Task An_unreachable_graph_store_blocks_the_plan_with_its_redacted_address()
    {
        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 10, Seed = 5 });
        var unreachable = new MigrationTarget("unified", PostgresEndpoint.Parse(claude.TargetConnection),
            [Neo4jEndpoint.Parse("http://127.0.0.1:9", "neo4j", new System.Net.NetworkCredential("", "secret-pw").SecurePassword)]);

        var plan = await MigrationPlanner.PlanAsync([claude.Source()], unreachable, 100, default);

        var blocker = Assert.Single(plan.Blockers);
        Assert.Contains("Graph store Neo4j", blocker.Message);
        Assert.DoesNotContain("secret-pw", blocker.ToString());
    }

    private async Task<(MigrationResult Result, string Target)> MigrateAsync(ChunkLayout layout)
    {
        var (plan, _, target) = await PlanAsync(layout);
        return (await RunAsync(plan), target);
    }

    private static Task<MigrationValidationReport> ValidateAsync(MigrationResult result) =>
        MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

    [Fact]
    public async Task A_relationship_dropped_from_neo4j_is_named_by_its_edge()
    {
        var (result, target) = await MigrateAsync(ChunkLayout.Live);
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
        var (result, target) = await MigrateAsync(ChunkLayout.Live);
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
        var (result, target) = await MigrateAsync(ChunkLayout.Live);
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

    [Fact]
    public async Task A_catch_up_run_writes_only_the_records_it_changed_to_neo4j_and_qdrant()
    {
        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 120, Seed = 9, Layout = ChunkLayout.Live });
        var target = Target(claude.TargetConnection);
        await RunAsync(await MigrationPlanner.PlanAsync([claude.Source("claude")], target, 50, default));
        await claude.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET content = content || ' (v2)' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 3)");

        var catchUp = await RunAsync(await MigrationPlanner.PlanAsync([claude.Source("claude")], target, 50, default));
        var report = await MigrationValidator.ValidateAsync(catchUp, new ValidationOptions(), null, default);

        Assert.Equal(3L, catchUp.Projections.Single(p => p.Key.StartsWith("Qdrant", StringComparison.Ordinal)).Value);
        Assert.Equal(120, _qdrant.PointCount(QdrantCollectionNames.Chunks));
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }

    [Fact]
    public async Task After_a_projection_that_failed_the_next_run_writes_every_record_again()
    {
        var claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 120, Seed = 10, Layout = ChunkLayout.Live });
        var target = Target(claude.TargetConnection);
        await RunAsync(await MigrationPlanner.PlanAsync([claude.Source("claude")], target, 50, default));
        await claude.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET content = content || ' (v2)' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 3)");
        var plan = await MigrationPlanner.PlanAsync([claude.Source("claude")], target, 50, default);
        // A 400 is not retried: the run fails after PostgreSQL took its changes, before Qdrant did.
        _qdrant.FailNextUpserts(1, 400);
        await Assert.ThrowsAsync<MigrationRunFailedException>(() => RunAsync(plan));

        var next = await RunAsync(plan);
        var report = await MigrationValidator.ValidateAsync(next, new ValidationOptions(), null, default);

        Assert.Equal(120L, next.Projections.Single(p => p.Key.StartsWith("Qdrant", StringComparison.Ordinal)).Value);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }

    [Fact]
    public async Task A_run_cancelled_while_it_writes_neo4j_resumes_and_ends_with_every_store_in_step()
    {
        var (plan, cognee, _) = await PlanAsync();
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), p =>
        {
            if (p.Phase.StartsWith("Writing Neo4j", StringComparison.Ordinal) && p.Phase.Contains("graph nodes", StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        }, cancel.Token));

        var resumed = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false) { Resume = true }, _ => { }, default);
        var report = await MigrationValidator.ValidateAsync(resumed, new ValidationOptions(), null, default);

        Assert.Equal(MigrationStatus.Cancelled, resumed.ResumedFrom);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(cognee.GraphNodes, (await neo4j.Store.CountAsync("cognee", default)).Nodes);
        Assert.Equal(cognee.GraphEdges, (await neo4j.Store.CountAsync("cognee", default)).Edges);
    }
}
