using Npgsql;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

[Collection(PostgresCollection.Name)]
public class SafetyTests(PostgresFixture fixture)
{
    private static Task<MigrationResult> RunAsync(MigrationPlan plan) =>
        MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

    [Fact]
    public async Task A_run_that_cannot_prepare_the_target_releases_the_target_for_the_next_run()
    {
        var wide = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 20, Layout = ChunkLayout.Live, Dimensions = 768 });
        var narrowSource = await fixture.Server.CreateDatabaseAsync("src");
        await ClaudeContextSample.CreateAsync(narrowSource, new ClaudeContextSampleOptions { Chunks = 20, Layout = ChunkLayout.Live, Dimensions = 512 });
        var narrow = wide with { SourceConnection = narrowSource };
        var widePlan = await MigrationPlanner.PlanAsync([wide.Source("wide")], wide.Target, 10, default);
        var narrowPlan = await MigrationPlanner.PlanAsync([narrow.Source("narrow")], wide.Target, 10, default);
        await RunAsync(narrowPlan);

        var mismatch = await Assert.ThrowsAsync<MigrationException>(() => RunAsync(widePlan));
        var again = await RunAsync(narrowPlan);

        Assert.Equal("VectorDimensionMismatch", mismatch.ErrorId);
        Assert.Equal(MigrationStatus.Succeeded, again.Status);
    }

    [Fact]
    public async Task While_another_session_writes_to_the_target_runs_and_savepoints_report_it_busy()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Layout = ChunkLayout.Live });
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default);
        await using var writer = new NpgsqlConnection(scenario.TargetConnection);
        await writer.OpenAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({TargetLock.Key})", writer))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var run = await Assert.ThrowsAsync<MigrationException>(() => RunAsync(plan));
        var savepoint = await Assert.ThrowsAsync<MigrationException>(() => MigrationSavepoints.CreateAsync(scenario.Target, "during", false, default));

        Assert.Equal("TargetBusy", run.ErrorId);
        Assert.Equal("TargetBusy", savepoint.ErrorId);
    }

    [Fact]
    public async Task The_same_uuid_spelt_in_two_cases_in_one_batch_gives_two_records()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Layout = ChunkLayout.Live });
        await scenario.ExecuteOnSourceAsync("""
            CREATE TEMP TABLE x AS SELECT * FROM claude_context.chunks ORDER BY id LIMIT 1;
            UPDATE x SET id = 'ABCDEF00-0000-4000-8000-000000000001'; INSERT INTO claude_context.chunks SELECT * FROM x;
            UPDATE x SET id = 'abcdef00-0000-4000-8000-000000000001'; INSERT INTO claude_context.chunks SELECT * FROM x;
            """);

        var result = await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 100, default));

        Assert.Equal(12, result.Steps.Single(s => s.SourceTable == "chunks").Migrated);
        Assert.Equal(1, result.Steps.Single(s => s.SourceTable == "chunks").IdCollisions);
    }

    [Fact]
    public async Task A_view_as_a_source_table_blocks_the_plan()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Layout = ChunkLayout.Live });
        await scenario.ExecuteOnSourceAsync("""
            ALTER TABLE claude_context.web_pages RENAME TO web_pages_data;
            CREATE VIEW claude_context.web_pages AS SELECT * FROM claude_context.web_pages_data;
            """);

        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default);

        Assert.Contains(plan.Blockers, b => b.Code == "SourceTableIsView" && b.Message.Contains("web_pages"));
    }

    [Fact]
    public async Task Source_metadata_that_already_uses_a_reserved_key_keeps_it_and_the_carried_values_move_aside()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Layout = ChunkLayout.Live });
        await scenario.ExecuteOnSourceAsync("""UPDATE claude_context.chunks SET metadata = '{"claude_context": "the source''s own"}', repo = 'r1'""");

        await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default));

        Assert.Equal(10L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM unified.chunks WHERE metadata->>'claude_context' = 'the source''s own' AND metadata->'claude_context_2'->>'repo' = 'r1'"));
    }

    [Fact]
    public async Task A_chunk_tied_to_both_a_document_and_a_web_page_keeps_the_web_page_id()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Layout = ChunkLayout.Schema });
        var webPage = await TestDatabase.ScalarAsync<Guid>(scenario.SourceConnection, "SELECT min(id::text)::uuid FROM claude_context.web_pages");
        await scenario.ExecuteOnSourceAsync($"""
            ALTER TABLE claude_context.chunks DROP CONSTRAINT IF EXISTS chunks_check;
            UPDATE claude_context.chunks SET web_page_id = '{webPage}' WHERE document_id IS NOT NULL
            """);

        await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default));

        Assert.True(await scenario.ScalarOnTargetAsync<long>(
            $"SELECT count(*) FROM unified.chunks WHERE metadata->'claude_context'->>'web_page_id' = '{webPage}'") > 0);
    }
}
