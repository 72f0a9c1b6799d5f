namespace PSUnifiedMigration.Module.Tests;

[Collection(PostgresCollection.Name)]
public sealed class SavepointTests(PostgresFixture fixture) : IDisposable
{
    private const string Setup = """
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection

        """;

    private const string Migrate = "New-MigrationPlan -Source $source -Target $target | Invoke-Migration -Confirm:$false | Out-Null\n";

    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    private async Task<MigrationScenario> ScenarioAsync()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server);
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        return scenario;
    }

    [Fact]
    public async Task Restore_gives_back_exactly_the_state_saved()
    {
        var scenario = await ScenarioAsync();
        _session.Run(Setup + Migrate + "New-MigrationSavepoint -Target $target -Name 'after-first-run' | Out-Null");
        var saved = await scenario.TargetStateAsync();
        await scenario.ExecuteOnTargetAsync("""
            DELETE FROM unified.chunks WHERE ctid IN (SELECT ctid FROM unified.chunks LIMIT 40);
            UPDATE unified.projects SET name = 'changed after the savepoint';
            """);
        Assert.NotEqual(saved, await scenario.TargetStateAsync());

        var run = _session.Run(Setup + "Get-MigrationSavepoint -Target $target -Name 'after-*' | Restore-MigrationSavepoint -Confirm:$false");

        Assert.Empty(run.AllErrors);
        Assert.True((bool)run.Single().Properties["Verified"].Value);
        Assert.Equal(saved, await scenario.TargetStateAsync());
    }

    [Fact]
    public async Task A_savepoint_taken_before_the_first_run_restores_to_an_empty_store()
    {
        var scenario = await ScenarioAsync();
        var run = _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'before' | Out-Null\n" + Migrate +
                               "Restore-MigrationSavepoint -Target $target -Name 'before' -Confirm:$false");

        Assert.Empty(run.AllErrors);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>(
            "SELECT (SELECT count(*) FROM unified.projects) + (SELECT count(*) FROM unified.chunks) + (SELECT count(*) FROM unified.id_map)"));
    }

    [Fact]
    public async Task Restore_WhatIf_changes_nothing()
    {
        var scenario = await ScenarioAsync();
        _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'empty' | Out-Null\n" + Migrate);
        var before = await scenario.TargetStateAsync();

        var run = _session.Run(Setup + "Restore-MigrationSavepoint -Target $target -Name 'empty' -WhatIf");

        Assert.Empty(run.Output);
        Assert.Equal(before, await scenario.TargetStateAsync());
    }

    [Fact]
    public async Task Restoring_an_unknown_savepoint_is_an_object_not_found_error()
    {
        await ScenarioAsync();

        var run = _session.Run(Setup + "Restore-MigrationSavepoint -Target $target -Name 'no-such-savepoint' -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("SavepointNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public async Task A_second_savepoint_of_the_same_name_needs_Force()
    {
        await ScenarioAsync();

        var run = _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'sp' | Out-Null\nNew-MigrationSavepoint -Target $target -Name 'sp'");
        var forced = _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'sp' -Force");

        Assert.Equal("SavepointExists", Assert.Single(run.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("sp", forced.Single().Properties["Name"].Value);
    }

    [Fact]
    public async Task Savepoint_names_that_differ_only_by_case_stay_apart_and_a_piped_restore_ends_on_the_one_named()
    {
        var scenario = await ScenarioAsync();
        _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'before' | Out-Null\n" + Migrate + "New-MigrationSavepoint -Target $target -Name 'Before' | Out-Null");

        var listed = _session.Run(Setup + "Get-MigrationSavepoint -Target $target -Name 'before'");
        var wildcard = _session.Run(Setup + "Get-MigrationSavepoint -Target $target -Name 'b*'");
        var restored = _session.Run(Setup + "Get-MigrationSavepoint -Target $target -Name 'before' | Restore-MigrationSavepoint -Confirm:$false");

        Assert.Equal("before", listed.Single().Properties["Name"].Value);
        Assert.Equal("before", wildcard.Single().Properties["Name"].Value);
        Assert.Empty(restored.AllErrors);
        Assert.Equal("before", restored.Single().Properties["SavepointName"].Value);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
    }

    [Fact]
    public async Task Remove_resolves_the_exact_name_before_asking_and_refuses_one_that_exists_only_in_another_case()
    {
        await ScenarioAsync();
        _session.Run(Setup + "New-MigrationSavepoint -Target $target -Name 'before' | Out-Null");

        var run = _session.Run(Setup + "Remove-MigrationSavepoint -Target $target -Name 'BEFORE' -WhatIf");
        var kept = _session.Run(Setup + "Get-MigrationSavepoint -Target $target");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal("SavepointNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("there is 'before'", error.Exception.Message);
        Assert.Empty(run.Output);
        Assert.Equal("before", kept.Single().Properties["Name"].Value);
    }
}
