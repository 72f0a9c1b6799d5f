using System.Diagnostics;
using System.Management.Automation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

[Collection(PostgresCollection.Name)]
public sealed class StopProcessingTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task Stopping_the_pipeline_ends_the_run_promptly_keeping_only_whole_batches()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 3000, Layout = ChunkLayout.Live, Seed = 2 });
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        var clock = new Stopwatch();

        var run = _session.RunAndStopWhen("""
            $plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection) -Target (New-MigrationTarget $TargetConnection) -BatchSize 50
            $plan | Invoke-Migration -Confirm:$false
            """, p =>
        {
            var stop = p.ParentActivityId == 1 && p.Activity.Contains("chunks") && long.Parse(p.StatusDescription.Split(' ')[0], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= 100;
            if (stop)
            {
                clock.Start();
            }

            return stop;
        });

        Assert.Equal(PSInvocationState.Stopped, run.State);
        Assert.Empty(run.Output);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var chunks = await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks");
        Assert.InRange(chunks, 100, 2999);
        Assert.Equal(0, chunks % 50);
        Assert.Equal("Cancelled", await scenario.ScalarOnTargetAsync<string>("SELECT status FROM unified_migration.runs"));
    }
}
