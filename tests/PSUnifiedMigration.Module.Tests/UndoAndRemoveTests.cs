using System.Management.Automation;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>Undo-Migration, Remove-MigrationSavepoint and savepoint name completion in a hosted PowerShell.</summary>
[Collection(PostgresCollection.Name)]
public sealed class UndoAndRemoveTests(PostgresFixture fixture) : IDisposable
{
    private const string Setup = """
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection

        """;

    private const string Migrate = "$run = New-MigrationPlan -Source $source -Target $target | Invoke-Migration -Confirm:$false\n";

    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    private async Task<MigrationScenario> ScenarioAsync()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new Sandbox.ClaudeContextSampleOptions { Chunks = 30, Seed = 3 });
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        return scenario;
    }

    [Fact]
    public async Task Undo_Migration_takes_the_run_from_the_pipeline_and_leaves_the_store_as_before_it()
    {
        var scenario = await ScenarioAsync();

        var run = _session.Run(Setup + Migrate + "$run | Undo-Migration -Confirm:$false -Verbose");

        Assert.Empty(run.AllErrors);
        Assert.Equal("PSUnifiedMigration.Engine.Model.MigrationUndoResult", run.Single().BaseObject.GetType().FullName);
        Assert.Contains(run.Verbose, v => v.Message.StartsWith("PostgreSQL", StringComparison.Ordinal));
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT (SELECT count(*) FROM unified.projects) + (SELECT count(*) FROM unified.documents) + (SELECT count(*) FROM unified.chunks) + (SELECT count(*) FROM unified.id_map)"));
    }

    [Fact]
    public async Task Undo_Migration_WhatIf_changes_nothing()
    {
        var scenario = await ScenarioAsync();
        _session.Run(Setup + Migrate);
        var before = await scenario.TargetStateAsync();

        var run = _session.Run(Setup + "Undo-Migration -Target $target -RunId $run.RunId -WhatIf");

        Assert.Empty(run.Output);
        Assert.Equal(before, await scenario.TargetStateAsync());
    }

    [Fact]
    public async Task Undo_Migration_of_an_unknown_run_is_an_object_not_found_error()
    {
        await ScenarioAsync();

        var run = _session.Run(Setup + Migrate + "Undo-Migration -Target $target -RunId ([guid]::NewGuid()) -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("RunNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public async Task Remove_MigrationSavepoint_takes_savepoints_from_the_pipeline_and_removes_them()
    {
        var scenario = await ScenarioAsync();

        var run = _session.Run(Setup + Migrate + "New-MigrationSavepoint -Target $target -Name 'a' | Out-Null\nNew-MigrationSavepoint -Target $target -Name 'b' | Out-Null\n" +
                               "Get-MigrationSavepoint -Target $target | Remove-MigrationSavepoint -Confirm:$false\nGet-MigrationSavepoint -Target $target");

        Assert.Empty(run.AllErrors);
        Assert.Empty(run.Output);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'unified_savepoint_%'"));
    }

    [Fact]
    public async Task Remove_MigrationSavepoint_WhatIf_removes_nothing()
    {
        await ScenarioAsync();

        var run = _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'kept' | Out-Null\nRemove-MigrationSavepoint -Target $target -Name 'kept' -WhatIf\n" +
                               "Get-MigrationSavepoint -Target $target");

        Assert.Equal("kept", run.Single().Properties["Name"].Value);
    }

    [Fact]
    public async Task Tab_completion_of_Name_lists_the_savepoints_of_the_bound_target()
    {
        await ScenarioAsync();
        _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'before-upgrade' | Out-Null\nNew-MigrationSavepoint -Target $target -Name 'after-upgrade' | Out-Null");

        foreach (var command in new[] { "Get-MigrationSavepoint", "Restore-MigrationSavepoint", "Remove-MigrationSavepoint" })
        {
            var input = $"{command} -Target $target -Name ";
            var run = _session.Run(Setup + $"[System.Management.Automation.CommandCompletion]::CompleteInput('{input}', {input.Length}, $null).CompletionMatches.ListItemText");

            Assert.Equal(["after-upgrade", "before-upgrade"], run.Output.Select(o => (string)o.BaseObject).Order());
        }
    }
}
