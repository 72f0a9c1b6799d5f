using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Targets.Neo4j;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Undo;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>
/// Savepoints and run undo across PostgreSQL, the real Neo4j and Qdrant's wire fake: each store must return exactly
/// to its former content (every table, node, relationship and point compared), and say where it stands when it cannot.
/// </summary>
[Collection(Neo4jCollection.Name)]
public sealed class StoreSafetyTests(Neo4jFixture neo4j, PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-safety-{Guid.NewGuid():N}", ".cognee_system");
    private const string QdrantKey = "psum-safety-qdrant-key";
    private readonly QdrantWireListener _qdrant = QdrantWireListener.Start(QdrantKey);
    private EngineScenario _claude = null!;

    /// <summary>The shared server may hold another test's graph: it is cleared, so the whole subgraph is this test's.</summary>
    public async Task InitializeAsync()
    {
        await neo4j.Store.DeleteAllAsync(default);
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1 });
        _claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 40, Seed = 11, Layout = ChunkLayout.Live });
    }

    public Task DisposeAsync()
    {
        _qdrant.Dispose();
        Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
        return Task.CompletedTask;
    }

    private MigrationTarget Target => new("unified", PostgresEndpoint.Parse(_claude.TargetConnection), [neo4j.Endpoint, QdrantEndpoint.Parse(_qdrant.Uri.ToString(), new System.Net.NetworkCredential("", QdrantKey).SecurePassword)]);

    private MigrationSource Cognee => new(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot));

    private async Task<MigrationResult> RunAsync(params MigrationSource[] sources)
    {
        var plan = await MigrationPlanner.PlanAsync(sources, Target, 100, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
    }

    /// <summary>A later run that changes 5 chunks and adds 3.</summary>
    private async Task<MigrationResult> ChangeAndRunAgainAsync(params MigrationSource[] sources)
    {
        await _claude.EditChunksAsync();
        return await RunAsync(sources);
    }

    /// <summary>Every store's full content: each unified table's count and row hash, every node, relationship and point.</summary>
    private async Task<string> StateAsync()
    {
        var tables = new List<string>();
        foreach (var table in UnifiedSchema.AllDataTables)
        {
            tables.Add(table + ":" + await _claude.ScalarOnTargetAsync<string>(
                $"SELECT count(*) || '/' || coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} AS r"));
        }

        var nodes = await neo4j.Store.ReadNodesAsync(null, 100_000, default);
        var edges = await neo4j.Store.ReadEdgesAsync(null, 100_000, default);
        using var client = new QdrantHttpClient(Target.Qdrant!);
        var points = new List<string>();
        foreach (var collection in await client.ListCollectionsAsync(default))
        {
            var page = await client.ScrollAsync(collection, null, 100_000, true, null, default);
            points.AddRange(page.Points.Select(p => $"{collection}/{p.Id}/{p.Payload.ToJsonString()}/{string.Join(",", p.DenseVectors.SelectMany(v => v.Value))}"));
        }

        return string.Join("\n", tables.Concat(nodes.Select(n => $"{n.Id} {string.Join(":", n.Labels)} {n.Properties.ToJsonString()}"))
            .Concat(edges.Select(e => $"{e.Id} {e.Type} {e.SourceId}->{e.TargetId} {e.Properties.ToJsonString()}")).Concat(points.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task Restore_returns_postgresql_neo4j_and_qdrant_to_the_savepoint_after_a_later_run_changed_and_added_records()
    {
        await RunAsync(_claude.Source(), Cognee);
        var savepoint = await MigrationSavepoints.CreateAsync(Target, "sp", false, default);
        var saved = await StateAsync();
        await ChangeAndRunAgainAsync(_claude.Source(), Cognee);
        await neo4j.Store.UpsertNodesAsync([new GraphNodeRecord(Guid.NewGuid().ToString("D"), "Added", "later", null, "cognee", Guid.NewGuid(), null)], default);
        Assert.NotEqual(saved, await StateAsync());

        var result = await MigrationSavepoints.RestoreAsync(Target, "sp", default);

        Assert.Equal(["PostgreSQL", "Neo4j", "Qdrant"], savepoint.Stores);
        Assert.True(result.Verified);
        Assert.Equal(saved, await StateAsync());
    }

    [Fact]
    public async Task Restore_reports_each_store_restored_in_order_with_its_duration()
    {
        await RunAsync(_claude.Source(), Cognee);
        await MigrationSavepoints.CreateAsync(Target, "sp", false, default);

        var result = await MigrationSavepoints.RestoreAsync(Target, "sp", default);

        Assert.Equal(["PostgreSQL", "Neo4j", "Qdrant"], result.Stores.Select(s => s.Store));
        Assert.All(result.Stores, s => Assert.Equal(StoreRestoreState.Restored, s.State));
        Assert.All(result.Stores, s => Assert.True(s.Duration > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_restore_whose_qdrant_part_fails_reports_postgresql_and_neo4j_restored_and_qdrant_failed()
    {
        await RunAsync(_claude.Source(), Cognee);
        var savepoint = await MigrationSavepoints.CreateAsync(Target, "sp", false, default);
        var chunks = savepoint.Parts.Single(p => p.Store == "Qdrant").Items.Single(i => i.Name == QdrantCollectionNames.Chunks);
        using (var client = new QdrantHttpClient(Target.Qdrant!))
        {
            await client.DeleteSnapshotAsync(chunks.Name, chunks.Snapshot!, default);
        }

        var failure = await Assert.ThrowsAsync<SavepointRestoreException>(() => MigrationSavepoints.RestoreAsync(Target, "sp", default));

        Assert.Equal("SavepointRestoreIncomplete", failure.ErrorId);
        Assert.Equal([StoreRestoreState.Restored, StoreRestoreState.Restored, StoreRestoreState.Failed], failure.Result.Stores.Select(s => s.State));
        Assert.Contains("Qdrant: Failed", failure.Message);
    }

    [Fact]
    public async Task A_restore_cancelled_during_postgresql_leaves_every_store_as_it_was_and_says_so()
    {
        await RunAsync(_claude.Source());
        await MigrationSavepoints.CreateAsync(Target, "sp", false, default);
        await ChangeAndRunAgainAsync(_claude.Source());
        var before = await StateAsync();
        await using var blocker = new NpgsqlConnection(_claude.TargetConnection);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE unified.chunks IN ACCESS SHARE MODE", blocker, hold).ExecuteNonQueryAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var failure = await Assert.ThrowsAsync<SavepointRestoreException>(() => MigrationSavepoints.RestoreAsync(Target, "sp", stop.Token));
        await hold.RollbackAsync();

        Assert.Equal("SavepointRestoreCancelled", failure.ErrorId);
        Assert.Equal([StoreRestoreState.Unchanged, StoreRestoreState.NotStarted, StoreRestoreState.NotStarted], failure.Result.Stores.Select(s => s.State));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Removing_a_savepoint_removes_its_postgresql_schema_its_row_and_its_qdrant_snapshots()
    {
        await RunAsync(_claude.Source(), Cognee);
        var savepoint = await MigrationSavepoints.CreateAsync(Target, "sp", false, default);

        await MigrationSavepoints.RemoveAsync(Target, "sp", default);

        using var client = new QdrantHttpClient(Target.Qdrant!);
        Assert.Empty(await MigrationSavepoints.ListAsync(Target, default));
        Assert.Equal(0L, await _claude.ScalarOnTargetAsync<long>($"SELECT count(*) FROM pg_namespace WHERE nspname = '{savepoint.StorageSchema}'"));
        foreach (var item in savepoint.Parts.Single(p => p.Store == "Qdrant").Items)
        {
            Assert.Empty(await client.ListSnapshotsAsync(item.Name, default));
        }
    }

    [Fact]
    public async Task Undoing_the_latest_run_returns_every_store_to_the_state_before_it()
    {
        await RunAsync(_claude.Source());
        var before = await StateAsync();
        var later = await ChangeAndRunAgainAsync(_claude.Source(), Cognee);
        Assert.True((await neo4j.Store.CountAsync("cognee", default)).Nodes > 0);

        var undo = await RunUndo.UndoAsync(Target, later.RunId, default);

        Assert.Equal(before, await StateAsync());
        Assert.Equal(new UndoTableResult("chunks", 3, 5), undo.Tables.Single(t => t.Table == "chunks"));
        Assert.Equal(nameof(MigrationStatus.Undone), await _claude.ScalarOnTargetAsync<string>($"SELECT status FROM unified_migration.runs WHERE run_id = '{later.RunId}'"));
    }

    [Fact]
    public async Task Undoing_a_run_that_a_later_run_rewrote_is_refused_naming_the_later_run()
    {
        var first = await RunAsync(_claude.Source());
        var later = await ChangeAndRunAgainAsync(_claude.Source());
        var before = await StateAsync();

        var refused = await Assert.ThrowsAsync<MigrationException>(() => RunUndo.UndoAsync(Target, first.RunId, default));

        Assert.Equal("RunUndoBlocked", refused.ErrorId);
        Assert.Contains(later.RunId.ToString(), refused.Message);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Undoing_a_run_whose_records_a_later_run_refers_to_is_refused_naming_the_later_run()
    {
        var first = await RunAsync(_claude.Source());
        await _claude.ExecuteOnSourceAsync("""
            CREATE TEMP TABLE extra AS SELECT * FROM claude_context.chunks ORDER BY id LIMIT 2;
            UPDATE extra SET id = gen_random_uuid();
            INSERT INTO claude_context.chunks SELECT * FROM extra;
            """);
        var later = await RunAsync(_claude.Source());

        var refused = await Assert.ThrowsAsync<MigrationException>(() => RunUndo.UndoAsync(Target, first.RunId, default));

        Assert.Equal("RunUndoBlocked", refused.ErrorId);
        Assert.Contains(later.RunId.ToString(), refused.Message);
    }

    [Fact]
    public async Task A_savepoint_names_its_stores_and_keeps_no_secret_in_its_object_or_bookkeeping_row()
    {
        await RunAsync(_claude.Source(), Cognee);

        var savepoint = await MigrationSavepoints.CreateAsync(Target, "sp", false, default);

        var row = await _claude.ScalarOnTargetAsync<string>("SELECT to_jsonb(s)::text FROM unified_migration.savepoints AS s");
        Assert.Equal(["PostgreSQL", "Neo4j", "Qdrant"], savepoint.Stores);
        Assert.Contains("********", savepoint.Parts.Single(p => p.Store == "Qdrant").Address);
        Assert.DoesNotContain(QdrantKey, row);
        Assert.DoesNotContain(QdrantKey, System.Text.Json.JsonSerializer.Serialize(savepoint.Parts));
    }
}
