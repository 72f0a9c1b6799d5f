<#
.SYNOPSIS
    Builds, tests and demonstrates the PSUnifiedMigration module.

.DESCRIPTION
    Tasks:

      Build   dotnet build PSUnifiedMigration.sln -c <Configuration>. The importable module is left in
              out/PSUnifiedMigration/ (manifest, format, types and help files, cmdlet assembly, dependencies/).

      Test    dotnet test PSUnifiedMigration.sln -c <Configuration>: builds, then runs the xUnit suites.
              Then the Pester suite in tests/Pester, when Pester 5.1 or later is installed (5.1 brought the
              data-driven Describe and Context blocks the suite uses). Without it the Pester suite is
              skipped with a warning; that alone does not fail the task.

      Pester  Only the Pester suite, against the current build (run Build first). Fails when Pester 5.1 or
              later is not installed, since running it is all this task is for.

      NativeReader
              Build, then npm ci --omit=dev into out/PSUnifiedMigration/native-reader: the npm packages
              (@lancedb/lancedb, kuzu) of the Node.js helper that reads Cognee's LanceDB and Kuzu stores.
              Needs Node.js 18+ and npm with a registry; a Package task bundles the module after it.

      Demo    Build, then run demo/Invoke-Demo.ps1 in pwsh: a sample Claude-Context installation in a
              throwaway PostgreSQL is migrated into a unified store, validated, and removed again.

    The integration tests and the demo start private PostgreSQL clusters from this machine's server binaries
    (initdb, pg_ctl; Debian: apt-get install postgresql). Set PSUM_TEST_POSTGRES to a superuser connection
    string to use an existing server instead. The xUnit engine suite's pgvector tests also run PGlite on
    Node.js; npm installs it into tests/pglite on first use.

    The Pester suite and the demo run in a child pwsh process. They load the module and the test Sandbox
    assemblies, which .NET cannot unload: in this session they would stay loaded after the script ends, and
    on Windows keep the files under out/ locked, so that the next build could not replace them.

.PARAMETER Task
    Build (the default), Test, Pester or Demo.

.PARAMETER Configuration
    The build configuration, Release (the default) or Debug. Both build the module into the same
    out/PSUnifiedMigration/, so the Pester suite tests the module of the last build, with the test Sandbox of
    the given configuration.

.EXAMPLE
    ./build.ps1

    Builds the solution; the module can then be imported from out/PSUnifiedMigration.

.EXAMPLE
    ./build.ps1 -Task Test

    Builds, runs the xUnit suites, then the Pester suite (results in TestResults/Pester.xml).

.EXAMPLE
    ./build.ps1 -Task Pester -Configuration Debug

    Runs only the Pester suite against the Debug build.

.EXAMPLE
    ./build.ps1 -Task Demo
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Pester', 'NativeReader')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
# Exit codes of dotnet and pwsh are checked after every call, with a message that names the step that failed.
$PSNativeCommandUseErrorActionPreference = $false

$MinimumPesterVersion = [version]'5.1.0'
$Solution = 'PSUnifiedMigration.sln'
$ModuleManifest = Join-Path $PSScriptRoot 'out' 'PSUnifiedMigration' 'PSUnifiedMigration.psd1'
$PesterTests = Join-Path $PSScriptRoot 'tests' 'Pester'
$PesterResults = Join-Path $PSScriptRoot 'TestResults' 'Pester.xml'
$DemoScript = Join-Path $PSScriptRoot 'demo' 'Invoke-Demo.ps1'

function Write-Step {
    param([Parameter(Mandatory)] [string] $Message)

    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Invoke-DotNet {
    param([Parameter(Mandatory)] [string[]] $Arguments)

    $commandLine = "dotnet $($Arguments -join ' ')"
    Write-Host $commandLine
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "'$commandLine' failed with exit code $LASTEXITCODE."
    }
}

function ConvertTo-QuotedLiteral {
    # A PowerShell single-quoted string literal of the value, for scripts given to the child pwsh.
    param([Parameter(Mandatory)] [string] $Value)

    "'" + [System.Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($Value) + "'"
}

function Get-PwshPath {
    $beside = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path -LiteralPath $beside -PathType Leaf) {
        return $beside
    }

    $onPath = Get-Command -Name 'pwsh' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $onPath) {
        throw "pwsh was found neither in $PSHOME nor on PATH."
    }

    $onPath.Source
}

function Invoke-ChildPwsh {
    # Runs a script in a new pwsh process; -EncodedCommand spares it every quoting rule of every platform.
    param(
        [Parameter(Mandatory)] [string] $Script,
        [Parameter(Mandatory)] [string] $Activity
    )

    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    & (Get-PwshPath) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded
    if ($LASTEXITCODE -ne 0) {
        throw "$Activity failed (exit code $LASTEXITCODE)."
    }
}

function Assert-ModuleBuilt {
    if (-not (Test-Path -LiteralPath $ModuleManifest -PathType Leaf)) {
        throw "The module is not built: $ModuleManifest does not exist. Run ./build.ps1 -Configuration $Configuration first."
    }
}

function Invoke-SolutionBuild {
    Write-Step "Build ($Configuration)"
    Invoke-DotNet -Arguments @('build', $Solution, '-c', $Configuration)
    Assert-ModuleBuilt
    Write-Host "Module: $(Split-Path -Path $ModuleManifest -Parent)"
}

function Invoke-XunitSuites {
    Write-Step "xUnit suites ($Configuration)"
    Invoke-DotNet -Arguments @('test', $Solution, '-c', $Configuration)
}

function Invoke-PesterSuite {
    param(
        # Warn and return when Pester is missing, instead of failing.
        [switch] $Optional
    )

    $pester = Get-Module -ListAvailable -Name 'Pester' |
        Where-Object { $_.Version -ge $MinimumPesterVersion } |
        Sort-Object -Property Version -Descending |
        Select-Object -First 1
    if ($null -eq $pester) {
        $missing = "Pester $MinimumPesterVersion or later is not installed, so the Pester suite ($PesterTests) did not run. " +
                   "Install it with: Install-Module -Name Pester -MinimumVersion $MinimumPesterVersion -Scope CurrentUser"
        if ($Optional) {
            Write-Warning $missing
            return
        }

        throw $missing
    }

    Assert-ModuleBuilt
    Write-Step "Pester suite ($Configuration, Pester $($pester.Version))"
    $null = New-Item -ItemType Directory -Path (Split-Path -Path $PesterResults -Parent) -Force

    # Detailed output names every test; failures are also annotated for Azure DevOps and GitHub Actions
    # (Output.CIFormat, Pester 5.3+, Auto by default), and the results are written as NUnit XML for CI.
    # The test helpers use the build of $env:PSUM_CONFIGURATION.
    $childScript = @'
$ErrorActionPreference = 'Stop'
$env:PSUM_CONFIGURATION = %CONFIGURATION%
Import-Module -Name %PESTER%
$configuration = New-PesterConfiguration
$configuration.Run.Path = %TESTS%
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
if ($configuration.Output.PSObject.Properties.Name -contains 'CIFormat') {
    $configuration.Output.CIFormat = 'Auto'
}
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = %RESULTS%
$run = Invoke-Pester -Configuration $configuration
if ($run.Result -ne 'Passed') {
    exit 1
}
exit 0
'@
    $childScript = $childScript.Replace('%CONFIGURATION%', (ConvertTo-QuotedLiteral $Configuration))
    $childScript = $childScript.Replace('%PESTER%', (ConvertTo-QuotedLiteral $pester.Path))
    $childScript = $childScript.Replace('%TESTS%', (ConvertTo-QuotedLiteral $PesterTests))
    $childScript = $childScript.Replace('%RESULTS%', (ConvertTo-QuotedLiteral $PesterResults))
    try {
        Invoke-ChildPwsh -Script $childScript -Activity 'The Pester suite'
    }
    finally {
        Write-Host "Pester results: $PesterResults"
    }
}

# The native reader helper's npm packages, installed into the built module so it can be copied to hosts
# without a registry. Kept apart from the build: the packages are large (about 700 MB, mostly kuzu).
function Install-NativeReader {
    $folder = Join-Path $PSScriptRoot 'out/PSUnifiedMigration/native-reader'
    if (-not (Test-Path -LiteralPath (Join-Path $folder 'package-lock.json'))) {
        throw "The module is not built: $folder has no package-lock.json. Run ./build.ps1 -Configuration $Configuration first."
    }
    Write-Step "Installing the native reader's npm packages into $folder"
    & npm ci --omit=dev --no-audit --no-fund --loglevel=error --prefix $folder
    if ($LASTEXITCODE -ne 0) {
        throw "npm ci for the native reader failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Demo {
    # The demo loads the Sandbox by name ([System.Reflection.Assembly]::Load('PSUnifiedMigration.Sandbox')),
    # which only the runbook host resolves by itself (the Sandbox is one of its dependencies). In pwsh it is
    # loaded first, with Npgsql and the logging abstractions it needs, from the runbook host's build output,
    # which holds them all; a load by name then finds the assembly already loaded.
    $runbookOutput = Join-Path $PSScriptRoot 'src' 'PSUnifiedMigration.Runbook' 'bin' $Configuration 'net10.0'
    $assemblies = @(
        'Microsoft.Extensions.DependencyInjection.Abstractions'
        'Microsoft.Extensions.Logging.Abstractions'
        'Npgsql'
        'PSUnifiedMigration.Sandbox'
    ) | ForEach-Object { Join-Path $runbookOutput "$_.dll" }
    foreach ($assembly in $assemblies) {
        if (-not (Test-Path -LiteralPath $assembly -PathType Leaf)) {
            throw "$assembly is missing; the build did not produce the runbook host's output."
        }
    }

    Write-Step "Demo ($Configuration)"
    # The demo ends with `exit 1` when the validation report is not valid; that exit code is passed on.
    $childScript = @'
$ErrorActionPreference = 'Stop'
foreach ($assembly in @(%ASSEMBLIES%)) {
    Add-Type -LiteralPath $assembly
}
& %DEMO%
exit $LASTEXITCODE
'@
    $childScript = $childScript.Replace('%ASSEMBLIES%', (($assemblies | ForEach-Object { ConvertTo-QuotedLiteral $_ }) -join ', '))
    $childScript = $childScript.Replace('%DEMO%', (ConvertTo-QuotedLiteral $DemoScript))
    Invoke-ChildPwsh -Script $childScript -Activity 'The demo'
}

Push-Location -LiteralPath $PSScriptRoot
try {
    switch ($Task) {
        'Build' {
            Invoke-SolutionBuild
        }
        'Test' {
            Invoke-XunitSuites
            Invoke-PesterSuite -Optional
        }
        'Pester' {
            Invoke-PesterSuite
        }
        'NativeReader' {
            Invoke-SolutionBuild
            Install-NativeReader
        }
        'Demo' {
            Invoke-SolutionBuild
            Invoke-Demo
        }
    }
}
finally {
    Pop-Location
}
