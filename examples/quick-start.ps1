<#
.SYNOPSIS
    README's quick start as a runbook: plan, savepoint, run, validate a Claude-Context migration, and restore
    the savepoint when the store is not valid. Runs unattended in pwsh, cron, CI or psum-runbook.
.DESCRIPTION
    Nothing prompts. With -UserName the password comes from the environment variable PSUM_DB_PASSWORD (set by
    the scheduler or CI secret store); without it the connection strings are used as they are (a .pgpass file,
    peer or certificate authentication). With SecretManagement, build the credential in the caller instead:
        $credential = Get-Secret -Name migrator -Vault ops      # a PSCredential
    and pass the password to this runbook through PSUM_DB_PASSWORD, or adapt the two lines below.

    psum-runbook imports the built module by itself; pwsh needs `Import-Module PSUnifiedMigration` (on
    PSModulePath) or the path of out/PSUnifiedMigration/PSUnifiedMigration.psd1, which this script imports when
    the module is not loaded yet.

        PSUM_DB_PASSWORD=... dotnet run --project src/PSUnifiedMigration.Runbook -c Release -- examples/quick-start.ps1 -- \
            SourceConnectionString='Host=cc-db;Database=claude' TargetConnectionString='Host=unified-db;Database=unified' UserName=ops

    Exit code 0 when the migrated store is valid; 1 (a terminating error, or `exit 1`) when the plan has
    blockers, the run fails or the validation finds differences.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SourceConnectionString,
    [Parameter(Mandatory)] [string] $TargetConnectionString,
    [string] $SourceName = 'claude-prod',
    [string] $UserName,
    [int] $BatchSize = 1000
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module -Name 'PSUnifiedMigration')) {
    Import-Module ([System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'PSUnifiedMigration', 'PSUnifiedMigration.psd1'))
}

$credentials = @{}
if ($UserName) {
    if ([string]::IsNullOrEmpty($env:PSUM_DB_PASSWORD)) {
        throw "-UserName '$UserName' is given but PSUM_DB_PASSWORD is not set: set it to the password of '$UserName'."
    }

    $credentials.Credential = [pscredential]::new($UserName, [System.Net.NetworkCredential]::new('', $env:PSUM_DB_PASSWORD).SecurePassword)
}

$source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnectionString -Name $SourceName @credentials
$target = New-MigrationTarget -ConnectionString $TargetConnectionString @credentials

# A plan with blockers writes them as errors; -ErrorAction Stop ends the runbook at the first one.
$plan = New-MigrationPlan -Source $source -Target $target -BatchSize $BatchSize
$plan | Out-Default

New-MigrationSavepoint -Target $target -Name 'before-cutover' -Force -Confirm:$false | Out-Default
$result = $plan | Invoke-Migration -Resume -ContinueOnError -Confirm:$false   # -Resume: continue if a run was interrupted
$report = $result | Test-Migration
if (-not $report.IsValid) {
    $report.Differences | Out-Default
    Restore-MigrationSavepoint -Target $target -Name 'before-cutover' -Confirm:$false | Out-Default
    "NOT VALID: $($report.Differences.Count) difference(s); the store was restored to the savepoint 'before-cutover'."
    exit 1
}

"VALID: $($result.Migrated) migrated, $($result.Skipped) skipped, $($result.Rejected) rejected."
