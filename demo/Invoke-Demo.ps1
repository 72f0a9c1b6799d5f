<#
.SYNOPSIS
    The main job: generates a sample Claude-Context installation in a throwaway local PostgreSQL,
    migrates it into a unified store through the PSUnifiedMigration cmdlets, and validates it.
.DESCRIPTION
    Runs under pwsh (./build.ps1 -Task Demo) or, on machines without pwsh, under the runbook host:
        dotnet run --project src/PSUnifiedMigration.Runbook -c Release -- demo/Invoke-Demo.ps1
    Everything it creates (a private PostgreSQL cluster and its databases) is removed at the end.
    Set PSUM_TEST_POSTGRES to a superuser connection string to use an existing server instead.
#>
[CmdletBinding()]
param(
    [int] $Chunks = 5000,
    [int] $Dimensions = 768,
    [ValidateSet('Schema', 'Live')] [string] $Layout = 'Schema',
    [int] $BatchSize = 500
)

$ErrorActionPreference = 'Stop'
# Each display goes through its own Out-Default: PowerShell shows objects of a second type in one stream as lists.
# Only engine-core cmdlets exist in the runbook host, so paths are built with .NET rather than Join-Path.
Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'PSUnifiedMigration', 'PSUnifiedMigration.psd1'))
[void][System.Reflection.Assembly]::Load('PSUnifiedMigration.Sandbox')
$none = [System.Threading.CancellationToken]::None

$server = [PSUnifiedMigration.Sandbox.LocalPostgresServer]::StartAsync($none).GetAwaiter().GetResult()
try {
    $sourceDatabase = $server.CreateDatabaseAsync('claude_context_demo', $none).GetAwaiter().GetResult()
    $targetDatabase = $server.CreateDatabaseAsync('unified_demo', $none).GetAwaiter().GetResult()
    $options = [PSUnifiedMigration.Sandbox.ClaudeContextSampleOptions]@{ Chunks = $Chunks; Dimensions = $Dimensions; Layout = $Layout }
    $sample = [PSUnifiedMigration.Sandbox.ClaudeContextSample]::CreateAsync($sourceDatabase, $options, $none).GetAwaiter().GetResult()
    "Sample Claude-Context installation ($($sample.Layout) layout): $($sample.Projects) projects, $($sample.Datasets) datasets, " +
    "$($sample.Documents) documents, $($sample.WebPages) web pages, $($sample.Chunks) chunks of $($sample.Dimensions) dimensions."

    $source = New-MigrationSource -ClaudeContext -ConnectionString $sourceDatabase -Name 'demo-claude-context'
    $target = New-MigrationTarget -ConnectionString $targetDatabase -Name 'demo-unified'

    '== Plan'
    $plan = New-MigrationPlan -Source $source -Target $target -BatchSize $BatchSize
    $plan | Out-Default
    $plan.Steps | Out-Default

    '== Savepoint before the run'
    New-MigrationSavepoint -Target $target -Name 'before-demo' | Out-Default

    '== Run'
    $result = $plan | Invoke-Migration -Confirm:$false
    $result | Out-Default
    $result.Steps | Out-Default

    '== Validation report'
    $report = $result | Test-Migration
    $report | Out-Default
    $report.Checks | Out-Default

    '== A second run adds nothing'
    $again = $plan | Invoke-Migration -Confirm:$false
    "Second run: $($again.Migrated) migrated, $($again.Skipped) skipped, $($again.Rejected) rejected."

    if (-not $report.IsValid) {
        exit 1
    }
}
finally {
    [void]$server.DisposeAsync().AsTask().GetAwaiter().GetResult()
}
