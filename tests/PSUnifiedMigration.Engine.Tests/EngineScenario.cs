using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>Source and target databases on the fixture's server, with engine objects for them.</summary>
internal sealed record EngineScenario(string SourceConnection, string TargetConnection)
{
    public static async Task<EngineScenario> CreateAsync(LocalPostgresServer server, ClaudeContextSampleOptions options)
    {
        var scenario = new EngineScenario(await server.CreateDatabaseAsync("src"), await server.CreateDatabaseAsync("dst"));
        await ClaudeContextSample.CreateAsync(scenario.SourceConnection, options);
        return scenario;
    }

    public MigrationSource Source(string name = "cc") =>
        new(SourceSystem.ClaudeContext, name, PostgresEndpoint.Parse(SourceConnection), "claude_context");

    public MigrationTarget Target => new("unified", PostgresEndpoint.Parse(TargetConnection));

    public Task ExecuteOnSourceAsync(string sql) => TestDatabase.ExecuteAsync(SourceConnection, sql);

    public Task ExecuteOnTargetAsync(string sql) => TestDatabase.ExecuteAsync(TargetConnection, sql);

    public Task<T> ScalarOnTargetAsync<T>(string sql) => TestDatabase.ScalarAsync<T>(TargetConnection, sql);
}
