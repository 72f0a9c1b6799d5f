using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// README's quick start (examples/quick-start.ps1) as psum-runbook runs it, without -Module (the built module is
/// imported by itself) and without a prompt: valid gives exit code 0, a source that cannot be planned gives 1.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class QuickStartRunbookTests(PostgresFixture fixture)
{
    private static readonly string Runbook = Path.Combine(RepositoryLayout.Root, "examples", "quick-start.ps1");

    private static (int ExitCode, string Output, string Error) Run(params (string Name, string Value)[] parameters) =>
        RunbookProcess.Run([], Runbook, TimeSpan.FromMinutes(3), parameters);

    [Fact]
    public async Task The_quick_start_migrates_validates_and_exits_0()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 120, Dimensions = 16, Seed = 5 });

        var (exitCode, output, error) = Run(("SourceConnectionString", scenario.Source), ("TargetConnectionString", scenario.Target), ("BatchSize", "50"));

        Assert.True(exitCode == 0, error);
        Assert.Contains("VALID: ", output);
        Assert.Equal(120L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
    }

    [Fact]
    public async Task A_source_without_an_installation_is_a_blocker_and_exits_non_zero()
    {
        var empty = await fixture.Server.CreateDatabaseAsync("quickstart_empty");

        var (exitCode, output, error) = Run(("SourceConnectionString", empty), ("TargetConnectionString", empty));

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("VALID: ", output);
        Assert.Contains("FullyQualifiedErrorId", error);
    }
}
