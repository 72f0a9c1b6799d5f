using System.Diagnostics;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// A migration killed (SIGKILL, no chance to clean up) at many points, each time resumed by the next process,
/// ends valid and identical to an uninterrupted run.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FaultInjectionTests(PostgresFixture fixture) : IDisposable
{
    private const string MigrateScript = """
        param([string] $SourceConnection, [string] $TargetConnection)
        $ErrorActionPreference = 'Stop'
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection
        New-MigrationPlan -Source $source -Target $target -BatchSize 25 | Invoke-Migration -Resume -Confirm:$false | Out-Null
        """;

    private readonly string _script = Path.Combine(Path.GetTempPath(), $"psum-fault-{Guid.NewGuid():N}.ps1");
    private readonly PowerShellSession _session = new();

    public void Dispose()
    {
        File.Delete(_script);
        _session.Dispose();
    }

    [Fact]
    public async Task A_run_killed_at_many_points_and_resumed_each_time_ends_valid_and_identical_to_an_uninterrupted_run()
    {
        var options = new ClaudeContextSampleOptions { Chunks = 600, Layout = ChunkLayout.Live, Dimensions = 64, Seed = 21 };
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, options);
        var reference = await fixture.Server.CreateDatabaseAsync("ref");
        File.WriteAllText(_script, MigrateScript);
        RunToEnd(scenario.Source, reference);
        await SlowDownChunkWritesAsync(scenario);

        // Kill points: once the run row exists, and at several depths of the chunks step (each batch is slowed down
        // by a statement trigger so that the kills land inside the run, not after it).
        var killedAt = new List<long> { await KillWhenAsync(scenario, -1) };
        for (var kill = 0; kill < 4; kill++)
        {
            // Each later kill waits for at least two more committed batches, so that every kill lands at another point.
            killedAt.Add(await KillWhenAsync(scenario, killedAt[^1] + 60));
        }

        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        var final = _session.Run("""
            $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
            $target = New-MigrationTarget -ConnectionString $TargetConnection
            $result = New-MigrationPlan -Source $source -Target $target -BatchSize 25 | Invoke-Migration -Resume -Confirm:$false
            $result
            $result | Test-Migration -Mode Full
            """);

        Assert.Empty(final.AllErrors);
        Assert.Equal(killedAt.Count, killedAt.Distinct().Count());
        var result = final.Output[0];
        Assert.Equal("Succeeded", result.Properties["Status"].Value.ToString());
        Assert.Equal("Running", result.Properties["ResumedFrom"].Value?.ToString());
        Assert.True((bool)final.Output[^1].Properties["IsValid"].Value);
        Assert.Equal(1L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified_migration.runs"));
        Assert.Equal(await TestDatabase.UnifiedContentAsync(reference), await TestDatabase.UnifiedContentAsync(scenario.Target));
    }

    private void RunToEnd(string source, string target)
    {
        using var process = RunbookProcess.Start(_script, ("SourceConnection", source), ("TargetConnection", target));
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the reference run did not finish");
        Assert.True(process.ExitCode == 0, error.Result);
    }

    /// <summary>
    /// Starts a resuming run and kills it with SIGKILL once the target holds more than <paramref name="chunks"/> chunks
    /// (-1: as soon as the run's row exists); returns how many chunks the target held when it died.
    /// </summary>
    private async Task<long> KillWhenAsync(MigrationScenario scenario, long chunks)
    {
        using var process = RunbookProcess.Start(_script, ("SourceConnection", scenario.Source), ("TargetConnection", scenario.Target));
        var clock = Stopwatch.StartNew();
        while (!await ReachedAsync(scenario, chunks))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the run ended before the kill point {chunks}: {await process.StandardError.ReadToEndAsync()}");
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"kill point {chunks} was never reached");
            await Task.Delay(10);
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.True(await scenario.ScalarOnTargetAsync<string>("SELECT status FROM unified_migration.runs") == "Running", $"the run finished before the kill at {chunks} ({await ChunkCountAsync(scenario)} chunks, slowed: {await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgname = 'psum_slow'")})");
        return await ChunkCountAsync(scenario);
    }

    private static async Task<bool> ReachedAsync(MigrationScenario scenario, long chunks)
    {
        if (await scenario.ScalarOnTargetAsync<bool>("SELECT to_regclass('unified_migration.runs') IS NULL OR to_regclass('unified.chunks') IS NULL"))
        {
            return false;
        }

        return await scenario.ScalarOnTargetAsync<bool>("SELECT EXISTS (SELECT 1 FROM unified_migration.runs)")
               && await ChunkCountAsync(scenario) > chunks;
    }

    /// <summary>
    /// Makes every chunk batch the target receives take 150 ms longer, so that kills land inside the chunks step. The run
    /// creates unified.chunks itself, so an event trigger attaches the delay as soon as the table exists.
    /// </summary>
    private static Task SlowDownChunkWritesAsync(MigrationScenario scenario) => scenario.ExecuteOnTargetAsync("""
        CREATE FUNCTION public.psum_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.15); RETURN NULL; END $$;
        CREATE FUNCTION public.psum_attach_slow() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF to_regclass('unified.chunks') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'psum_slow') THEN
            CREATE TRIGGER psum_slow AFTER INSERT ON unified.chunks FOR EACH STATEMENT EXECUTE FUNCTION public.psum_slow();
          END IF;
        END $$;
        CREATE EVENT TRIGGER psum_attach_slow ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.psum_attach_slow();
        """);

    private static Task<long> ChunkCountAsync(MigrationScenario scenario) => scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks");
}
