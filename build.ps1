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

      Package Build, then lay out the versioned module folder out/package/PSUnifiedMigration/<version>/ (the
              built module, LICENSE, CHANGELOG.md, README.md), bundle every module/*/package.json folder with
              `npm ci --omit=dev` (Node.js helpers, when npm exists), and publish it with Publish-PSResource to a
              throwaway local file repository, which leaves out/package/PSUnifiedMigration.<version>.nupkg.
              Offline: nothing leaves the machine. Needs Microsoft.PowerShell.PSResourceGet (in pwsh 7.4+).

    Help    Build, then regenerate the syntax sections of module/en-US/PSUnifiedMigration.dll-Help.xml from the
              cmdlets' real parameters (tools/Update-HelpSyntax.ps1), rebuild, and write the online help pages
              docs/cmdlets/<Cmdlet>.md from Get-Help (tools/Update-CmdletPages.ps1); commit the result. The
              Pester suite compares Get-Help with Get-Command and fails when the help is out of date.

    NativeReader
              Build, then npm ci --omit=dev into out/PSUnifiedMigration/native-reader: the npm packages
              (@lancedb/lancedb, kuzu) of the Node.js helper that reads Cognee's LanceDB and Kuzu stores, so the
              built module reads them too. Needs Node.js 18+ and npm with a registry (about 700 MB, mostly kuzu).

    Demo    Build, then run demo/Invoke-Demo.ps1 in pwsh: a sample Claude-Context installation in a
              throwaway PostgreSQL is migrated into a unified store, validated, and removed again. It ends
              with a verdict block (valid or not, counts, duration, the report's path).

    Bench   Build, then run bench/Invoke-Benchmark.ps1 in pwsh with -Chunks: every operation measured against a
              raw binary COPY pipe of the same rows in the same run; figures and ratios printed and written as
              JSON to bench/results/ (see bench/README.md and docs/performance.md).

    The integration tests and the demo start private PostgreSQL clusters from this machine's server binaries
    (initdb, pg_ctl; Debian: apt-get install postgresql). Set PSUM_TEST_POSTGRES to a superuser connection
    string to use an existing server instead. The xUnit engine suite's pgvector tests also run PGlite on
    Node.js; npm installs it into tests/pglite on first use.

    The Pester suite and the demo run in a child pwsh process. They load the module and the test Sandbox
    assemblies, which .NET cannot unload: in this session they would stay loaded after the script ends, and
    on Windows keep the files under out/ locked, so that the next build could not replace them.

.PARAMETER Task
    Build (the default), Test, Pester, Package, Help, NativeReader, Demo or Bench.

.PARAMETER Chunks
    The Bench task's number of Claude-Context chunks (200,000 by default).

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

.EXAMPLE
    ./build.ps1 -Task Bench -Chunks 50000

    Measures the benchmark at 50,000 chunks.

.EXAMPLE
    ./build.ps1 -Task Package

    Leaves out/package/PSUnifiedMigration/<version>/ and out/package/PSUnifiedMigration.<version>.nupkg.
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Pester', 'Package', 'Help', 'Bench', 'NativeReader')]
    [string] $Task = 'Build',

    # The Bench task's number of Claude-Context chunks.
    [ValidateRange(1, 100000000)]
    [int] $Chunks = 200000,

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
$BenchScript = Join-Path $PSScriptRoot 'bench' 'Invoke-Benchmark.ps1'
$PackageOutput = Join-Path $PSScriptRoot 'out' 'package'

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

function Invoke-SandboxScript {
    # Runs a script that uses the test Sandbox (the demo, the benchmark) in a child pwsh.
    param([Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $Activity, [string] $Arguments = '')

    # The demo loads the Sandbox by name ([System.Reflection.Assembly]::Load('PSUnifiedMigration.Sandbox')),
    # which only the runbook host resolves by itself (the Sandbox is one of its dependencies). In pwsh it is
    # loaded first, with Npgsql and the logging abstractions it needs, from the runbook host's build output,
    # which holds them all; a load by name then finds the assembly already loaded.
    # The Cognee sample writes SQLite: Microsoft.Data.Sqlite and SQLitePCLRaw come from there too, and SQLite's
    # native library (e_sqlite3), which pwsh's own dependency manifest does not list, so that the runtime never
    # finds it by name, is loaded first from the runtimes/<os>-<arch>/native/ folder; the import by name then
    # finds it loaded (without this, SqliteConnection's type initializer fails on Linux).
    $runbookOutput = Join-Path $PSScriptRoot 'src' 'PSUnifiedMigration.Runbook' 'bin' $Configuration 'net10.0'
    $assemblies = @(
        'Microsoft.Extensions.DependencyInjection.Abstractions'
        'Microsoft.Extensions.Logging.Abstractions'
        'Npgsql'
        'SQLitePCLRaw.core'
        'SQLitePCLRaw.provider.e_sqlite3'
        'SQLitePCLRaw.batteries_v2'
        'Microsoft.Data.Sqlite'
        'PSUnifiedMigration.Sandbox'
    ) | ForEach-Object { Join-Path $runbookOutput "$_.dll" }
    $os, $file = $IsWindows ? ('win', 'e_sqlite3.dll') : $IsMacOS ? ('osx', 'libe_sqlite3.dylib') : ('linux', 'libe_sqlite3.so')
    $architecture = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $sqliteNative = Join-Path $runbookOutput 'runtimes' "$os-$architecture" 'native' $file
    foreach ($assembly in @($assemblies) + $sqliteNative) {
        if (-not (Test-Path -LiteralPath $assembly -PathType Leaf)) {
            throw "$assembly is missing; the build did not produce the runbook host's output."
        }
    }

    Write-Step "$Activity ($Configuration)"
    # The demo ends with `exit 1` when the validation report is not valid; that exit code is passed on.
    $childScript = @'
$ErrorActionPreference = 'Stop'
foreach ($assembly in @(%ASSEMBLIES%)) {
    Add-Type -LiteralPath $assembly
}
[void][System.Runtime.InteropServices.NativeLibrary]::Load(%SQLITE%)
& %SCRIPT% %ARGUMENTS%
exit $LASTEXITCODE
'@
    $childScript = $childScript.Replace('%ASSEMBLIES%', (($assemblies | ForEach-Object { ConvertTo-QuotedLiteral $_ }) -join ', '))
    $childScript = $childScript.Replace('%SCRIPT%', (ConvertTo-QuotedLiteral $Script)).Replace('%ARGUMENTS%', $Arguments)
    $childScript = $childScript.Replace('%SQLITE%', (ConvertTo-QuotedLiteral $sqliteNative))
    Invoke-ChildPwsh -Script $childScript -Activity $Activity
}

function Update-HelpSyntax {
    # In a child pwsh, so that the module loaded to read its parameters does not stay loaded in this session.
    Write-Step 'Help syntax from the real parameters'
    $childScript = "& $(ConvertTo-QuotedLiteral (Join-Path $PSScriptRoot 'tools' 'Update-HelpSyntax.ps1')) " +
                   "-ModuleManifest $(ConvertTo-QuotedLiteral $ModuleManifest) " +
                   "-HelpFile $(ConvertTo-QuotedLiteral (Join-Path $PSScriptRoot 'module' 'en-US' 'PSUnifiedMigration.dll-Help.xml'))"
    Invoke-ChildPwsh -Script $childScript -Activity 'Updating the help syntax'

    # The built module gets the updated help file, then the pages are made from what Get-Help shows.
    Write-Step 'Cmdlet pages (docs/cmdlets) from the help'
    Invoke-DotNet -Arguments @('build', $Solution, '-c', $Configuration, '-nologo', '-v', 'quiet')
    $childScript = "& $(ConvertTo-QuotedLiteral (Join-Path $PSScriptRoot 'tools' 'Update-CmdletPages.ps1')) " +
                   "-ModuleManifest $(ConvertTo-QuotedLiteral $ModuleManifest) " +
                   "-OutputFolder $(ConvertTo-QuotedLiteral (Join-Path $PSScriptRoot 'docs' 'cmdlets'))"
    Invoke-ChildPwsh -Script $childScript -Activity 'Writing the cmdlet pages'
}

function Invoke-NodeBundles {
    # The hook for Node.js helpers shipped with the module (module/<name>/package.json, for example a native
    # reader): their production dependencies are installed into the packaged copy, from its package-lock.json.
    param([Parameter(Mandatory)] [string] $ModuleFolder)

    $bundles = @(Get-ChildItem -LiteralPath $ModuleFolder -Directory | Where-Object { Test-Path -LiteralPath (Join-Path $_.FullName 'package.json') })
    if ($bundles.Count -eq 0) {
        return
    }

    if ($null -eq (Get-Command -Name 'npm' -CommandType Application -ErrorAction SilentlyContinue)) {
        throw "npm was not found, so the Node.js helpers $($bundles.Name -join ', ') cannot be bundled. Install Node.js and npm."
    }

    foreach ($bundle in $bundles) {
        Write-Host "npm ci --omit=dev in $($bundle.FullName)"
        & npm ci --omit=dev --prefix $bundle.FullName --no-audit --no-fund --loglevel=error
        if ($LASTEXITCODE -ne 0) {
            throw "'npm ci --omit=dev' failed in $($bundle.FullName) with exit code $LASTEXITCODE."
        }
    }
}

function Invoke-Package {
    $version = (Import-PowerShellDataFile -LiteralPath $ModuleManifest).ModuleVersion
    Write-Step "Package PSUnifiedMigration $version"
    $moduleFolder = Join-Path $PackageOutput 'PSUnifiedMigration' $version
    if (Test-Path -LiteralPath $PackageOutput) {
        Remove-Item -LiteralPath $PackageOutput -Recurse -Force
    }

    $null = New-Item -ItemType Directory -Path $moduleFolder -Force
    Copy-Item -Path (Join-Path (Split-Path -Path $ModuleManifest -Parent) '*') -Destination $moduleFolder -Recurse
    foreach ($file in 'LICENSE', 'CHANGELOG.md', 'README.md') {
        Copy-Item -LiteralPath (Join-Path $PSScriptRoot $file) -Destination $moduleFolder
    }

    Invoke-NodeBundles -ModuleFolder $moduleFolder
    $null = Test-ModuleManifest -Path (Join-Path $moduleFolder 'PSUnifiedMigration.psd1') -ErrorAction Stop

    # Publish-PSResource writes the .nupkg into a file repository; a throwaway one is registered for it, under
    # a unique name, and unregistered again, so that nothing persists in the user's repository list.
    $repositoryName = "PSUnifiedMigrationPackage-$([guid]::NewGuid().ToString('N'))"
    Register-PSResourceRepository -Name $repositoryName -Uri $PackageOutput -Trusted
    try {
        Publish-PSResource -Path $moduleFolder -Repository $repositoryName
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }

    Write-Host "Module folder: $moduleFolder"
    Write-Host "Package: $(Join-Path $PackageOutput "PSUnifiedMigration.$version.nupkg")"
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
        'Help' {
            Invoke-SolutionBuild
            Update-HelpSyntax
        }
        'Package' {
            Invoke-SolutionBuild
            Invoke-Package
        }
        'NativeReader' {
            Invoke-SolutionBuild
            Invoke-NodeBundles -ModuleFolder (Join-Path $PSScriptRoot 'out' 'PSUnifiedMigration')
        }
        'Demo' {
            Invoke-SolutionBuild
            Invoke-SandboxScript -Script $DemoScript -Activity 'The demo'
        }
        'Bench' {
            Invoke-SolutionBuild
            Invoke-SandboxScript -Script $BenchScript -Activity 'The benchmark' -Arguments "-Chunks $Chunks"
        }
    }
}
finally {
    Pop-Location
}
