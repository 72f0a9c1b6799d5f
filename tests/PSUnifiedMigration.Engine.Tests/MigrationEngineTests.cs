using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

[Collection(PostgresCollection.Name)]
public class MigrationEngineTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Small = new() { Chunks = 60, Layout = ChunkLayout.Live, Seed = 5 };

    private static Task<MigrationResult> RunAsync(MigrationPlan plan, bool continueOnError = false, CancellationToken cancellationToken = default) =>
        MigrationExecutor.RunAsync(plan, new MigrationRunOptions(continueOnError), _ => { }, cancellationToken);

    [Fact]
    public async Task Columns_the_tool_does_not_know_are_carried_into_metadata()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        await scenario.ExecuteOnSourceAsync("""
            ALTER TABLE claude_context.chunks ADD COLUMN review_state text DEFAULT 'approved', ADD COLUMN tags text[] DEFAULT '{a,b}';
            ALTER TABLE claude_context.projects ADD COLUMN owner_team text DEFAULT 'search';
            """);

        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);
        await RunAsync(plan);

        Assert.Contains("review_state", plan.SourceAnalyses[0].Tables.Single(t => t.Table == "chunks").CarriedColumns);
        Assert.Equal(60L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM unified.chunks WHERE metadata->'source_columns' = '{\"review_state\": \"approved\", \"tags\": [\"a\", \"b\"]}'"));
        Assert.Equal("search", await scenario.ScalarOnTargetAsync<string>("SELECT min(metadata->'source_columns'->>'owner_team') FROM unified.projects"));
    }

    [Fact]
    public async Task Two_sources_holding_the_same_ids_both_survive_and_the_plan_reports_the_collisions()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source("first")], scenario.Target, 25, default));

        var plan = await MigrationPlanner.PlanAsync([scenario.Source("first"), scenario.Source("copy")], scenario.Target, 25, default);
        var result = await RunAsync(plan);

        // UUID ids are kept and other ids map to UUIDv5(origin, id), so every record of the copy collides with the first.
        var copied = result.Steps.Where(s => s.SourceName == "copy").Sum(s => s.Read);
        Assert.Equal(copied, plan.IdCollisionCount);
        Assert.Contains(plan.Warnings, w => w.Code == "IdCollision");
        Assert.Equal(copied, result.Steps.Sum(s => s.IdCollisions));
        Assert.Equal(2 * 60L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
        Assert.Equal(2L, await scenario.ScalarOnTargetAsync<long>("SELECT count(DISTINCT source_name) FROM unified.projects"));
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
    }

    [Fact]
    public async Task A_real_array_vector_with_a_null_element_is_rejected_naming_the_index()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET vector[9] = NULL WHERE id = (SELECT min(id) FROM claude_context.chunks)");

        var result = await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default), continueOnError: true);

        var error = Assert.Single(result.Errors);
        Assert.Equal("vector", error.Field);
        Assert.Contains("NULL element at index 8", error.Reason);
    }

    [Fact]
    public async Task A_chunks_table_of_an_unknown_layout_blocks_the_plan()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        await scenario.ExecuteOnSourceAsync("ALTER TABLE claude_context.chunks RENAME COLUMN content TO body");

        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);

        Assert.False(plan.CanInvoke);
        Assert.Contains(plan.Blockers, b => b.Code == "ChunkLayoutUnrecognised" && b.Message.Contains("body"));
    }

    [Fact]
    public async Task A_source_changed_after_planning_is_refused()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);
        await scenario.ExecuteOnSourceAsync("ALTER TABLE claude_context.chunks ADD COLUMN added_later int");

        var error = await Assert.ThrowsAsync<MigrationRunFailedException>(() => RunAsync(plan));

        Assert.Equal("SourceChangedSincePlan", error.ErrorId);
        Assert.Equal(MigrationStatus.Failed, error.Result.Status);
    }

    [Fact]
    public async Task A_cancelled_run_keeps_only_whole_batches_and_is_journalled_as_cancelled()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small with { Chunks = 400 });
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 10, default);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false),
            p => { if (p.Step?.SourceTable == "chunks" && p.Step.Read >= 50) cancel.Cancel(); }, cancel.Token));

        var chunks = await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks");
        Assert.InRange(chunks, 50, 399);
        Assert.Equal(0, chunks % 10);
        Assert.Equal("Cancelled", await scenario.ScalarOnTargetAsync<string>("SELECT status FROM unified_migration.runs"));
        Assert.Equal(chunks, await scenario.ScalarOnTargetAsync<long>(
            "SELECT migrated FROM unified_migration.checkpoints WHERE source_table = 'chunks'"));
    }
}
