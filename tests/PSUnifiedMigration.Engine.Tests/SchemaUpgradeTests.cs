using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Undo;
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

        Assert.Equal(UnifiedSchema.CurrentVersion, await scenario.ScalarOnTargetAsync<int>("SELECT max(version) FROM unified_migration.schema_version"));
        Assert.Equal(0, rerun.Migrated);
        Assert.Equal(rerun.Read, rerun.Skipped);
        Assert.Equal(5L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'unified' AND table_name IN ('principals', 'acls', 'data_points', 'graph_nodes', 'graph_edges')"));
        Assert.True((await MigrationValidator.ValidateAsync(rerun, new ValidationOptions(), null, default)).IsValid);
        Assert.Equal(2L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'unified' AND indexname IN ('chunks_content_hash_idx', 'documents_content_hash_idx')"));
    }

    /// <summary>What version 3 added to a version 2 store's bookkeeping, removed from a current store to make it one.</summary>
    private const string DowngradeToVersion2 = """
        DROP TABLE unified_migration.before_images;
        ALTER TABLE unified_migration.savepoints DROP COLUMN stores;
        UPDATE unified_migration.schema_version SET version = 2;
        """;

    private static async Task<MigrationResult> RunAsync(EngineScenario scenario) =>
        await MigrationExecutor.RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default), new MigrationRunOptions(false), _ => { }, default);

    [Fact]
    public async Task A_version_2_store_keeps_its_savepoints_restorable_and_its_next_run_undoable_after_the_upgrade()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 20, Layout = ChunkLayout.Live });
        await RunAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, DowngradeToVersion2);
        var listedBeforeUpgrade = await MigrationSavepoints.ListAsync(scenario.Target, default);
        await MigrationSavepoints.CreateAsync(scenario.Target, "at-version-2", false, default);
        var saved = await TestDatabase.UnifiedStateAsync(scenario.TargetConnection);
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET repo = 'changed' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 4)");

        var later = await RunAsync(scenario);
        var undo = await RunUndo.UndoAsync(scenario.Target, later.RunId, default);
        var afterUndo = await TestDatabase.UnifiedStateAsync(scenario.TargetConnection);
        var restore = await MigrationSavepoints.RestoreAsync(scenario.Target, "at-version-2", default);

        Assert.Empty(listedBeforeUpgrade);
        Assert.Equal(UnifiedSchema.CurrentVersion, await scenario.ScalarOnTargetAsync<int>("SELECT max(version) FROM unified_migration.schema_version"));
        Assert.Equal(4, undo.Restored);
        Assert.Equal(saved, afterUndo);
        Assert.True(restore.Verified);
    }

    /// <summary>What version 5 added to the data tables, removed from a current store to make it a version 4 one.</summary>
    private const string DowngradeToVersion4 = """
        ALTER TABLE unified.chunks DROP COLUMN summary, DROP COLUMN summary_vector;
        UPDATE unified_migration.schema_version SET version = 4;
        """;

    /// <summary>Every chunk without the columns version 5 added, in id order.</summary>
    private const string ChunksWithoutSummaries = "SELECT md5(string_agg((to_jsonb(c) - 'summary' - 'summary_vector')::text, '' ORDER BY c.id)) FROM unified.chunks AS c";

    [Fact]
    public async Task A_savepoint_of_a_version_4_store_restores_into_the_upgraded_store_with_the_added_columns_null()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 20, Layout = ChunkLayout.Live });
        await RunAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, DowngradeToVersion4);
        await MigrationSavepoints.CreateAsync(scenario.Target, "at-version-4", false, default);
        var saved = await scenario.ScalarOnTargetAsync<string>(ChunksWithoutSummaries);
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET repo = 'changed' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 4)");
        var later = await RunAsync(scenario);
        await scenario.ExecuteOnTargetAsync("UPDATE unified.chunks SET summary = 'added after the upgrade'");

        var restore = await MigrationSavepoints.RestoreAsync(scenario.Target, "at-version-4", default);

        Assert.Equal((MigrationStatus.Succeeded, 4L), (later.Status, later.Migrated));
        Assert.True(restore.Verified);
        Assert.Equal(UnifiedSchema.CurrentVersion, await scenario.ScalarOnTargetAsync<int>("SELECT max(version) FROM unified_migration.schema_version"));
        Assert.Equal(saved, await scenario.ScalarOnTargetAsync<string>(ChunksWithoutSummaries));
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks WHERE summary IS NOT NULL OR summary_vector IS NOT NULL"));
    }

    /// <summary>What version 6 added to the bookkeeping, removed from a current store to make it a version 5 one.</summary>
    private const string DowngradeToVersion5 = """
        ALTER TABLE unified_migration.runs DROP COLUMN planned;
        UPDATE unified_migration.schema_version SET version = 5;
        """;

    [Fact]
    public async Task A_version_5_journal_reads_without_totals_and_its_next_run_journals_its_plan()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 20, Layout = ChunkLayout.Live });
        var first = await RunAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, DowngradeToVersion5);
        var beforeUpgrade = Assert.Single(await RunJournalReader.ListAsync(scenario.Target, null, default));

        var later = await RunAsync(scenario);
        var runs = await RunJournalReader.ListAsync(scenario.Target, null, default);

        Assert.Equal((first.RunId, (long?)null, (double?)null), (beforeUpgrade.RunId, beforeUpgrade.Total, beforeUpgrade.PercentComplete));
        Assert.Equal(UnifiedSchema.CurrentVersion, await scenario.ScalarOnTargetAsync<int>("SELECT max(version) FROM unified_migration.schema_version"));
        Assert.Equal([later.RunId, first.RunId], runs.Select(r => r.RunId));
        Assert.Equal(later.Plan.TotalRecords, runs[0].Total);
        Assert.Equal(100, runs[0].PercentComplete);
        Assert.Equal(later.Plan.Warnings.Select(w => $"{w.Code}: {w}"), runs[0].Warnings);
        Assert.Null(runs[1].Total);
    }
}
