using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

[Collection(PostgresCollection.Name)]
public class SchemaUpgradeTests(PostgresFixture fixture)
{
    /// <summary>What version 1 of the unified store lacked, removed from a current store to make it one.</summary>
    private const string DowngradeToVersion1 = """
        DROP TABLE unified.acls, unified.graph_edges, unified.graph_nodes, unified.data_point_vectors, unified.data_points;
        ALTER TABLE unified.documents DROP COLUMN owner_id, DROP COLUMN tenant_id;
        ALTER TABLE unified.datasets DROP COLUMN owner_id, DROP COLUMN tenant_id;
        DROP TABLE unified.principals;
        DROP INDEX unified.chunks_content_hash_idx, unified.documents_content_hash_idx;
        UPDATE unified_migration.schema_version SET version = 1;
        """;

    [Fact]
    public async Task A_version_1_store_is_upgraded_in_place_and_keeps_its_rows()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 30, Layout = ChunkLayout.Live });
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default);
        await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, DowngradeToVersion1);

        var rerun = await MigrationExecutor.RunAsync(
            await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default), new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(2, await scenario.ScalarOnTargetAsync<int>("SELECT max(version) FROM unified_migration.schema_version"));
        Assert.Equal(0, rerun.Migrated);
        Assert.Equal(rerun.Read, rerun.Skipped);
        Assert.Equal(5L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'unified' AND table_name IN ('principals', 'acls', 'data_points', 'graph_nodes', 'graph_edges')"));
        Assert.True((await MigrationValidator.ValidateAsync(rerun, new ValidationOptions(), null, default)).IsValid);
        Assert.Equal(2L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'unified' AND indexname IN ('chunks_content_hash_idx', 'documents_content_hash_idx')"));
    }
}
