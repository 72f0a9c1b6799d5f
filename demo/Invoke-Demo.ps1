<#
.SYNOPSIS
    The main job: generates a sample Claude-Context installation (claude-context-core's own table shapes, in
    PGlite for the real pgvector) and a sample Cognee installation (SQLite, graph ledger, pgvector collections
    in PGlite), migrates both into one unified store in a throwaway local PostgreSQL through the
    PSUnifiedMigration cmdlets, and validates it.
.DESCRIPTION
    Runs under pwsh (./build.ps1 -Task Demo) or, on machines without pwsh, under the runbook host:
        dotnet run --project src/PSUnifiedMigration.Runbook -c Release -- demo/Invoke-Demo.ps1
    Everything it creates (a private PostgreSQL cluster, two PGlite servers, the Cognee files) is removed at the end.
    PGlite (tests/pglite, installed with npm on first use) serves one database per server with the real pgvector:
    one holds the Claude-Context installation (a plain and a hybrid <collection>_vectors table, crawl4ai's two
    tables, the init scripts' empty chunks table, collections_metadata and dataset_collections; -Chunks spread
    over the four chunk tables), the other Cognee's collections.
    Set PSUM_TEST_POSTGRES to a superuser connection string to use an existing server instead.
    By default the target is PostgreSQL alone. -StartNeo4j also starts a private Neo4j (Neo4j Community 3.1 from
    npm, tests/neo4j; needs Java 17) and projects the graph into it; -Neo4jUri and -QdrantUri name existing servers
    (without authentication) for the graph and the vectors.
#>
[CmdletBinding()]
param(
    [int] $Chunks = 5000,
    [int] $Dimensions = 768,
    [int] $BatchSize = 500,
    [int] $CogneeDocumentsPerDataset = 5,
    [string] $Neo4jUri,
    [string] $QdrantUri,
    [switch] $StartNeo4j
)

$ErrorActionPreference = 'Stop'
# The first line comes at once: starting PostgreSQL and generating the samples takes a while on first use.
$demoClock = [System.Diagnostics.Stopwatch]::StartNew()
"PSUnifiedMigration demo: $Chunks Claude-Context chunks of $Dimensions dimensions and a Cognee sample into one unified store. " +
"Starting a throwaway PostgreSQL..."
# Each display goes through its own Out-Default: PowerShell shows objects of a second type in one stream as lists.
# Only engine-core cmdlets exist in the runbook host, so paths are built with .NET rather than Join-Path.
Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'PSUnifiedMigration', 'PSUnifiedMigration.psd1'))
[void][System.Reflection.Assembly]::Load('PSUnifiedMigration.Sandbox')
$none = [System.Threading.CancellationToken]::None

$repository = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..'))
$cogneeFolder = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'psum-demo-cognee-' + [guid]::NewGuid().ToString('N'))
$server = [PSUnifiedMigration.Sandbox.LocalPostgresServer]::StartAsync($none).GetAwaiter().GetResult()
$pglite = $null
$claudeContext = $null
$neo4j = $null
try {
    if ($StartNeo4j) {
        $neo4j = [PSUnifiedMigration.Sandbox.Neo4jServer]::StartAsync([System.IO.Path]::Combine($repository, 'tests', 'neo4j'), [NullString]::Value, $none).GetAwaiter().GetResult()
        $Neo4jUri = $neo4j.Uri.ToString()
        "Private Neo4j 3.1 at $Neo4jUri."
    }

    $targetDatabase = $server.CreateDatabaseAsync('unified_demo', $none).GetAwaiter().GetResult()
    $pglitePackages = [System.IO.Path]::Combine($repository, 'tests', 'pglite')
    $claudeContext = [PSUnifiedMigration.Sandbox.ClaudeContextCore.ClaudeContextCoreSample]::StartAsync($pglitePackages, $Chunks, $Dimensions, $none).GetAwaiter().GetResult()
    'Sample claude-context-core installation in PGlite (pgvector), with the init scripts'' empty chunks table:'
    $claudeContext.Describe() | ForEach-Object { "  $_" }

    $pglite = [PSUnifiedMigration.Sandbox.PgliteServer]::StartAsync($pglitePackages, $none).GetAwaiter().GetResult()
    $cogneeOptions = [PSUnifiedMigration.Sandbox.Cognee.CogneeSampleOptions]@{
        SystemRoot = [System.IO.Path]::Combine($cogneeFolder, '.cognee_system')
        VectorConnectionString = $pglite.ConnectionString
        UseInsertInsteadOfCopy = $true
        DocumentsPerDataset = $CogneeDocumentsPerDataset
        Dimensions = $Dimensions
    }
    $cognee = [PSUnifiedMigration.Sandbox.Cognee.CogneeSample]::CreateAsync($cogneeOptions, $none).GetAwaiter().GetResult()
    "Sample Cognee installation (v$($cognee.ModelledCogneeVersion)): $($cognee.Users) users, $($cognee.Datasets) datasets, $($cognee.DataRows) data rows, " +
    "$($cognee.Chunks) chunks, $($cognee.Entities) entities, $($cognee.LedgerNodes) graph ledger rows, vectors in pgvector (PGlite)."

    $sources = @(
        New-MigrationSource -ClaudeContext -ConnectionString $claudeContext.ConnectionString -Name 'demo-claude-context'
        New-MigrationSource -Cognee -Path $cognee.SystemRoot -VectorConnectionString $pglite.ConnectionString -Name 'demo-cognee'
    )
    $stores = @{}
    if ($Neo4jUri) { $stores.Neo4jUri = $Neo4jUri }
    if ($QdrantUri) { $stores.QdrantUri = $QdrantUri }
    $target = New-MigrationTarget -ConnectionString $targetDatabase -Name 'demo-unified' @stores
    "Target: $target"

    '== Plan'
    $plan = New-MigrationPlan -Source $sources -Target $target -BatchSize $BatchSize
    $plan | Out-Default
    $plan.Steps | Out-Default

    '== Savepoint before the run'
    New-MigrationSavepoint -Target $target -Name 'before-demo' | Out-Default

    '== Run'
    $result = $plan | Invoke-Migration -Confirm:$false
    $result | Out-Default
    $result.Steps | Out-Default
    if ($result.Projections.Count -gt 0) {
        $result.Projections | Out-Default
    }

    '== Validation report'
    $report = $result | Test-Migration
    $report | Out-Default
    $report.Checks | Out-Default

    '== A second run adds nothing'
    $again = $plan | Invoke-Migration -Confirm:$false
    "Second run: $($again.Migrated) migrated, $($again.Skipped) skipped, $($again.Rejected) rejected."

    # The report outlives the demo (everything else is removed), so the verdict can point to it.
    $reportPath = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "psum-demo-report-$($result.RunId).json")
    $null = $report | Export-MigrationValidationReport -Path $reportPath -Format Json -Force -Confirm:$false
    $failedChecks = @($report.Checks | Where-Object { -not $_.Passed }).Count
    ''
    '== Verdict'
    if ($report.IsValid) { 'VALID: the unified store holds every source record, checked.' }
    else { "NOT VALID: $($report.Errors.Count) error(s), $($report.Differences.Count) difference(s); see the report." }
    "  Records:  $($result.Read) read, $($result.Migrated) migrated, $($result.Skipped) skipped, $($result.Rejected) rejected"
    "  Checks:   $($report.Checks.Count - $failedChecks) passed, $failedChecks failed ($($report.Mode) validation)"
    "  Duration: $([math]::Round($demoClock.Elapsed.TotalSeconds)) s in all (run $([math]::Round($result.Duration.TotalSeconds, 1)) s, validation $([math]::Round($report.Duration.TotalSeconds, 1)) s)"
    "  Report:   $reportPath"

    if (-not $report.IsValid) {
        exit 1
    }
}
finally {
    if ($null -ne $neo4j) {
        [void]$neo4j.DisposeAsync().AsTask().GetAwaiter().GetResult()
    }

    if ($null -ne $pglite) {
        [void]$pglite.DisposeAsync().AsTask().GetAwaiter().GetResult()
    }

    if ($null -ne $claudeContext) {
        [void]$claudeContext.DisposeAsync().AsTask().GetAwaiter().GetResult()
    }

    [void]$server.DisposeAsync().AsTask().GetAwaiter().GetResult()
    if ([System.IO.Directory]::Exists($cogneeFolder)) {
        [System.IO.Directory]::Delete($cogneeFolder, $true)
    }
}
