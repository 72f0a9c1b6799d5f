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

    [Fact]
    public async Task A_run_stopped_with_ctrl_c_is_continued_by_invoke_migration_resume_under_the_same_run_id()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 600, Layout = ChunkLayout.Live, Dimensions = 64, Seed = 4 });
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        const string Plan = "$plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection) -Target (New-MigrationTarget $TargetConnection) -BatchSize 50\n";
        _session.RunAndStopWhen(Plan + "$plan | Invoke-Migration -Confirm:$false", p => p.ParentActivityId == 1 && p.Activity.Contains("chunks"));
        var stopped = await scenario.ScalarOnTargetAsync<Guid>("SELECT run_id FROM unified_migration.runs WHERE status = 'Cancelled'");

        var resumed = _session.Run(Plan + "$plan | Invoke-Migration -Resume -Confirm:$false -Verbose");

        Assert.Empty(resumed.AllErrors);
        var result = resumed.Single();
        Assert.Equal(stopped, result.Properties["RunId"].Value);
        Assert.Equal("Cancelled", result.Properties["ResumedFrom"].Value.ToString());
        Assert.Equal((long)scenario.TotalRecords, result.Properties["Read"].Value);
        Assert.Contains(resumed.Verbose, v => v.Message.Contains($"Resumed run {stopped}", StringComparison.Ordinal));
        Assert.Equal((long)scenario.Sample.Chunks, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
    }
}
