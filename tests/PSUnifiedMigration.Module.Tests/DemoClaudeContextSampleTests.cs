using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// The demo's Claude-Context half as demo/Invoke-Demo.ps1 runs it: the sample it starts (claude-context-core's real
/// table shapes in PGlite) goes through New-MigrationSource -ClaudeContext -ConnectionString, the plan, Invoke-Migration
/// and Test-Migration, and every row of every collection arrives.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DemoClaudeContextSampleTests(PostgresFixture fixture) : IDisposable
{
    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task The_demo_sample_plans_every_collection_migrates_every_row_once_and_validates()
    {
        await using var sample = await ClaudeContextCoreSample.StartAsync(RepositoryLayout.PglitePackages, chunks: 30, dimension: 16);
        var target = await fixture.Server.CreateDatabaseAsync("demo");
        _session.Set("SourceConnection", sample.ConnectionString);
        _session.Set("TargetConnection", target);

        var run = _session.Run("""
            $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'demo-claude-context'
            $plan = New-MigrationPlan -Source $source -Target (New-MigrationTarget -ConnectionString $TargetConnection) -BatchSize 4
            $result = $plan | Invoke-Migration -Confirm:$false
            $again = $plan | Invoke-Migration -Confirm:$false
            $report = $result | Test-Migration
            $plan.Steps | Where-Object TargetTable -eq 'chunks' | ForEach-Object { "plan $($_.SourceTable)" }
            $result.Steps | Where-Object TargetTable -eq 'chunks' | ForEach-Object { "run $($_.SourceTable) $($_.Migrated) $($_.Rejected)" }
            "status $($result.Status) $($result.Read) $($result.Migrated + $result.Skipped + $result.Rejected)"
            "again $($again.Migrated)"
            "valid $($report.IsValid) $($report.Errors -join ' ')"
            """);

        Assert.Empty(run.AllErrors);
        var lines = run.Output.Select(o => o.ToString()).ToList();
        var tables = sample.Facts.ChunkTables;
        Assert.Equal(8, tables[0].RowCount);
        Assert.Equal(tables.Select(t => "plan " + t.Table).Append("plan chunks").Order(StringComparer.Ordinal),
            lines.Where(l => l.StartsWith("plan ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(tables.Select(t => $"run {t.Table} {t.RowCount} 0").Append("run chunks 0 0").Order(StringComparer.Ordinal),
            lines.Where(l => l.StartsWith("run ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("status Succeeded ", StringComparison.Ordinal) && l.Split(' ')[2] == l.Split(' ')[3]);
        Assert.Contains("again 0", lines);
        Assert.Contains("valid True ", lines);
        var legacyIds = (await TestDatabase.RowsAsync(target, "SELECT legacy_id FROM unified.chunks")).Select(r => (string)r[0]!);
        Assert.Equal(tables.SelectMany(t => t.Ids).Order(StringComparer.Ordinal), legacyIds.Order(StringComparer.Ordinal));
    }
}
