<#
.SYNOPSIS
    Helpers for the Pester suite of PSUnifiedMigration: a throwaway PostgreSQL server, sample
    Claude-Context installations, and SQL run directly against the source and target databases.
.DESCRIPTION
    The server and the sample data come from the repository's C# Sandbox library
    (src/PSUnifiedMigration.Sandbox), the same code the xUnit suites and the demo use:
      - LocalPostgresServer starts a private cluster from this machine's PostgreSQL binaries, or uses
        the server named by the PSUM_TEST_POSTGRES environment variable (a superuser connection string).
      - ClaudeContextSample creates a sample installation in an empty database.
    Nothing here talks to the module under test; the tests call its cmdlets themselves.

    The build configuration whose output is used comes from PSUM_CONFIGURATION (build.ps1 sets it),
    Release when it is not set.
#>

Set-StrictMode -Version Latest

$script:RepositoryRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..', '..'))
$script:SandboxLoaded = $false

# What the Sandbox needs besides itself. Npgsql is its only package reference; Npgsql in turn needs the
# logging abstractions, which need the dependency-injection abstractions.
$script:SandboxDependencies = @(
    'Microsoft.Extensions.DependencyInjection.Abstractions'
    'Microsoft.Extensions.Logging.Abstractions'
    'Npgsql'
)

function Get-TestConfiguration {
    <# .SYNOPSIS The build configuration under test: $env:PSUM_CONFIGURATION, or Release. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ([string]::IsNullOrWhiteSpace($env:PSUM_CONFIGURATION)) { 'Release' } else { $env:PSUM_CONFIGURATION }
}

function Get-TestRepositoryRoot {
    <# .SYNOPSIS The repository root (the folder that holds PSUnifiedMigration.sln). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    $script:RepositoryRoot
}

function Get-ModuleManifestPath {
    <# .SYNOPSIS The manifest of the built module, out/PSUnifiedMigration/PSUnifiedMigration.psd1; fails if it is not built. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    $manifest = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'PSUnifiedMigration', 'PSUnifiedMigration.psd1')
    if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) {
        throw "The module is not built: $manifest does not exist. Run ./build.ps1 first."
    }

    $manifest
}

function Import-AssemblyOnce {
    <#
    .SYNOPSIS
        Loads an assembly into the default load context unless an assembly of that name is already there.
    .DESCRIPTION
        Only the default context counts: the module keeps its own Npgsql in a private AssemblyLoadContext,
        which PowerShell's type resolution does not see, so the Sandbox needs a copy of its own here.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)

    $name = [System.Reflection.AssemblyName]::GetAssemblyName($Path).Name
    $loaded = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies |
        Where-Object { $_.GetName().Name -eq $name } |
        Select-Object -First 1
    if ($null -eq $loaded) {
        Add-Type -LiteralPath $Path
    }
}

function Import-SandboxAssembly {
    <#
    .SYNOPSIS
        Loads PSUnifiedMigration.Sandbox and its dependencies (Npgsql and the logging abstractions).
    .DESCRIPTION
        Preferred source: the runbook host's output, src/PSUnifiedMigration.Runbook/bin/<Configuration>/net10.0/.
        The Runbook project references the Sandbox, so that folder holds the Sandbox together with Npgsql
        and its dependencies, and `dotnet build PSUnifiedMigration.sln` always builds it.

        Fallback: the Sandbox's own output, src/PSUnifiedMigration.Sandbox/bin/<Configuration>/net8.0/.
        A class library's build output does not get its NuGet dependencies copied next to it, so Npgsql.dll
        and the Microsoft.Extensions.* assemblies are not in that folder. The built module carries the very
        same versions (both projects reference Npgsql 9.0.5) in out/PSUnifiedMigration/dependencies/, so they
        are loaded from there first: nothing would find them otherwise (PowerShell probes only its own folder,
        and .NET only the folder of the assembly that asks), and the first Sandbox call that touches Npgsql
        would fail. They are loaded explicitly in the runbook-folder case too, so both cases work alike.
    #>
    [CmdletBinding()]
    param([string] $Configuration = (Get-TestConfiguration))

    if ($script:SandboxLoaded) {
        return
    }

    $runbookOutput = [System.IO.Path]::Combine($script:RepositoryRoot, 'src', 'PSUnifiedMigration.Runbook', 'bin', $Configuration, 'net10.0')
    $sandboxOutput = [System.IO.Path]::Combine($script:RepositoryRoot, 'src', 'PSUnifiedMigration.Sandbox', 'bin', $Configuration, 'net8.0')
    $moduleDependencies = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'PSUnifiedMigration', 'dependencies')

    if (Test-Path -LiteralPath ([System.IO.Path]::Combine($runbookOutput, 'PSUnifiedMigration.Sandbox.dll')) -PathType Leaf) {
        $sandboxDirectory = $runbookOutput
        $dependencyDirectory = $runbookOutput
    }
    elseif (Test-Path -LiteralPath ([System.IO.Path]::Combine($sandboxOutput, 'PSUnifiedMigration.Sandbox.dll')) -PathType Leaf) {
        $sandboxDirectory = $sandboxOutput
        $dependencyDirectory = $moduleDependencies
    }
    else {
        throw "PSUnifiedMigration.Sandbox.dll was found neither in $runbookOutput nor in $sandboxOutput. " +
              "Run ./build.ps1 -Configuration $Configuration first."
    }

    foreach ($dependency in $script:SandboxDependencies) {
        $path = [System.IO.Path]::Combine($dependencyDirectory, "$dependency.dll")
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            throw "$path is missing. Run ./build.ps1 -Configuration $Configuration first."
        }

        Import-AssemblyOnce -Path $path
    }

    Import-AssemblyOnce -Path ([System.IO.Path]::Combine($sandboxDirectory, 'PSUnifiedMigration.Sandbox.dll'))
    $script:SandboxLoaded = $true
}

function Start-TestPostgresServer {
    <#
    .SYNOPSIS
        Starts a throwaway PostgreSQL cluster (or uses the server in PSUM_TEST_POSTGRES) and returns its
        PSUnifiedMigration.Sandbox.LocalPostgresServer. Stop it with Stop-TestPostgresServer.
    #>
    [CmdletBinding()]
    param()

    Import-SandboxAssembly
    [PSUnifiedMigration.Sandbox.LocalPostgresServer]::StartAsync([System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
}

function Stop-TestPostgresServer {
    <# .SYNOPSIS Stops a private cluster and deletes its files; a PSUM_TEST_POSTGRES server is left alone. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [PSTypeName('PSUnifiedMigration.Sandbox.LocalPostgresServer')] $Server)

    # At run time the task is a Task<VoidTaskResult>, so GetResult() returns a value that must not become output.
    $null = $Server.DisposeAsync().AsTask().GetAwaiter().GetResult()
}

function New-TestDatabase {
    <# .SYNOPSIS Creates an empty database with a unique name and returns a connection string to it. #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [PSTypeName('PSUnifiedMigration.Sandbox.LocalPostgresServer')] $Server,
        [Parameter(Mandatory)] [string] $Prefix
    )

    $Server.CreateDatabaseAsync($Prefix, [System.Threading.CancellationToken]::None).GetAwaiter().GetResult()
}

function New-TestScenario {
    <#
    .SYNOPSIS
        A source database holding a sample Claude-Context installation, and an empty target database
        (as MigrationScenario.CreateAsync in the xUnit suite).
    .OUTPUTS
        An object with Source and Target (connection strings), Sample (the ClaudeContextSampleSummary)
        and TotalRecords (projects + datasets + documents + web pages + chunks).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [PSTypeName('PSUnifiedMigration.Sandbox.LocalPostgresServer')] $Server,
        [int] $Chunks = 250,
        [ValidateSet('Schema', 'Live')] [string] $Layout = 'Schema',
        [int] $Seed = 7
    )

    Import-SandboxAssembly
    $none = [System.Threading.CancellationToken]::None
    $source = New-TestDatabase -Server $Server -Prefix 'src'
    $target = New-TestDatabase -Server $Server -Prefix 'dst'
    $options = [PSUnifiedMigration.Sandbox.ClaudeContextSampleOptions]@{
        Chunks = $Chunks
        Layout = [PSUnifiedMigration.Sandbox.ChunkLayout]$Layout
        Seed   = $Seed
    }
    $sample = [PSUnifiedMigration.Sandbox.ClaudeContextSample]::CreateAsync($source, $options, $none).GetAwaiter().GetResult()

    [pscustomobject]@{
        Source       = $source
        Target       = $target
        Sample       = $sample
        TotalRecords = [long]$sample.Projects + $sample.Datasets + $sample.Documents + $sample.WebPages + $sample.Chunks
    }
}

function Get-ConnectionStringForDatabase {
    <# .SYNOPSIS The same connection string, pointing at another database (which need not exist). #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $ConnectionString,
        [Parameter(Mandatory)] [string] $Database
    )

    Import-SandboxAssembly
    $builder = [Npgsql.NpgsqlConnectionStringBuilder]::new($ConnectionString)
    $builder.Database = $Database
    $builder.ConnectionString
}

function Invoke-TestSqlCommand {
    <# .SYNOPSIS Opens a connection, makes a command of the SQL, and gives it to a script block that runs it. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $ConnectionString,
        [Parameter(Mandatory, Position = 1)] [string] $Sql,
        [Parameter(Mandatory, Position = 2)] [scriptblock] $Run
    )

    Import-SandboxAssembly
    $connection = [Npgsql.NpgsqlConnection]::new($ConnectionString)
    try {
        $connection.Open()
        $command = [Npgsql.NpgsqlCommand]::new($Sql, $connection)
        try {
            & $Run $command
        }
        finally {
            $command.Dispose()
        }
    }
    finally {
        $connection.Dispose()
    }
}

function Invoke-TestSql {
    <# .SYNOPSIS Runs SQL (one or more statements) on a database, through Npgsql directly. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $ConnectionString,
        [Parameter(Mandatory, Position = 1)] [string] $Sql
    )

    $null = Invoke-TestSqlCommand $ConnectionString $Sql { param($command) $command.ExecuteNonQuery() }
}

function Get-TestSqlScalar {
    <# .SYNOPSIS Runs a query and returns the first column of its first row ($null for SQL NULL). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $ConnectionString,
        [Parameter(Mandatory, Position = 1)] [string] $Sql
    )

    $value = Invoke-TestSqlCommand $ConnectionString $Sql { param($command) $command.ExecuteScalar() }
    if ($value -is [System.DBNull]) { $null } else { $value }
}

function Get-TargetStateFingerprint {
    <#
    .SYNOPSIS
        A fingerprint of every row of every unified table (count and content hash per table), to compare
        whole-store states. The SQL is MigrationScenario.TargetStateAsync's.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [string] $ConnectionString)

    Get-TestSqlScalar -ConnectionString $ConnectionString -Sql @'
SELECT string_agg(t || ':' || n || ':' || h, ' ' ORDER BY t) FROM (
  SELECT 'projects' AS t, count(*) AS n, coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) AS h FROM unified.projects r
  UNION ALL SELECT 'datasets', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.datasets r
  UNION ALL SELECT 'documents', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.documents r
  UNION ALL SELECT 'chunks', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.chunks r
  UNION ALL SELECT 'id_map', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.id_map r) s
'@
}

function Get-ClosedTcpPort {
    <# .SYNOPSIS A loopback TCP port that nothing listens on (it was free a moment ago). #>
    [CmdletBinding()]
    [OutputType([int])]
    param()

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try {
        $listener.LocalEndpoint.Port
    }
    finally {
        $listener.Stop()
    }
}

Export-ModuleMember -Function @(
    'Get-TestConfiguration'
    'Get-TestRepositoryRoot'
    'Get-ModuleManifestPath'
    'Import-SandboxAssembly'
    'Start-TestPostgresServer'
    'Stop-TestPostgresServer'
    'New-TestDatabase'
    'New-TestScenario'
    'Get-ConnectionStringForDatabase'
    'Invoke-TestSql'
    'Get-TestSqlScalar'
    'Get-TargetStateFingerprint'
    'Get-ClosedTcpPort'
)
