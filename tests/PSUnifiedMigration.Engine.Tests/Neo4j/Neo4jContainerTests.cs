using System.Net;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Targets.Neo4j;
using PSUnifiedMigration.Engine.Undo;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>One real Neo4j 5 (the official image, authentication on) for the class; started only where Docker exists.</summary>
public sealed class Neo4jContainerFixture : IAsyncLifetime
{
    public const string Password = "container-test-pw";

    private const int HttpPort = 7474;

    private IContainer? _container;

    public Neo4jEndpoint Endpoint => Neo4jEndpoint.Parse($"http://{_container!.Hostname}:{_container.GetMappedPublicPort(HttpPort)}", "neo4j",
        new NetworkCredential("", Password).SecurePassword);

    public async Task InitializeAsync()
    {
        if (DockerAvailability.WhyNot is not null)
        {
            return;
        }

        _container = new ContainerBuilder("neo4j:5")
            .WithPortBinding(HttpPort, true)
            .WithEnvironment("NEO4J_AUTH", "neo4j/" + Password)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(HttpPort).ForPath("/")))
            .Build();
        await _container.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

/// <summary>
/// Migration, validation, savepoints and run undo against a real Neo4j 5 (5.x DDL, the neo4j database), the version
/// line the sandbox's Neo4j 3.1 cannot stand for. Skipped, with the reason, where no Docker engine is configured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class Neo4jContainerTests(Neo4jContainerFixture neo4j, PostgresFixture postgres) : IClassFixture<Neo4jContainerFixture>, IAsyncLifetime
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-neo4j5-{Guid.NewGuid():N}", ".cognee_system");
    private EngineScenario _claude = null!;

    public async Task InitializeAsync()
    {
        if (DockerAvailability.WhyNot is not null)
        {
            return;
        }

        using var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default);
        await new Neo4jGraphStore(client).DeleteAllAsync(default);
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1 });
        _claude = await EngineScenario.CreateAsync(postgres.Server, new ClaudeContextSampleOptions { Chunks = 10, Seed = 2 });
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Path.GetDirectoryName(_systemRoot)))
        {
            Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
        }

        return Task.CompletedTask;
    }

    private MigrationTarget Target => new("unified", PostgresEndpoint.Parse(_claude.TargetConnection), [neo4j.Endpoint]);

    private async Task<MigrationResult> RunCogneeAsync()
    {
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], Target, 100, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
    }

    private async Task<GraphCounts> CountAsync()
    {
        using var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default);
        return await new Neo4jGraphStore(client).CountAsync("cognee", default);
    }

    [DockerFact]
    public async Task A_migration_into_neo4j_5_validates()
    {
        var result = await RunCogneeAsync();

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.True((await CountAsync()).Nodes > 0);
    }

    [DockerFact]
    public async Task A_savepoint_restores_the_neo4j_5_graph_after_it_was_emptied()
    {
        await RunCogneeAsync();
        await MigrationSavepoints.CreateAsync(Target, "neo4j5", false, default);
        var saved = await CountAsync();
        using (var client = await Neo4jHttpClient.ConnectAsync(neo4j.Endpoint, default))
        {
            await new Neo4jGraphStore(client).DeleteAllAsync(default);
        }

        var restore = await MigrationSavepoints.RestoreAsync(Target, "neo4j5", default);

        Assert.Equal(StoreRestoreState.Restored, restore.Stores.Single(s => s.Store == "Neo4j").State);
        Assert.Equal(saved, await CountAsync());
    }

    [DockerFact]
    public async Task Undoing_the_run_removes_its_graph_from_neo4j_5()
    {
        var run = await RunCogneeAsync();

        await RunUndo.UndoAsync(Target, run.RunId, default);

        Assert.Equal(new GraphCounts(0, 0), await CountAsync());
    }
}
