using System.Management.Automation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

[Collection(PostgresCollection.Name)]
public sealed class InvokeMigrationTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();

    private const string Plan = """
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection
        $plan = New-MigrationPlan -Source $source -Target $target -BatchSize 64

        """;

    private const string Migrate = Plan + "$plan | Invoke-Migration -Confirm:$false";

    public void Dispose() => _session.Dispose();

    private async Task<MigrationScenario> ScenarioAsync(ClaudeContextSampleOptions? options = null)
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, options);
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        return scenario;
    }

    [Theory]
    [InlineData(ChunkLayout.Schema)]
    [InlineData(ChunkLayout.Live)]
    public async Task Migrates_every_record_of_either_chunk_layout_and_validates(ChunkLayout layout)
    {
        var scenario = await ScenarioAsync(new ClaudeContextSampleOptions { Chunks = 250, Layout = layout, Seed = 3 });

        var run = _session.Run(Plan + "$result = $plan | Invoke-Migration -Confirm:$false\n$result\n$result | Test-Migration");

        Assert.Empty(run.AllErrors);
        Assert.Empty(run.Errors);
        var report = run.Output[^1];
        Assert.True((bool)report.Properties["IsValid"].Value, string.Join("\n", (IEnumerable<string>)report.Properties["Errors"].Value));
        Assert.Equal(0, _session.Run("($result | Test-Migration).FailedChecks.Count").Single().BaseObject);
        var first = run.Output[0];
        Assert.Equal("Succeeded", first.Properties["Status"].Value.ToString());
        Assert.Equal((long)scenario.TotalRecords, first.Properties["Migrated"].Value);
        Assert.Equal((long)scenario.Sample.Chunks, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks WHERE cardinality(dense_vector) = 768"));
    }

    [Fact]
    public async Task A_second_run_adds_nothing_and_skips_every_record()
    {
        var scenario = await ScenarioAsync();
        _session.Run(Migrate);
        var before = await scenario.TargetStateAsync();

        var second = _session.Run(Migrate).Single();

        Assert.Equal(0L, second.Properties["Migrated"].Value);
        Assert.Equal((long)scenario.TotalRecords, second.Properties["Skipped"].Value);
        Assert.Equal(before.Replace(" ", ""), (await scenario.TargetStateAsync()).Replace(" ", ""));
    }

    [Fact]
    public async Task WhatIf_changes_nothing_in_the_target()
    {
        var scenario = await ScenarioAsync();

        var run = _session.Run(Migrate.Replace("Invoke-Migration -Confirm:$false", "Invoke-Migration -WhatIf"));

        Assert.Empty(run.Output);
        Assert.Empty(run.AllErrors);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'unified%'"));
    }

    [Fact]
    public async Task Progress_shows_a_parent_record_and_step_children_and_ends_with_completed()
    {
        await ScenarioAsync();

        var run = _session.Run(Migrate);

        var parent = run.Progress.Where(p => p.ActivityId == 1).ToArray();
        Assert.NotEmpty(parent);
        Assert.Equal(ProgressRecordType.Completed, parent[^1].RecordType);
        Assert.Contains(parent, p => p.StatusDescription.Contains("rec/s") && p.StatusDescription.Contains("errors"));
        // The time left is SecondsRemaining, printed once by PowerShell; a second copy in the status was cut into "ETA 00:00:1011s".
        Assert.DoesNotContain(parent, p => p.StatusDescription.Contains("ETA"));
        Assert.Equal(-1, parent[0].SecondsRemaining);
        var children = run.Progress.Where(p => p.ParentActivityId == 1).ToArray();
        Assert.Equal(5, children.Select(c => c.ActivityId).Distinct().Count());
        Assert.All(children.GroupBy(c => c.ActivityId), g => Assert.Equal(ProgressRecordType.Completed, g.Last().RecordType));
    }
}
