using System.Xml.Linq;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>Test-Migration and Export-MigrationValidationReport in the hosted PowerShell engine, against real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TestMigrationTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("psum-report-").FullName;

    private const string Migrate = """
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection
        $result = New-MigrationPlan -Source $source -Target $target -BatchSize 50 | Invoke-Migration -Confirm:$false

        """;

    public void Dispose()
    {
        _session.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<MigrationScenario> MigratedAsync()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 40, Dimensions = 16, Seed = 9 });
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        _session.Set("Folder", _folder);
        var run = _session.Run(Migrate);
        Assert.Empty(run.AllErrors);
        return scenario;
    }

    [Fact]
    public async Task Quiet_outputs_exactly_one_true_for_a_clean_migration()
    {
        await MigratedAsync();

        var run = _session.Run("$result | Test-Migration -Quiet");

        Assert.Empty(run.AllErrors);
        Assert.True(Assert.IsType<bool>(run.Single().BaseObject));
    }

    [Fact]
    public async Task Quiet_outputs_exactly_one_false_and_no_warnings_after_a_seeded_change()
    {
        var scenario = await MigratedAsync();
        await scenario.ExecuteOnTargetAsync("UPDATE unified.chunks SET content = 'changed' WHERE legacy_id = (SELECT min(legacy_id) FROM unified.chunks)");

        var run = _session.Run("$result | Test-Migration -Quiet");

        Assert.False(Assert.IsType<bool>(run.Single().BaseObject));
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public async Task A_migration_done_earlier_validates_from_its_source_and_target_without_a_result()
    {
        var scenario = await MigratedAsync();
        await scenario.ExecuteOnTargetAsync("DELETE FROM unified.chunks WHERE legacy_id = (SELECT min(legacy_id) FROM unified.chunks)");
        var deleted = await TestDatabase.ScalarAsync<string>(scenario.Source, "SELECT min(id::text) FROM claude_context.chunks");

        var run = _session.Run("Test-Migration -Source $source -Target $target");

        var report = run.Single();
        Assert.False((bool)report.Properties["IsValid"].Value);
        Assert.Null(report.Properties["RunId"].Value);
        var difference = Assert.Single((System.Collections.IEnumerable)report.Properties["Differences"].Value).ToString();
        Assert.Equal($"Missing: chunks {deleted}", difference);
        Assert.Contains(run.Warnings, w => w.Message.StartsWith("Content cc:chunks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Quick_mode_with_a_sample_size_reports_the_mode_and_full_is_the_default()
    {
        await MigratedAsync();

        var run = _session.Run("($result | Test-Migration -Mode Quick -SampleSize 3).Mode; ($result | Test-Migration).Mode");

        Assert.Equal(["Quick", "Full"], run.Output.Select(o => o.ToString()));
        Assert.Contains(run.Warnings, w => w.Message.Contains("sample of up to 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_report_exports_as_junit_xml_with_its_failures()
    {
        var scenario = await MigratedAsync();
        await scenario.ExecuteOnTargetAsync("UPDATE unified.projects SET name = 'renamed' WHERE legacy_id = (SELECT min(legacy_id) FROM unified.projects)");

        var run = _session.Run("""
            $path = [System.IO.Path]::Combine($Folder, 'validation.xml')
            $result | Test-Migration -WarningAction SilentlyContinue | Export-MigrationValidationReport -Path $path -Format JUnit
            """);

        Assert.Empty(run.AllErrors);
        var file = Assert.IsType<FileInfo>(run.Single().BaseObject);
        var failure = Assert.Single(XDocument.Load(file.FullName).Descendants("failure"));
        Assert.Equal("Content cc:projects", (string)failure.Parent!.Attribute("name")!);
    }

    [Fact]
    public async Task The_report_exports_as_json()
    {
        await MigratedAsync();

        var run = _session.Run("$result | Test-Migration | Export-MigrationValidationReport -Path ([System.IO.Path]::Combine($Folder, 'validation.json'))");

        Assert.Empty(run.AllErrors);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "validation.json")));
        Assert.True(json.RootElement.GetProperty("IsValid").GetBoolean());
        Assert.True(json.RootElement.GetProperty("Checks").GetArrayLength() > 0);
    }

    [Fact]
    public async Task An_existing_report_file_is_kept_without_force()
    {
        await MigratedAsync();
        File.WriteAllText(Path.Combine(_folder, "kept.json"), "earlier");

        var run = _session.Run("$result | Test-Migration | Export-MigrationValidationReport -Path ([System.IO.Path]::Combine($Folder, 'kept.json'))");

        Assert.Equal("ReportFileExists,PSUnifiedMigration.ExportMigrationValidationReportCommand", Assert.Single(run.AllErrors).FullyQualifiedErrorId);
        Assert.Equal("earlier", File.ReadAllText(Path.Combine(_folder, "kept.json")));
    }

    [Fact]
    public async Task What_if_writes_no_report_file()
    {
        await MigratedAsync();

        var run = _session.Run("$result | Test-Migration | Export-MigrationValidationReport -Path ([System.IO.Path]::Combine($Folder, 'none.json')) -WhatIf");

        Assert.Empty(run.AllErrors);
        Assert.False(File.Exists(Path.Combine(_folder, "none.json")));
    }
}
