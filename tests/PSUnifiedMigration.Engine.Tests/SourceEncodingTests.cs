using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Issue 14, point 7: a source database that is not UTF-8. LATIN1 is converted by the server into the client encoding;
/// SQL_ASCII stores bytes unchecked, so a value that is not UTF-8 is a reject showing the bytes, never a failed run.
/// </summary>
[Collection(PostgresCollection.Name)]
public class SourceEncodingTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Live = new() { Chunks = 12, Layout = ChunkLayout.Live, Dimensions = 8, Seed = 16 };

    private async Task<(string Source, string Target)> CreateAsync(string encoding)
    {
        var name = $"src_{encoding.ToLowerInvariant()}_{Guid.NewGuid():N}"[..30];
        await TestDatabase.ExecuteAsync(fixture.Server.AdminConnectionString,
            $"CREATE DATABASE \"{name}\" ENCODING '{encoding}' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
        var source = new NpgsqlConnectionStringBuilder(fixture.Server.AdminConnectionString) { Database = name }.ConnectionString;
        await ClaudeContextSample.CreateAsync(source, Live);
        return (source, await fixture.Server.CreateDatabaseAsync("dst"));
    }

    private static Task<MigrationPlan> PlanAsync(string source, string target) => MigrationPlanner.PlanAsync(
        [new MigrationSource(ClaudeContextReader.Kind, "cc", new ClaudeContextLocation(PostgresEndpoint.Parse(source), "claude_context"))],
        new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 5, default);

    [Fact]
    public async Task A_latin1_source_arrives_as_the_text_it_holds()
    {
        var (source, target) = await CreateAsync("LATIN1");
        var id = await TestDatabase.ScalarAsync<string>(source, "SELECT min(id) FROM claude_context.chunks");
        await TestDatabase.ExecuteAsync(source, $"UPDATE claude_context.chunks SET content = 'café naïve' WHERE id = '{id}'");

        var result = await MigrationExecutor.RunAsync(await PlanAsync(source, target), new MigrationRunOptions(false), _ => { }, default);

        Assert.Empty(result.Errors);
        Assert.Equal("café naïve", await TestDatabase.ScalarAsync<string>(target, $"SELECT content FROM unified.chunks WHERE legacy_id = '{id}'"));
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default)).IsValid);
    }

    [Fact]
    public async Task A_sql_ascii_value_that_is_not_utf8_is_a_reject_showing_its_bytes()
    {
        var (source, target) = await CreateAsync("SQL_ASCII");
        var id = await TestDatabase.ScalarAsync<string>(source, "SELECT min(id) FROM claude_context.chunks");
        // Latin-1 'café' as raw bytes: SQL_ASCII stores them unchecked.
        await TestDatabase.ExecuteAsync(source, $"UPDATE claude_context.chunks SET content = E'caf\\351' WHERE id = '{id}'");
        var plan = await PlanAsync(source, target);

        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default));
        Assert.Equal("TextEncodingInvalid", failure.ErrorId);

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(true), _ => { }, default);

        var error = Assert.Single(result.Errors);
        Assert.Equal((id, "content", "TextEncodingInvalid"), (error.RecordKey, error.Field, error.ErrorId));
        Assert.Contains("E9", error.Reason);
        Assert.Equal(11L, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks"));
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default)).IsValid);
    }
}
