<#
.SYNOPSIS
    Measures PSUnifiedMigration against the raw binary COPY pipe of the same rows, in one run on one machine.
.DESCRIPTION
    Generates a Claude-Context installation of -Chunks chunks (768-dimensional real[] vectors, about 1 KB of text
    each by default) in a private PostgreSQL cluster, plus a proportionate Cognee installation (SQLite and its networkx
    graph file), then measures in this order:
      1. the raw pipe: COPY chunks TO STDOUT (FORMAT binary) | COPY copy FROM STDIN (FORMAT binary), keyed copy;
      2. Invoke-Migration into an empty target;
      3. Invoke-Migration again, the source unchanged;
      4. Test-Migration -Mode Full;
      5. New-MigrationSavepoint;
      6. Invoke-Migration after every chunk changed at the source (the upsert path);
      7. Undo-Migration of that upsert run;
      8. Restore-MigrationSavepoint;
      9. the raw pipe again (the reference is the faster of 1 and 9).
    Each operation's peak resident set of this process is measured from a reset high-water mark (Linux).
    Prints each time, its ratio to the pipe and its records per second, and writes everything as JSON.
    Run it through the build script, which loads the test Sandbox and SQLite's native library first:
        ./build.ps1 -Task Bench -Chunks 200000
    Set PSUM_TEST_POSTGRES to a superuser connection string to measure on an existing server instead.
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100000000)] [int] $Chunks = 200000,
    [ValidateRange(1, 16000)] [int] $Dimensions = 768,
    [ValidateRange(1, 100000)] [int] $BatchSize = 5000,
    [string] $OutFile
)

$ErrorActionPreference = 'Stop'
$repository = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..'))
Import-Module ([System.IO.Path]::Combine($repository, 'out', 'PSUnifiedMigration', 'PSUnifiedMigration.psd1'))
if (-not $OutFile) { $OutFile = [System.IO.Path]::Combine($PSScriptRoot, 'results', "bench-$Chunks.json") }
$none = [System.Threading.CancellationToken]::None

function Reset-PeakMemory {
    # Writing 5 to clear_refs resets VmHWM (Linux 4.0+); elsewhere the peak covers the whole process.
    if ([System.IO.File]::Exists('/proc/self/clear_refs')) { [System.IO.File]::WriteAllText('/proc/self/clear_refs', '5') }
}

function Get-PeakMemory {
    if (-not [System.IO.File]::Exists('/proc/self/status')) { return [System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 }
    $line = [System.IO.File]::ReadAllLines('/proc/self/status') | Where-Object { $_ -like 'VmHWM:*' }
    return [long]($line -replace '[^0-9]', '') * 1024
}

$measurements = [System.Collections.Generic.List[object]]::new()
function Measure-Operation([string] $Name, [long] $Records, [scriptblock] $Operation) {
    [System.GC]::Collect()
    Reset-PeakMemory
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $output = & $Operation
    $clock.Stop()
    $measurement = [pscustomobject]@{
        Operation = $Name; Seconds = [math]::Round($clock.Elapsed.TotalSeconds, 2); Records = $Records
        RecordsPerSecond = [math]::Round($Records / [math]::Max($clock.Elapsed.TotalSeconds, 0.001)); PeakRssMB = [math]::Round((Get-PeakMemory) / 1MB)
    }
    $measurements.Add($measurement)
    Write-Host ('{0,-42} {1,9:N1} s {2,12:N0} records/s {3,6:N0} MB' -f $Name, $measurement.Seconds, $measurement.RecordsPerSecond, $measurement.PeakRssMB)
    return $output
}

$server = [PSUnifiedMigration.Sandbox.LocalPostgresServer]::StartAsync($none).GetAwaiter().GetResult()
$cogneeRoot = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'psum-bench-cognee-' + [guid]::NewGuid().ToString('N'))
try {
    Write-Host "Generating $($Chunks.ToString('N0')) chunks of $Dimensions dimensions..."
    $sourceDatabase = $server.CreateDatabaseAsync('bench_source', $none).GetAwaiter().GetResult()
    $targetDatabase = $server.CreateDatabaseAsync('bench_target', $none).GetAwaiter().GetResult()
    $options = [PSUnifiedMigration.Sandbox.ClaudeContextSampleOptions]@{
        Chunks = $Chunks; Dimensions = $Dimensions; Layout = [PSUnifiedMigration.Sandbox.ChunkLayout]::Live; Projects = 4; DatasetsPerProject = 4; DocumentsPerDataset = [math]::Max(5, [int]($Chunks / 2000))
    }
    $sample = [PSUnifiedMigration.Sandbox.ClaudeContextSample]::CreateAsync($sourceDatabase, $options, $none).GetAwaiter().GetResult()
    $cognee = [PSUnifiedMigration.Sandbox.Cognee.CogneeSample]::CreateAsync([PSUnifiedMigration.Sandbox.Cognee.CogneeSampleOptions]@{
        SystemRoot = [System.IO.Path]::Combine($cogneeRoot, '.cognee_system'); DocumentsPerDataset = [math]::Max(1, [int]($Chunks / 20000)); Dimensions = $Dimensions
        GraphLayout = [PSUnifiedMigration.Sandbox.Cognee.GraphLayout]::NetworkxFile
    }, $none).GetAwaiter().GetResult()
    Write-Host "Source: $($sample.Chunks.ToString('N0')) Claude-Context chunks; Cognee: $($cognee.DataRows) data rows, $($cognee.LedgerNodes) graph ledger rows."

    $pipe = { [PSUnifiedMigration.Sandbox.Benchmark.RawCopyPipe]::MeasureAsync($sourceDatabase, 'claude_context', 'chunks', 'id', $targetDatabase, $none).GetAwaiter().GetResult() }
    $firstPipe = Measure-Operation 'raw binary COPY pipe (first)' $sample.Chunks $pipe

    $sources = @(
        New-MigrationSource -ClaudeContext -ConnectionString $sourceDatabase -Name 'bench-claude-context'
        New-MigrationSource -Cognee -Path ([System.IO.Path]::Combine($cogneeRoot, '.cognee_system')) -Name 'bench-cognee'
    )
    $target = New-MigrationTarget -ConnectionString $targetDatabase -Name 'bench-unified'
    $plan = New-MigrationPlan -Source $sources -Target $target -BatchSize $BatchSize
    
    $first = Measure-Operation 'Invoke-Migration into an empty target' $sample.Chunks { $plan | Invoke-Migration -Confirm:$false }
    # Every later operation handles what the first run read: the chunks and the Cognee records.
    $records = $first.Read
    $measurements[-1].Records = $records
    $measurements[-1].RecordsPerSecond = [math]::Round($records / [math]::Max($measurements[-1].Seconds, 0.001))
    $null = Measure-Operation 'Invoke-Migration again, source unchanged' $records { $plan | Invoke-Migration -Confirm:$false }
    $report = Measure-Operation 'Test-Migration -Mode Full' $records { $first | Test-Migration -Mode Full }
    $null = Measure-Operation 'New-MigrationSavepoint' $records { New-MigrationSavepoint -Target $target -Name 'bench' -Confirm:$false }

    $connection = [Npgsql.NpgsqlConnection]::new($sourceDatabase)
    $connection.Open()
    try {
        $command = $connection.CreateCommand()
        $command.CommandTimeout = 0
        $command.CommandText = 'UPDATE claude_context.chunks SET content = content || '' '''
        [void]$command.ExecuteNonQuery()
    }
    finally { $connection.Dispose() }

    $upsert = Measure-Operation 'Invoke-Migration after every chunk changed' $records { $plan | Invoke-Migration -Confirm:$false }
    $null = Measure-Operation 'Undo-Migration of the upsert run' $upsert.Migrated { Undo-Migration -Target $target -RunId $upsert.RunId -Confirm:$false }
    $null = Measure-Operation 'Restore-MigrationSavepoint' $records { Restore-MigrationSavepoint -Target $target -Name 'bench' -Confirm:$false }
    $secondPipe = Measure-Operation 'raw binary COPY pipe (second)' $sample.Chunks $pipe

    $reference = [math]::Min($firstPipe.Elapsed.TotalSeconds, $secondPipe.Elapsed.TotalSeconds)
    $migration = ($measurements | Where-Object Operation -eq 'Invoke-Migration into an empty target').Seconds
    $pipeRate = $sample.Chunks / $reference
    Write-Host ''
    Write-Host "Reference: raw binary COPY pipe $([math]::Round($reference, 2)) s ($([math]::Round($pipeRate).ToString('N0')) rows/s, best of two)."
    foreach ($m in $measurements) {
        # Throughput ratios compare rates, so the Cognee rows the pipe does not carry do not flatter the module.
        $m | Add-Member -NotePropertyName RatioToPipe -NotePropertyValue ([math]::Round($m.RecordsPerSecond / $pipeRate, 3))
        $m | Add-Member -NotePropertyName RatioToMigrationTime -NotePropertyValue ([math]::Round($m.Seconds / $migration, 3))
    }
    $measurements | Format-Table Operation, Seconds, RecordsPerSecond, RatioToPipe, RatioToMigrationTime, PeakRssMB -AutoSize | Out-String -Width 200 | Write-Host

    $folder = [System.IO.Path]::GetDirectoryName([System.IO.Path]::GetFullPath($OutFile))
    [void][System.IO.Directory]::CreateDirectory($folder)
    [ordered]@{
        Chunks = $sample.Chunks; Dimensions = $Dimensions; BatchSize = $BatchSize; Records = $records
        ValidationIsValid = $report.IsValid; PipeSeconds = [math]::Round($reference, 2); PipeRowsPerSecond = [math]::Round($pipeRate)
        Machine = [ordered]@{ Cores = [Environment]::ProcessorCount; Os = [System.Runtime.InteropServices.RuntimeInformation]::OSDescription; Runtime = [System.Runtime.InteropServices.RuntimeInformation]::FrameworkDescription }
        Date = [DateTimeOffset]::UtcNow.ToString('o'); Measurements = $measurements
    } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $OutFile -Encoding utf8
    Write-Host "Results written to $OutFile"
    if (-not $report.IsValid) { throw 'Test-Migration reported differences: the measured migration is not valid.' }
}
finally {
    [void]$server.DisposeAsync().AsTask().GetAwaiter().GetResult()
    if ([System.IO.Directory]::Exists($cogneeRoot)) { [System.IO.Directory]::Delete($cogneeRoot, $true) }
}
