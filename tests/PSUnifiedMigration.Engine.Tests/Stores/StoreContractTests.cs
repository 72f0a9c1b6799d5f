using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Targets;
using PSUnifiedMigration.Engine.Undo;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests.Stores;

/// <summary>
/// What every projection store must do, run against each registered store (one small subclass per store): after a
/// migration of a Claude-Context and a Cognee installation, a second projection writes nothing, undoing a run removes
/// exactly that run's elements, validation is clean, and a savepoint round-trips. Only the engine's own entry points
/// are used; the subclass supplies the store, a dump of its content, and a way to change it behind the engine's back.
/// </summary>
public abstract class StoreContractTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-contract-{Guid.NewGuid():N}", ".cognee_system");
    private EngineScenario _claude = null!;

    /// <summary>The store under test; reachable once <see cref="StartAsync"/> ran.</summary>
    protected abstract IStoreEndpoint Store { get; }

    /// <summary>Starts the store, or clears a shared one, so that all it holds is this test's.</summary>
    protected abstract Task StartAsync();

    /// <summary>Stops what <see cref="StartAsync"/> started.</summary>
    protected abstract Task StopAsync();

    /// <summary>Every element the store holds, with its content, as ordered text: equal texts mean equal content.</summary>
    protected abstract Task<string> ContentAsync();

    /// <summary>Changes the store behind the engine's back: adds, alters or removes an element.</summary>
    protected abstract Task ChangeAsync();

    public async Task InitializeAsync()
    {
        await StartAsync();
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1 });
        _claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 40, Seed = 17, Layout = ChunkLayout.Live });
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
    }

    private MigrationTarget Target => new("unified", PostgresEndpoint.Parse(_claude.TargetConnection), [Store]);

    private MigrationSource[] BothSources => [_claude.Source(), new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))];

    private async Task<MigrationResult> RunAsync(params MigrationSource[] sources)
    {
        var plan = await MigrationPlanner.PlanAsync(sources, Target, 100, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        return result;
    }

    /// <summary>A later run that changes 5 chunks, adds 3, and brings in the Cognee installation.</summary>
    private async Task<MigrationResult> ChangeAndRunAgainAsync()
    {
        await _claude.EditChunksAsync();
        return await RunAsync(BothSources);
    }

    private long Written(MigrationResult result) => result.Projections.Single(p => p.Key.StartsWith(Store.Kind.Name + " ", StringComparison.Ordinal)).Value;

    [Fact]
    public async Task A_second_projection_writes_nothing()
    {
        var first = await RunAsync(BothSources);
        var content = await ContentAsync();

        var second = await RunAsync(BothSources);
        await using (var projection = Store.OpenProjection())
        await using (var connection = await PostgresEndpoint.Parse(_claude.TargetConnection).OpenAsync(default))
        {
            await projection.ProjectAsync(connection, second.Plan.SystemOrigins, second.RunId, onlyRowsOfRun: false, (_, _) => { }, default);
        }

        Assert.True(Written(first) > 0);
        Assert.Equal(0L, Written(second));
        Assert.Equal(content, await ContentAsync());
    }

    [Fact]
    public async Task Undoing_a_run_removes_exactly_its_elements()
    {
        await RunAsync(_claude.Source());
        var before = await ContentAsync();
        var later = await ChangeAndRunAgainAsync();
        Assert.NotEqual(before, await ContentAsync());

        var undo = await RunUndo.UndoAsync(Target, later.RunId, default);

        Assert.Contains(undo.Stores, s => s.Store.StartsWith(Store.Kind.Name + " ", StringComparison.Ordinal) && s.Deleted > 0);
        Assert.Equal(before, await ContentAsync());
    }

    [Fact]
    public async Task Validation_after_a_migration_is_clean()
    {
        var result = await RunAsync(BothSources);

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Contains(report.Checks, Store.Kind.Owns);
        Assert.All(report.Checks.Where(Store.Kind.Owns), c => Assert.True(c.Passed, c.ToString()));
        Assert.DoesNotContain(report.Differences, Store.Kind.Owns);
        Assert.Equal(Store.Kind.VectorTolerance, report.VectorTolerance);
    }

    [Fact]
    public async Task A_savepoint_round_trips()
    {
        await RunAsync(BothSources);
        var savepoint = await MigrationSavepoints.CreateAsync(Target, "contract", false, default);
        var saved = await ContentAsync();
        await ChangeAndRunAgainAsync();
        await ChangeAsync();
        Assert.NotEqual(saved, await ContentAsync());

        var restore = await MigrationSavepoints.RestoreAsync(Target, "contract", default);

        Assert.Equal([MigrationSavepoint.SystemOfRecord, Store.Kind.Name], savepoint.Stores);
        Assert.Equal(StoreRestoreState.Restored, restore.Stores.Single(s => s.Store == Store.Kind.Name).State);
        Assert.Equal(saved, await ContentAsync());
        Assert.Equal(savepoint.Stores, (await MigrationSavepoints.ListAsync(Target, default)).Single().Stores);
        // The bookkeeping row names the store as text, as savepoints taken before the store seam did, so those still load.
        Assert.Equal(Store.Kind.Name, await _claude.ScalarOnTargetAsync<string>("SELECT stores -> 0 ->> 'Store' FROM unified_migration.savepoints"));
    }
}
