using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Interrupted and failing runs against a real PostgreSQL: resume from checkpoints, retries of transient failures,
/// and a target that refuses writes. Each ends identical to an uninterrupted run of the same source.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ResumeTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Sample = new() { Chunks = 120, Layout = ChunkLayout.Live, Seed = 11 };
    private static readonly RetryPolicy QuickRetry = new(3, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2));

    private static Task<MigrationResult> RunAsync(MigrationPlan plan, MigrationRunOptions options, Action<MigrationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        MigrationExecutor.RunAsync(plan, options with { Retry = QuickRetry }, progress ?? (_ => { }), cancellationToken);

    private static Task<MigrationPlan> PlanAsync(EngineScenario scenario, int batchSize) =>
        MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, batchSize, default);

    /// <summary>The scenario, and what its source looks like in a target that one uninterrupted run filled.</summary>
    private async Task<(EngineScenario Scenario, string Uninterrupted)> ScenarioWithReferenceAsync(string? sourceChange = null)
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        if (sourceChange is not null)
        {
            await scenario.ExecuteOnSourceAsync(sourceChange);
        }

        var reference = scenario with { TargetConnection = await fixture.Server.CreateDatabaseAsync("ref") };
        await RunAsync(await PlanAsync(reference, 20), new MigrationRunOptions(true));
        return (scenario, await TestDatabase.UnifiedContentAsync(reference.TargetConnection));
    }

    /// <summary>Runs the plan and cancels it once the chunks step has committed at least <paramref name="chunks"/> records.</summary>
    private static async Task InterruptAfterChunksAsync(MigrationPlan plan, long chunks, bool continueOnError = false)
    {
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(plan, new MigrationRunOptions(continueOnError), p =>
        {
            if (p.Step is { SourceTable: "chunks" } step && step.Read >= chunks)
            {
                cancel.Cancel();
            }
        }, cancel.Token));
    }

    [Fact]
    public async Task A_cancelled_run_resumes_under_its_run_id_and_ends_identical_to_an_uninterrupted_run()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync();
        var plan = await PlanAsync(scenario, 20);
        await InterruptAfterChunksAsync(plan, 40);
        var interrupted = await scenario.ScalarOnTargetAsync<Guid>("SELECT run_id FROM unified_migration.runs");

        var resumed = await RunAsync(await PlanAsync(scenario, 20), new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(interrupted, resumed.RunId);
        Assert.Equal(MigrationStatus.Cancelled, resumed.ResumedFrom);
        Assert.Equal(MigrationStatus.Succeeded, resumed.Status);
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
        Assert.Equal(resumed.Read, resumed.Migrated + resumed.Skipped + resumed.Rejected);
        Assert.Equal(120, resumed.Steps.Single(s => s.SourceTable == "chunks").Read);
        Assert.True((await MigrationValidator.ValidateAsync(resumed, new ValidationOptions(), null, default)).IsValid);
    }

    [Fact]
    public async Task A_checkpoint_stored_before_positions_became_opaque_still_resumes()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync();
        await InterruptAfterChunksAsync(await PlanAsync(scenario, 20), 40);
        // Until positions became the reader's opaque token, a checkpoint stored the position as a JSON object:
        // {"Fingerprint": ..., "After": {"NullKeysDone": ..., "LastNullCtid": ..., "LastKey": ..., "LastCtid": ...}}.
        await scenario.ExecuteOnTargetAsync("""
            UPDATE unified_migration.checkpoints SET position = jsonb_set(position, '{After}', (position->>'After')::jsonb)
            WHERE jsonb_typeof(position->'After') = 'string'
            """);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT count(*) FROM unified_migration.checkpoints WHERE source_table = 'chunks' AND (jsonb_typeof(position->'After') <> 'object' OR position->'After'->>'LastKey' IS NULL)"));

        var resumed = await RunAsync(await PlanAsync(scenario, 20), new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(MigrationStatus.Succeeded, resumed.Status);
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
        Assert.Equal(120, resumed.Steps.Single(s => s.SourceTable == "chunks").Read);
    }

    [Fact]
    public async Task A_resumed_step_continues_after_its_last_committed_batch_instead_of_rereading_it()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario, 20);
        await InterruptAfterChunksAsync(plan, 60);
        var committed = await scenario.ScalarOnTargetAsync<long>("SELECT read FROM unified_migration.checkpoints WHERE source_table = 'chunks'");
        var firstReport = -1L;

        var resumed = await RunAsync(plan, new MigrationRunOptions(false) { Resume = true }, p =>
        {
            if (p.Step is { SourceTable: "chunks" } step && firstReport < 0)
            {
                firstReport = step.Read;
            }
        });

        Assert.True(committed >= 60, $"the chunks checkpoint holds {committed} records");
        Assert.Equal(committed, firstReport);
        Assert.True(resumed.Steps.Single(s => s.SourceTable == "chunks").Resumed);
    }

    [Fact]
    public async Task A_finished_run_leaves_no_checkpoints_behind()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario, 20);
        await InterruptAfterChunksAsync(plan, 40);

        await RunAsync(plan, new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified_migration.checkpoints"));
        Assert.Equal("Succeeded", await scenario.ScalarOnTargetAsync<string>("SELECT status FROM unified_migration.runs"));
    }

    [Fact]
    public async Task Resume_after_a_changed_batch_size_restarts_the_step_and_counts_its_rejects_once()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync(
            "UPDATE claude_context.chunks SET vector[3] = 'NaN' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 3)");
        await InterruptAfterChunksAsync(await PlanAsync(scenario, 20), 60, continueOnError: true);

        var resumed = await RunAsync(await PlanAsync(scenario, 7), new MigrationRunOptions(true) { Resume = true });

        Assert.Contains(resumed.Warnings, w => w.Contains("chunks starts again", StringComparison.Ordinal));
        Assert.Equal(3, resumed.Steps.Single(s => s.SourceTable == "chunks").Rejected);
        Assert.Equal(3L, await scenario.ScalarOnTargetAsync<long>($"SELECT count(*) FROM unified_migration.rejects WHERE run_id = '{resumed.RunId}'"));
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
    }

    [Fact]
    public async Task Resuming_a_run_whose_batches_a_savepoint_restore_took_away_starts_its_steps_again()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync();
        var plan = await PlanAsync(scenario, 20);
        await MigrationSavepoints.CreateAsync(scenario.Target, "empty", false, default);
        await InterruptAfterChunksAsync(plan, 40);
        await MigrationSavepoints.RestoreAsync(scenario.Target, "empty", default);

        var resumed = await RunAsync(plan, new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(MigrationStatus.Cancelled, resumed.ResumedFrom);
        Assert.Equal(120, resumed.Steps.Single(s => s.SourceTable == "chunks").Migrated);
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
    }

    [Fact]
    public async Task Resume_without_an_unfinished_run_starts_a_new_run()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario, 50);
        var first = await RunAsync(plan, new MigrationRunOptions(false));

        var second = await RunAsync(plan, new MigrationRunOptions(false) { Resume = true });

        Assert.NotEqual(first.RunId, second.RunId);
        Assert.Null(second.ResumedFrom);
        Assert.Equal(second.Read, second.Skipped);
    }

    [Fact]
    public async Task Resuming_a_finished_run_by_id_is_refused_with_the_reason()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario, 50);
        var first = await RunAsync(plan, new MigrationRunOptions(false));

        var refused = await Assert.ThrowsAsync<MigrationException>(() => RunAsync(plan, new MigrationRunOptions(false) { ResumeRunId = first.RunId }));

        Assert.Equal("RunNotResumable", refused.ErrorId);
        Assert.Contains("Succeeded", refused.Message);
    }

    [Fact]
    public async Task A_connection_dropped_in_the_middle_of_a_batch_is_retried_from_the_checkpoint_without_duplicates()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync();
        var plan = await PlanAsync(scenario, 20);
        // The 50th chunk row the target receives kills its own session, as a network drop or a server restart would.
        await scenario.InstallChunkTriggerAsync(plan, "IF nextval('public.psum_fault') = 50 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;");

        var result = await RunAsync(plan, new MigrationRunOptions(false));

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Contains(result.Warnings, w => w.Contains("transient failure", StringComparison.Ordinal));
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
        Assert.Equal(120, result.Steps.Single(s => s.SourceTable == "chunks").Read);
    }

    [Fact]
    public async Task A_target_that_refuses_writes_fails_the_run_at_once_and_a_resume_completes_it_once_writes_are_allowed()
    {
        var (scenario, uninterrupted) = await ScenarioWithReferenceAsync();
        var plan = await PlanAsync(scenario, 20);
        await scenario.InstallChunkTriggerAsync(plan,
            "IF nextval('public.psum_fault') >= 30 THEN RAISE EXCEPTION 'cannot execute INSERT in a read-only transaction' USING ERRCODE = '25006'; END IF;");

        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => RunAsync(plan, new MigrationRunOptions(false)));
        var committed = await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks");
        await scenario.ExecuteOnTargetAsync("DROP TRIGGER psum_fault ON unified.chunks");
        var resumed = await RunAsync(plan, new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(1, failure.Result.Attempts);
        Assert.Equal(MigrationStatus.Failed, failure.Result.Status);
        Assert.Contains("read-only", failure.Message);
        Assert.InRange(committed, 20, 29);
        Assert.Equal(failure.Result.RunId, resumed.RunId);
        Assert.Equal(uninterrupted, await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
    }

    [Fact]
    public async Task A_transient_failure_that_outlasts_the_retries_fails_the_run_after_the_last_attempt()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        var plan = await PlanAsync(scenario, 20);
        await scenario.InstallChunkTriggerAsync(plan, "PERFORM pg_terminate_backend(pg_backend_pid());");

        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => RunAsync(plan, new MigrationRunOptions(false)));

        Assert.Equal(QuickRetry.MaxRetries + 1, failure.Result.Attempts);
        Assert.Equal(MigrationStatus.Failed, failure.Result.Status);
        Assert.Equal("PostgresConnectionLost", failure.ErrorId);
    }

    [Fact]
    public async Task A_server_restart_in_the_middle_of_a_run_is_retried_until_the_server_is_back()
    {
        await using var server = await LocalPostgresServer.StartAsync(privateCluster: true);
        var scenario = await EngineScenario.CreateAsync(server, Sample);
        var reference = scenario with { TargetConnection = await server.CreateDatabaseAsync("ref") };
        await RunAsync(await PlanAsync(reference, 20), new MigrationRunOptions(false));
        var plan = await PlanAsync(scenario, 20);
        // Slow each chunk batch down, so that the restart lands in the middle of the chunks step.
        await scenario.InstallChunkTriggerAsync(plan, "PERFORM pg_sleep(0.05);");
        var patient = new RetryPolicy(8, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

        var run = MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false) { Retry = patient }, _ => { }, default);
        while (await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks") < 20)
        {
            await Task.Delay(20);
        }

        await server.RestartAsync(TimeSpan.FromSeconds(1));
        var result = await run;

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.True(result.Attempts >= 2, $"{result.Attempts} attempt(s)");
        Assert.Equal(await TestDatabase.UnifiedContentAsync(reference.TargetConnection), await TestDatabase.UnifiedContentAsync(scenario.TargetConnection));
    }
}
