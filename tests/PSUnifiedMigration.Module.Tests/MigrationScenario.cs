using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>A source database holding a sample Claude-Context installation, and an empty target database.</summary>
public sealed record MigrationScenario(string Source, string Target, ClaudeContextSampleSummary Sample)
{
    public static async Task<MigrationScenario> CreateAsync(LocalPostgresServer server, ClaudeContextSampleOptions? options = null)
    {
        var source = await server.CreateDatabaseAsync("src");
        var target = await server.CreateDatabaseAsync("dst");
        var sample = await ClaudeContextSample.CreateAsync(source, options ?? new ClaudeContextSampleOptions { Chunks = 250, Seed = 7 });
        return new MigrationScenario(source, target, sample);
    }

    public int TotalRecords => Sample.Projects + Sample.Datasets + Sample.Documents + Sample.WebPages + Sample.Chunks;

    public Task ExecuteOnSourceAsync(string sql) => TestDatabase.ExecuteAsync(Source, sql);

    public Task ExecuteOnTargetAsync(string sql) => TestDatabase.ExecuteAsync(Target, sql);

    public Task<T> ScalarOnTargetAsync<T>(string sql) => TestDatabase.ScalarAsync<T>(Target, sql);

    public Task<string> TargetStateAsync() => TestDatabase.UnifiedStateAsync(Target);
}
