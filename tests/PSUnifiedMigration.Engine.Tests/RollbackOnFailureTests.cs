using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>-RollbackOnFailure: a failed run returns the target to where it started, and leaves nothing behind either way.</summary>
[Collection(PostgresCollection.Name)]
public class RollbackOnFailureTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Sample = new() { Chunks = 90, Layout = ChunkLayout.Live, Seed = 23 };
    private static readonly MigrationRunOptions Rollback = new(false) { RollbackOnFailure = true, Retry = new RetryPolicy(0, TimeSpan.Zero, TimeSpan.Zero) };

    private static Task<MigrationPlan> PlanAsync(EngineScenario scenario) => MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 20, default);

    /// <summary>A target that one run filled, a source changed since, and a trigger that refuses the 40th chunk row of the next run.</summary>
    private async Task<(EngineScenario Scenario, MigrationPlan Plan, string Before)> TargetThatRefusesTheNextRunAsync()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        await MigrationExecutor.RunAsync(await PlanAsync(scenario), new MigrationRunOptions(false), _ => { }, default);
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET content = content || ' (v2)'");
        var plan = await PlanAsync(scenario);
        await scenario.InstallChunkTriggerAsync(plan,
            "IF nextval('public.psum_fault') = 40 THEN RAISE EXCEPTION 'the disk is full' USING ERRCODE = '53100'; END IF;");
        return (scenario, plan, await TestDatabase.UnifiedStateAsync(scenario.TargetConnection));
    }

    [Fact]
    public async Task A_failed_run_returns_the_target_exactly_to_where_it_started()
    {
        var (scenario, plan, before) = await TargetThatRefusesTheNextRunAsync();

        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => MigrationExecutor.RunAsync(plan, Rollback, _ => { }, default));

        Assert.Equal("PostgresOutOfResources", failure.ErrorId);
        Assert.Equal(MigrationStatus.RolledBack, failure.Result.Status);
        Assert.Contains("rolled back to savepoint", failure.Result.FailureMessage);
        Assert.All(failure.Result.Rollback!.Stores, s => Assert.Equal(StoreRestoreState.Restored, s.State));
        Assert.Equal(before, await TestDatabase.UnifiedStateAsync(scenario.TargetConnection));
        Assert.Equal("RolledBack", await scenario.ScalarOnTargetAsync<string>($"SELECT status FROM unified_migration.runs WHERE run_id = '{failure.Result.RunId}'"));
    }

    [Fact]
    public async Task A_rolled_back_run_leaves_no_savepoint_and_no_checkpoints_and_is_not_resumed()
    {
        var (scenario, plan, _) = await TargetThatRefusesTheNextRunAsync();
        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => MigrationExecutor.RunAsync(plan, Rollback, _ => { }, default));
        await scenario.ExecuteOnTargetAsync("DROP TRIGGER psum_fault ON unified.chunks");

        var next = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false) { Resume = true }, _ => { }, default);

        Assert.Empty(await MigrationSavepoints.ListAsync(scenario.Target, default));
        Assert.Null(failure.Result.RollbackSavepoint);
        Assert.NotEqual(failure.Result.RunId, next.RunId);
        Assert.Equal(90, next.Steps.Single(s => s.SourceTable == "chunks").Migrated);
    }

    [Fact]
    public async Task A_run_that_succeeds_removes_its_rollback_savepoint()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);

        var result = await MigrationExecutor.RunAsync(await PlanAsync(scenario), Rollback, _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Null(result.RollbackSavepoint);
        Assert.Empty(await MigrationSavepoints.ListAsync(scenario.Target, default));
    }

    [Fact]
    public async Task A_cancelled_run_keeps_its_rollback_savepoint_and_names_it()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationExecutor.RunAsync(plan, Rollback, p =>
        {
            if (p.Step is { SourceTable: "chunks", Read: > 0 })
            {
                cancel.Cancel();
            }
        }, cancel.Token));
        var savepoint = Assert.Single(await MigrationSavepoints.ListAsync(scenario.Target, default));

        Assert.StartsWith("rollback-", savepoint.Name);
        Assert.Equal("Cancelled", await scenario.ScalarOnTargetAsync<string>("SELECT status FROM unified_migration.runs"));
        Assert.Contains(savepoint.Name, await scenario.ScalarOnTargetAsync<string>("SELECT failure FROM unified_migration.runs"));
    }

    [Fact]
    public async Task A_run_that_cannot_start_removes_the_savepoint_it_took()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var narrowSource = await fixture.Server.CreateDatabaseAsync("src");
        await ClaudeContextSample.CreateAsync(narrowSource, Sample with { Dimensions = 512 });
        var plan = await PlanAsync(scenario);
        await MigrationExecutor.RunAsync(await PlanAsync(scenario with { SourceConnection = narrowSource }), new MigrationRunOptions(false), _ => { }, default);

        var refused = await Assert.ThrowsAsync<MigrationException>(() => MigrationExecutor.RunAsync(plan, Rollback, _ => { }, default));

        Assert.Equal("VectorDimensionMismatch", refused.ErrorId);
        Assert.Empty(await MigrationSavepoints.ListAsync(scenario.Target, default));
    }
}
