using System.Management.Automation;
using System.Text.Json;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>Export-MigrationPlan / Import-MigrationPlan against a real sample Claude-Context database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PlanFileTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("psum-plan-").FullName;

    public void Dispose()
    {
        _session.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<MigrationScenario> ExportAsync(string path)
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new() { Chunks = 40, Seed = 3 });
        // The sample server trusts local connections, so the password is ignored by it but must still never reach the file.
        _session.Set("SourceConnection", scenario.Source + ";Password=plan-s3cret");
        _session.Set("TargetConnection", scenario.Target + ";Password=target-s3cret");
        _session.Set("PlanPath", path);
        var run = _session.Run("""
            $plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'cc') -Target (New-MigrationTarget $TargetConnection) -BatchSize 123 -RollbackOnFailure
            $plan
            $plan | Export-MigrationPlan -Path $PlanPath
            """);
        Assert.Empty(run.AllErrors);
        Assert.True(run.Output[1].BaseObject is FileInfo { Exists: true });
        return scenario;
    }

    private PipelineRun Import() => _session.Run("""
        $plan = Import-MigrationPlan -Path $PlanPath -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'cc') -Target (New-MigrationTarget $TargetConnection)
        $plan
        """);

    [Fact]
    public async Task An_unchanged_source_imports_without_blockers_with_the_same_steps_and_options()
    {
        var path = Path.Combine(_folder, "plan.json");
        await ExportAsync(path);
        var exported = PSObject.AsPSObject(_session.Get("plan")!);

        var run = Import();

        Assert.Empty(run.AllErrors);
        var imported = run.Single();
        object? Of(PSObject plan, string name) => plan.Properties[name].Value;
        string[] Steps(PSObject plan) => ((System.Collections.IEnumerable)Of(plan, "Steps")!).Cast<object>().Select(s => s.ToString()!).ToArray();
        Assert.True((bool)Of(imported, "CanInvoke")!);
        Assert.Equal(123, (int)Of(imported, "BatchSize")!);
        Assert.True((bool)Of(imported, "RollbackOnFailure")!);
        Assert.Equal(Of(exported, "Fingerprint"), Of(imported, "Fingerprint"));
        Assert.NotEmpty(Steps(exported));
        Assert.Equal(Steps(exported), Steps(imported));
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(Of(exported, "PlanId")!.ToString(), json.RootElement.GetProperty("planId").GetString());
        Assert.Equal(Steps(exported).Length, json.RootElement.GetProperty("steps").GetArrayLength());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("sources")[0].GetProperty("catalogFingerprint").GetString()));
    }

    [Fact]
    public async Task The_file_never_holds_a_password()
    {
        var path = Path.Combine(_folder, "plan.json");
        await ExportAsync(path);

        var text = File.ReadAllText(path);
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("Password=********", text);
    }

    [Fact]
    public async Task A_column_added_since_the_export_blocks_the_imported_plan_naming_the_source()
    {
        var path = Path.Combine(_folder, "plan.json");
        var scenario = await ExportAsync(path);
        await scenario.ExecuteOnSourceAsync("ALTER TABLE claude_context.chunks ADD COLUMN reviewed boolean");

        var run = _session.Run("""
            $plan = Import-MigrationPlan -Path $PlanPath -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'cc') -Target (New-MigrationTarget $TargetConnection)
            $plan
            $plan | Invoke-Migration -Confirm:$false
            """);

        Assert.Equal(2, run.AllErrors.Count());
        var changed = run.AllErrors.First();
        Assert.Equal("PlanSourceChanged", changed.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Source 'cc' changed since the plan was exported", changed.Exception.Message);
        Assert.Contains("tables or columns differ", changed.Exception.Message);
        Assert.False((bool)run.Output.Single().Properties["CanInvoke"].Value);
        Assert.Equal("PlanHasBlockers", run.AllErrors.Last().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM pg_namespace WHERE nspname = 'unified'"));
    }

    [Fact]
    public async Task A_source_not_given_again_is_PlanSourceMissing()
    {
        var path = Path.Combine(_folder, "plan.json");
        await ExportAsync(path);

        var run = _session.Run("Import-MigrationPlan -Path $PlanPath -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'other') -Target (New-MigrationTarget $TargetConnection)");

        var missing = Assert.Single(run.Errors);
        Assert.Equal("PlanSourceMissing", missing.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("no source named 'cc' was given", missing.Exception.Message);
        Assert.False((bool)run.Single().Properties["CanInvoke"].Value);
    }

    [Fact]
    public async Task WhatIf_writes_nothing_and_an_existing_file_needs_Force()
    {
        var path = Path.Combine(_folder, "plan.json");
        await ExportAsync(path);
        var first = File.ReadAllText(path);
        _session.Set("OtherPath", Path.Combine(_folder, "whatif.json"));

        var run = _session.Run("""
            $plan | Export-MigrationPlan -Path $OtherPath -WhatIf
            $plan | Export-MigrationPlan -Path $PlanPath
            """);

        Assert.False(File.Exists(Path.Combine(_folder, "whatif.json")));
        Assert.Equal("PlanFileExists", Assert.Single(run.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(first, File.ReadAllText(path));
    }

    [Fact]
    public void A_file_that_is_not_a_plan_is_PlanFileInvalid_and_a_missing_one_PlanFileNotFound()
    {
        var path = Path.Combine(_folder, "bad.json");
        File.WriteAllText(path, """{"formatVersion": 1, "batchSize": 10}""");
        _session.Set("BadPath", path);
        _session.Set("NoPath", Path.Combine(_folder, "none.json"));

        var bad = _session.Run("Import-MigrationPlan -Path $BadPath -Source (New-MigrationSource -ClaudeContext 'Host=db01;Database=cc') -Target (New-MigrationTarget 'Host=db02;Database=u')");
        var none = _session.Run("Import-MigrationPlan -Path $NoPath -Source (New-MigrationSource -ClaudeContext 'Host=db01;Database=cc') -Target (New-MigrationTarget 'Host=db02;Database=u')");

        var invalid = Assert.Single(bad.AllErrors);
        Assert.Equal("PlanFileInvalid", invalid.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("the field 'sources' is missing", invalid.Exception.Message);
        Assert.Equal("PlanFileNotFound", Assert.Single(none.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Empty(bad.Output);
    }
}
