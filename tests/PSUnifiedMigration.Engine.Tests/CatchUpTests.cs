using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>Re-running against a source that changed since the last run: only the delta is written, deletions are reported.</summary>
[Collection(PostgresCollection.Name)]
public class CatchUpTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Sample = new() { Chunks = 80, Layout = ChunkLayout.Live, Seed = 17 };

    private static async Task<MigrationResult> RunAsync(EngineScenario scenario) =>
        await MigrationExecutor.RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default),
            new MigrationRunOptions(false), _ => { }, default);

    /// <summary>Changes three chunks and adds two copies under new ids.</summary>
    private const string ChangeAndAdd = """
        UPDATE claude_context.chunks SET content = content || ' (revised)' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 3);
        CREATE TEMP TABLE added AS SELECT * FROM claude_context.chunks ORDER BY id DESC LIMIT 2;
        UPDATE added SET id = md5(id::text)::uuid;
        INSERT INTO claude_context.chunks SELECT * FROM added;
        """;

    [Fact]
    public async Task A_catch_up_run_writes_only_the_new_and_changed_records_and_validates()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        await RunAsync(scenario);
        await scenario.ExecuteOnSourceAsync(ChangeAndAdd);

        var catchUp = await RunAsync(scenario);

        var chunks = catchUp.Steps.Single(s => s.SourceTable == "chunks");
        Assert.Equal(82, chunks.Read);
        Assert.Equal(5, chunks.Migrated);
        Assert.Equal(77, chunks.Skipped);
        Assert.Equal(0, catchUp.Steps.Where(s => s.SourceTable != "chunks").Sum(s => s.Migrated));
        Assert.Equal(0L, catchUp.DeletedAtSource);
        Assert.True((await MigrationValidator.ValidateAsync(catchUp, new ValidationOptions(), null, default)).IsValid);
    }

    [Fact]
    public async Task A_catch_up_run_reports_each_record_deleted_from_the_source_by_key_and_leaves_it_in_the_target()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);
        await RunAsync(scenario);
        var deleted = await TestDatabase.ScalarAsync<string[]>(scenario.SourceConnection,
            "WITH d AS (DELETE FROM claude_context.chunks WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 2) RETURNING id::text) SELECT array_agg(id ORDER BY id) FROM d");

        var catchUp = await RunAsync(scenario);

        Assert.Equal(2, catchUp.Steps.Single(s => s.SourceTable == "chunks").DeletedAtSource);
        Assert.Equal(deleted, catchUp.Deletions.Select(d => d.RecordKey).ToArray());
        Assert.All(catchUp.Deletions, d => Assert.Equal("chunks", d.SourceTable));
        Assert.Contains(catchUp.Warnings, w => w.StartsWith("2 record(s) of cc:chunks", StringComparison.Ordinal));
        Assert.Equal(0, catchUp.Steps.Where(s => s.SourceTable != "chunks").Sum(s => s.DeletedAtSource ?? -1));
        Assert.Equal(80L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
    }

    [Fact]
    public async Task A_first_run_has_nothing_to_report_as_deleted()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Sample);

        var first = await RunAsync(scenario);

        Assert.All(first.Steps, s => Assert.Equal(0, s.DeletedAtSource));
        Assert.Empty(first.Deletions);
    }
}
