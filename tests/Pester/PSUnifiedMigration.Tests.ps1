#Requires -Version 7.4
<#
    Pester 5 specification of the PSUnifiedMigration module, as a user sees it: the built module is imported
    from out/PSUnifiedMigration and driven through its cmdlets only. The integration tests mirror the xUnit
    module suite (tests/PSUnifiedMigration.Module.Tests) against a real PostgreSQL: one throwaway server for
    this file (or the one in PSUM_TEST_POSTGRES), and databases of their own for every test.

    Run it with ./build.ps1 -Task Pester (after ./build.ps1), or Invoke-Pester on this folder; the helpers use the
    Release build unless $env:PSUM_CONFIGURATION names another (build.ps1 sets it).
    Tags: Unit needs only the built module; Integration also needs PostgreSQL server binaries.
#>

BeforeDiscovery {
    # The cmdlets, what they output, and their own parameters (common parameters left out).
    $cmdletCases = @(
        @{
            Name       = 'New-MigrationSource'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationSource'
            Parameters = @('ClaudeContext', 'Cognee', 'ConnectionString', 'Credential', 'Name', 'Schema', 'QdrantUri', 'QdrantApiKey', 'Path', 'SqlitePath', 'GraphPath', 'GraphConnectionString', 'VectorConnectionString', 'MilvusUri', 'Token', 'CodebaseSnapshotPath')
        }
        @{
            Name       = 'New-MigrationTarget'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationTarget'
            Parameters = @('ConnectionString', 'Credential', 'Name', 'QdrantUri', 'QdrantApiKey', 'Neo4jUri', 'Neo4jCredential', 'Neo4jDatabase')
        }
        @{
            Name       = 'New-MigrationPlan'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationPlan'
            Parameters = @('Source', 'Target', 'BatchSize', 'RollbackOnFailure')
        }
        @{
            Name       = 'Invoke-Migration'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationResult'
            Parameters = @('Plan', 'ContinueOnError', 'Resume', 'RunId', 'MaxRetries', 'RollbackOnFailure')
        }
        @{
            Name       = 'Test-Migration'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationValidationReport, System.Boolean'
            Parameters = @('Result', 'Plan', 'Source', 'Target', 'Mode', 'SampleSize', 'MaxDifferences', 'Quiet')
        }
        @{
            Name       = 'Export-MigrationValidationReport'
            OutputType = 'System.IO.FileInfo'
            Parameters = @('Report', 'Path', 'Format', 'Force')
        }
        @{
            Name       = 'Export-MigrationPlan'
            OutputType = 'System.IO.FileInfo'
            Parameters = @('Plan', 'Path', 'Force')
        }
        @{
            Name       = 'Import-MigrationPlan'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationPlan'
            Parameters = @('Path', 'Source', 'Target')
        }
        @{
            Name       = 'New-MigrationSavepoint'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationSavepoint'
            Parameters = @('Target', 'Name', 'Force')
        }
        @{
            Name       = 'Get-MigrationSavepoint'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationSavepoint'
            Parameters = @('Target', 'Name')
        }
        @{
            Name       = 'Restore-MigrationSavepoint'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationRestoreResult'
            Parameters = @('Savepoint', 'Target', 'Name')
        }
        @{
            Name       = 'Remove-MigrationSavepoint'
            OutputType = 'System.Void'
            Parameters = @('Savepoint', 'Target', 'Name')
        }
        @{
            Name       = 'Undo-Migration'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationUndoResult'
            Parameters = @('Target', 'RunId', 'Result')
        }
        @{
            Name       = 'Get-MigrationRun'
            OutputType = 'PSUnifiedMigration.Engine.Model.MigrationRun'
            Parameters = @('Target', 'RunId', 'Watch', 'Interval')
        }
    )

    # The cmdlets that change something, and how much confirmation they ask for.
    $changingCmdletCases = @(
        @{ Name = 'Invoke-Migration'; ConfirmImpact = 'Medium' }
        @{ Name = 'New-MigrationSavepoint'; ConfirmImpact = 'Low' }
        @{ Name = 'Restore-MigrationSavepoint'; ConfirmImpact = 'High' }
        @{ Name = 'Remove-MigrationSavepoint'; ConfirmImpact = 'High' }
        @{ Name = 'Undo-Migration'; ConfirmImpact = 'High' }
        @{ Name = 'Export-MigrationValidationReport'; ConfirmImpact = 'Medium' }
        @{ Name = 'Export-MigrationPlan'; ConfirmImpact = 'Medium' }
    )

    # Every way a password can reach New-MigrationSource or New-MigrationTarget.
    $passwordRoutes = @(
        @{
            Route  = 'in a key=value connection string'
            Create = { New-MigrationSource -ClaudeContext -ConnectionString 'Host=db01;Database=cc;Password=inline-s3cret' }
        }
        @{
            Route  = 'in a postgresql:// URI'
            Create = { New-MigrationTarget -ConnectionString 'postgresql://ops:uri-s3cret@db02:5433/unified' }
        }
        @{
            Route  = 'with -Credential'
            Create = {
                $password = [System.Net.NetworkCredential]::new('', 'cred-s3cret').SecurePassword
                New-MigrationTarget -ConnectionString 'Host=db03;Database=unified' -Credential ([pscredential]::new('ops', $password))
            }
        }
    )

    # Each kind of bad record: the SQL that turns a copy (table x) of a source chunk into one, the record key
    # and field the error must name, and its ErrorId. The same kinds, in the same order, as BadInputTests.
    $badRecordCases = @(
        @{
            Kind    = 'dimension'
            Change  = 'UPDATE x SET id = ''bad_dimension'', vector = vector[1:767]'
            Key     = 'bad_dimension'
            Field   = 'vector'
            ErrorId = 'VectorDimensionMismatch'
        }
        @{
            Kind    = 'nan'
            Change  = 'UPDATE x SET id = ''bad_nan'', vector[5] = ''NaN'''
            Key     = 'bad_nan'
            Field   = 'vector'
            ErrorId = 'VectorNotFinite'
        }
        @{
            Kind    = 'infinity'
            Change  = 'UPDATE x SET id = ''bad_infinity'', vector[7] = ''Infinity'''
            Key     = 'bad_infinity'
            Field   = 'vector'
            ErrorId = 'VectorNotFinite'
        }
        @{
            Kind    = 'null-id'
            Change  = 'UPDATE x SET id = NULL'
            Key     = 'ctid'
            Field   = 'id'
            ErrorId = 'RecordIdNull'
        }
        @{
            Kind    = 'duplicate-id'
            Change  = 'UPDATE x SET content = ''a second record with the same id'''
            Key     = ''
            Field   = 'id'
            ErrorId = 'RecordIdDuplicate'
        }
        @{
            Kind    = 'nul-text'
            Change  = 'UPDATE x SET id = ''bad_nul'', metadata = ''{"note": "a\u0000b"}'''
            Key     = 'bad_nul'
            Field   = 'metadata'
            ErrorId = 'TextContainsNul'
        }
        @{
            Kind    = 'dangling-project'
            Change  = 'UPDATE x SET id = ''bad_project'', project_id = ''00000000-0000-4000-8000-000000000001'''
            Key     = 'bad_project'
            Field   = 'project_id'
            ErrorId = 'ReferenceDangling'
        }
        @{
            Kind    = 'dangling-dataset'
            Change  = 'UPDATE x SET id = ''bad_dataset'', dataset_id = ''00000000-0000-4000-8000-000000000002'''
            Key     = 'bad_dataset'
            Field   = 'dataset_id'
            ErrorId = 'ReferenceDangling'
        }
    )
}

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Set-StrictMode -Version Latest

    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $manifestPath = Get-ModuleManifestPath
    Import-Module -Name $manifestPath -Force

    function New-ScenarioPlan {
        # The plan the xUnit suites make: the scenario's source, named 'cc', into its target.
        [CmdletBinding()]
        param(
            [Parameter(Mandatory)] $Scenario,
            [int] $BatchSize
        )

        $planParameters = @{
            Source = New-MigrationSource -ClaudeContext -ConnectionString $Scenario.Source -Name 'cc'
            Target = New-MigrationTarget -ConnectionString $Scenario.Target
        }
        if ($PSBoundParameters.ContainsKey('BatchSize')) {
            $planParameters.BatchSize = $BatchSize
        }

        New-MigrationPlan @planParameters
    }
}

Describe 'Module contract' -Tag 'Unit' {
    BeforeAll {
        $manifest = Import-PowerShellDataFile -Path $manifestPath
        $module = Get-Module -Name 'PSUnifiedMigration'
        $commonParameters = @([System.Management.Automation.Cmdlet]::CommonParameters) +
            @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
    }

    It 'exports exactly the cmdlets its manifest lists, and nothing else' {
        $exported = @($module.ExportedCommands.Keys | Sort-Object)
        $listed = @($manifest.CmdletsToExport | Sort-Object)

        ($exported -join ', ') | Should -Be ($listed -join ', ')
    }

    It 'declares that <Name> outputs <OutputType>' -ForEach $cmdletCases {
        $declared = @((Get-Command -Name $Name).OutputType | ForEach-Object { $_.Name })

        ($declared -join ', ') | Should -Be $OutputType
    }

    It 'gives <Name> exactly its documented parameters' -ForEach $cmdletCases {
        $actual = @((Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $commonParameters } | Sort-Object)

        ($actual -join ', ') | Should -Be ((@($Parameters) | Sort-Object) -join ', ')
    }

    It 'lets <Name>, which changes something, run with -WhatIf and -Confirm' -ForEach $changingCmdletCases {
        $metadata = [System.Management.Automation.CommandMetadata]::new((Get-Command -Name $Name).ImplementingType)

        $metadata.SupportsShouldProcess | Should -BeTrue
    }

    It 'rates the impact of <Name> as <ConfirmImpact>' -ForEach $changingCmdletCases {
        $metadata = [System.Management.Automation.CommandMetadata]::new((Get-Command -Name $Name).ImplementingType)

        $metadata.ConfirmImpact.ToString() | Should -Be $ConfirmImpact
    }

    It 'has a Get-Help synopsis for <Name>' -ForEach $cmdletCases {
        $synopsis = "$((Get-Help -Name $Name).Synopsis)".Trim()
        $generatedSyntax = "$(Get-Command -Name $Name -Syntax)".Trim()

        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -Be $generatedSyntax -Because 'without a help file, Get-Help shows the generated syntax in place of a synopsis'
    }
}

Describe 'Connection strings' -Tag 'Unit' {
    # New-MigrationSource and New-MigrationTarget connect to nothing, so these need no server.

    BeforeAll {
        # Everything a script could print of a described source or target.
        function Get-ShownText([object] $Described) {
            @(
                $Described.ConnectionString
                $Described.ToString()
                $Described | Out-String -Width 4096
                $Described | Format-List -Property * | Out-String -Width 4096
            ) -join [System.Environment]::NewLine
        }
    }

    It 'shows the password given <Route> as Password=********' -ForEach $passwordRoutes {
        $described = & $Create

        $described.ConnectionString | Should -Match ([regex]::Escape('Password=********'))
    }

    It 'never shows the password given <Route>, in any property or text' -ForEach $passwordRoutes {
        $described = & $Create

        $shown = Get-ShownText -Described $described
        $shown | Should -Not -Match 's3cret'
    }

    It 'never shows the Milvus token of an upstream Claude-Context source, in any property or text' {
        $token = [System.Net.NetworkCredential]::new('', 'milvus-s3cret').SecurePassword
        $described = New-MigrationSource -ClaudeContext -MilvusUri 'https://milvus01:19530' -Token $token

        $shown = Get-ShownText -Described $described
        $shown | Should -Not -Match 's3cret'
        $described.ConnectionString | Should -Be 'https://milvus01:19530 (token ********)'
        "$($described.System)" | Should -Be 'ClaudeContext'
    }

    It 'keeps the port of a postgresql:// URI' {
        $target = New-MigrationTarget -ConnectionString 'postgresql://ops:uri-s3cret@db02:5433/unified'

        $target.ConnectionString | Should -Match ([regex]::Escape('Port=5433'))
    }
}

Describe 'Against a real PostgreSQL' -Tag 'Integration' {
    BeforeAll {
        $server = $null
        $server = Start-TestPostgresServer
    }

    AfterAll {
        if ($null -ne $server) {
            Stop-TestPostgresServer -Server $server
        }
    }

    Describe 'Invoke-Migration' {
        Context 'a sample installation with the <Layout> chunk layout, migrated once' -ForEach @(
            @{ Layout = 'Schema' }
            @{ Layout = 'Live' }
        ) {
            BeforeAll {
                $scenario = New-TestScenario -Server $server -Chunks 250 -Layout $Layout -Seed 3
                $result = New-ScenarioPlan -Scenario $scenario -BatchSize 64 |
                    Invoke-Migration -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable runErrors
                $report = $result | Test-Migration -ErrorAction SilentlyContinue -ErrorVariable validationErrors
            }

            It 'writes no error' {
                $runErrors | Should -BeNullOrEmpty
                $validationErrors | Should -BeNullOrEmpty
            }

            It 'succeeds' {
                $result.Status.ToString() | Should -Be 'Succeeded'
            }

            It 'migrates every record' {
                $result.Migrated | Should -Be $scenario.TotalRecords
            }

            It 'stores every chunk with its 768-dimension dense vector' {
                Get-TestSqlScalar $scenario.Target 'SELECT count(*) FROM unified.chunks WHERE cardinality(dense_vector) = 768' |
                    Should -Be $scenario.Sample.Chunks
            }

            It 'is proven valid by Test-Migration' {
                $report.IsValid | Should -BeTrue -Because ($report.Errors -join '; ')
            }

            It 'has no failed checks in its validation report' {
                $report.FailedChecks | Should -BeNullOrEmpty
            }
        }

        Context 'a second run of the same migration' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $null = New-ScenarioPlan -Scenario $scenario -BatchSize 64 | Invoke-Migration -Confirm:$false
                $stateAfterFirstRun = Get-TargetStateFingerprint $scenario.Target
                $second = New-ScenarioPlan -Scenario $scenario -BatchSize 64 -WarningAction SilentlyContinue |
                    Invoke-Migration -Confirm:$false
            }

            It 'migrates nothing' {
                $second.Migrated | Should -Be 0
            }

            It 'skips every record' {
                $second.Skipped | Should -Be $scenario.TotalRecords
            }

            It 'leaves the target exactly as the first run left it' {
                Get-TargetStateFingerprint $scenario.Target | Should -Be $stateAfterFirstRun
            }
        }

        Context 'a run stopped by a bad record, continued with -Resume -ContinueOnError' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server -Layout Live
                Invoke-TestSql $scenario.Source "UPDATE claude_context.chunks SET vector[3] = 'NaN' WHERE id = (SELECT max(id) FROM claude_context.chunks)"
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 64
                $firstError = $null
                try {
                    $null = $plan | Invoke-Migration -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop
                }
                catch {
                    $firstError = $_
                }
                $resumed = $plan | Invoke-Migration -Resume -ContinueOnError -Confirm:$false -WarningAction SilentlyContinue
            }

            It 'stops the first run on the bad record' {
                $firstError.FullyQualifiedErrorId | Should -BeLike 'VectorNotFinite*'
            }

            It 'continues the run that failed' {
                $resumed.ResumedFrom.ToString() | Should -Be 'Failed'
                $resumed.Status.ToString() | Should -Be 'CompletedWithRejects'
            }

            It 'counts every record once' {
                $resumed.Read | Should -Be $scenario.TotalRecords
                $resumed.Rejected | Should -Be 1
                $resumed.Migrated + $resumed.Skipped + $resumed.Rejected | Should -Be $resumed.Read
            }

            It 'keeps one run in the journal and leaves no checkpoints' {
                Get-TestSqlScalar $scenario.Target 'SELECT count(*) FROM unified_migration.runs' | Should -Be 1
                Get-TestSqlScalar $scenario.Target 'SELECT count(*) FROM unified_migration.checkpoints' | Should -Be 0
            }
        }

        Context 'a run with -WhatIf' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 64
                $whatIfOutput = @($plan | Invoke-Migration -WhatIf -ErrorAction SilentlyContinue -ErrorVariable whatIfErrors)
            }

            It 'returns no result' {
                $whatIfOutput | Should -BeNullOrEmpty
            }

            It 'writes no error' {
                $whatIfErrors | Should -BeNullOrEmpty
            }

            It 'creates nothing in the target' {
                Get-TestSqlScalar $scenario.Target "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'unified%'" |
                    Should -Be 0
            }
        }

        Context 'the progress of a run' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 64

                # Progress records cannot be redirected into a variable, so the run goes through a PowerShell
                # instance of its own, whose Streams.Progress keeps every record (as PowerShellSession does).
                $shell = [powershell]::Create([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
                try {
                    $null = $shell.AddCommand('Import-Module').AddParameter('Name', $manifestPath).AddStatement()
                    $null = $shell.AddScript('param($Plan) $Plan | Invoke-Migration -Confirm:$false').AddParameter('Plan', $plan)
                    $null = $shell.Invoke()
                    if ($shell.Streams.Error.Count -gt 0) {
                        throw "The run failed: $($shell.Streams.Error[0])"
                    }

                    $progress = @($shell.Streams.Progress)
                }
                finally {
                    $shell.Dispose()
                }

                $runRecords = @($progress | Where-Object { $_.ActivityId -eq 1 })
                $stepRecords = @($progress | Where-Object { $_.ParentActivityId -eq 1 })
            }

            It 'shows the run as a parent record that ends Completed' {
                $runRecords | Should -Not -BeNullOrEmpty
                $runRecords[-1].RecordType | Should -Be ([System.Management.Automation.ProgressRecordType]::Completed)
            }

            It 'shows the rate and the errors in the run status, and the time left once, as SecondsRemaining' {
                $withFigures = @($runRecords | Where-Object {
                        $_.StatusDescription -like '*rec/s*' -and $_.StatusDescription -like '*errors*' -and $_.StatusDescription -notlike '*ETA*'
                    })

                $withFigures | Should -Not -BeNullOrEmpty
                @($runRecords | Where-Object StatusDescription -like '*ETA*') | Should -BeNullOrEmpty -Because 'PowerShell prints SecondsRemaining itself; a second ETA in the status was cut into "ETA 00:00:1011s"'
                $runRecords[0].SecondsRemaining | Should -Be -1 -Because 'no estimate before any work was measured'
            }

            It 'shows one child record per step, under the run' {
                @($stepRecords | Select-Object -ExpandProperty ActivityId -Unique) | Should -HaveCount 5
            }

            It 'ends the record of every step Completed' {
                $notCompleted = @($stepRecords | Group-Object -Property ActivityId | Where-Object {
                        @($_.Group)[-1].RecordType -ne [System.Management.Automation.ProgressRecordType]::Completed
                    } | ForEach-Object { $_.Name })

                $stepRecords | Should -Not -BeNullOrEmpty
                $notCompleted | Should -BeNullOrEmpty -Because 'the last record of every step must be Completed'
            }
        }

        Context 'a run stopped as Ctrl+C stops it' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server -Chunks 3000 -Layout 'Live' -Seed 2
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 50

                # As PowerShellSession.RunAndStopWhen does: the run goes through a PowerShell instance of its own,
                # which is stopped (what Ctrl+C does to a pipeline) once the chunks step reports 100 records read.
                $shell = [powershell]::Create([System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2())
                try {
                    $null = $shell.AddCommand('Import-Module').AddParameter('Name', $manifestPath).AddStatement()
                    $null = $shell.AddScript('param($Plan) $Plan | Invoke-Migration -Confirm:$false').AddParameter('Plan', $plan)
                    $stopRequested = $false
                    $stopClock = [System.Diagnostics.Stopwatch]::new()
                    $invocation = $shell.BeginInvoke()
                    $seen = 0
                    while (-not $invocation.IsCompleted -and -not $stopRequested) {
                        $null = $invocation.AsyncWaitHandle.WaitOne(10)
                        while ($seen -lt $shell.Streams.Progress.Count -and -not $stopRequested) {
                            $record = $shell.Streams.Progress[$seen]
                            $seen++
                            # A step's status starts with the records read so far: "1,050 of 3,000 read: ...".
                            $readSoFar = 0L
                            $isNumber = [long]::TryParse($record.StatusDescription.Split(' ')[0], [System.Globalization.NumberStyles]::AllowThousands,
                                [System.Globalization.CultureInfo]::InvariantCulture, [ref]$readSoFar)
                            if ($record.ParentActivityId -eq 1 -and $record.Activity -like '*chunks*' -and $isNumber -and $readSoFar -ge 100) {
                                $stopRequested = $true
                                $stopClock.Start()
                                $shell.Stop()
                                $stopClock.Stop()
                            }
                        }
                    }

                    $stoppedOutput = @()
                    try {
                        $stoppedOutput = @($shell.EndInvoke($invocation))
                    }
                    catch {
                        # A stopped pipeline ends with a PipelineStoppedException; the state below tells what happened.
                        $null = $_
                    }

                    $finalState = $shell.InvocationStateInfo.State
                }
                finally {
                    $shell.Dispose()
                }
            }

            It 'stops the pipeline' {
                $stopRequested | Should -BeTrue -Because 'the chunks step must have reported 100 records read before the run ended'
                $finalState.ToString() | Should -Be 'Stopped'
            }

            It 'returns no result' {
                $stoppedOutput | Should -BeNullOrEmpty
            }

            It 'ends the run promptly, within 10 seconds' {
                $stopClock.Elapsed.TotalSeconds | Should -BeLessOrEqual 10
            }

            It 'keeps only whole batches of chunks' {
                $chunks = Get-TestSqlScalar $scenario.Target 'SELECT count(*) FROM unified.chunks'

                $chunks | Should -BeGreaterOrEqual 100
                $chunks | Should -BeLessOrEqual 2999
                $chunks % 50 | Should -Be 0
            }

            It 'journals the run as Cancelled' {
                Get-TestSqlScalar $scenario.Target 'SELECT status FROM unified_migration.runs' | Should -Be 'Cancelled'
            }
        }
    }

    Describe 'New-MigrationPlan' {
        Context 'with a source that cannot be reached' {
            BeforeAll {
                $unreachable = 'Host=127.0.0.1;Port={0};Database=cc;Timeout=5' -f (Get-ClosedTcpPort)
                $source = New-MigrationSource -ClaudeContext -ConnectionString $unreachable
                $target = New-MigrationTarget -ConnectionString (New-TestDatabase -Server $server -Prefix 'dst')
                $plan = New-MigrationPlan -Source $source -Target $target -ErrorAction SilentlyContinue -ErrorVariable planErrors
            }

            It 'writes one error, PostgresUnreachable' {
                $planErrors | Should -HaveCount 1
                $planErrors[0].FullyQualifiedErrorId | Should -Be 'PostgresUnreachable,PSUnifiedMigration.NewMigrationPlanCommand'
            }

            It 'classifies it as a ConnectionError' {
                $planErrors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ConnectionError)
            }

            It 'says what to check, without a stack trace' {
                $planErrors[0].Exception.Message | Should -Match ([regex]::Escape('Check that the server is running'))
                $planErrors[0].Exception.Message | Should -Not -Match ([regex]::Escape('   at '))
            }

            It 'still returns the plan, marked as one that cannot be invoked' {
                $plan | Should -Not -BeNullOrEmpty
                $plan.CanInvoke | Should -BeFalse
                $plan.IsBlocked | Should -BeTrue
            }

            It 'keeps Invoke-Migration from running the plan, with PlanHasBlockers' {
                { $plan | Invoke-Migration -Confirm:$false -ErrorAction Stop } |
                    Should -Throw -ErrorId 'PlanHasBlockers,PSUnifiedMigration.InvokeMigrationCommand'
            }
        }

        Context 'with a database that does not exist' {
            BeforeAll {
                $missing = Get-ConnectionStringForDatabase -ConnectionString $server.AdminConnectionString -Database 'no_such_database'
                $planOutput = @(New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $missing) -Target (New-MigrationTarget $missing) -ErrorAction Continue 2>&1)
                $planErrors = @($planOutput | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            }

            It 'reports it as PostgresDatabaseNotFound, for the source and for the target' {
                $planErrors | Should -HaveCount 2
                foreach ($planError in $planErrors) {
                    $planError.FullyQualifiedErrorId | Should -Be 'PostgresDatabaseNotFound,PSUnifiedMigration.NewMigrationPlanCommand'
                }
            }

            It 'names the database' {
                $planErrors[0].Exception.Message | Should -Match ([regex]::Escape("'no_such_database' does not exist"))
            }

            It 'still returns the plan, marked as one that cannot be invoked' {
                $plans = @($planOutput | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })

                $plans | Should -HaveCount 1
                $plans[0].CanInvoke | Should -BeFalse
            }
        }

        Context 'with a source database that holds no Claude-Context installation' {
            BeforeAll {
                $empty = New-TestDatabase -Server $server -Prefix 'empty'
                # A target of its own: the source database as target would be a second blocker, TargetIsSource.
                $unified = New-TestDatabase -Server $server -Prefix 'unified'
                $plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $empty) -Target (New-MigrationTarget $unified) -ErrorAction SilentlyContinue -ErrorVariable planErrors
            }

            It 'writes one error, SourceSchemaMissing' {
                $planErrors | Should -HaveCount 1
                $planErrors[0].FullyQualifiedErrorId | Should -Be 'SourceSchemaMissing,PSUnifiedMigration.NewMigrationPlanCommand'
            }

            It 'names the remedy, -Schema' {
                $planErrors[0].Exception.Message | Should -Match ([regex]::Escape('-Schema'))
            }

            It 'returns a plan that cannot be invoked' {
                $plan | Should -Not -BeNullOrEmpty
                $plan.CanInvoke | Should -BeFalse
            }
        }
    }

    Describe 'Bad input' {
        BeforeAll {
            function New-BadRecordScenario {
                # A live-layout source whose chunks table allows what real ones sometimes hold (no key constraint,
                # json metadata), plus one bad record per change: a copy of a chunk, changed, inserted back.
                param([Parameter(Mandatory)] [string[]] $Change)

                $scenario = New-TestScenario -Server $server -Chunks 120 -Layout 'Live' -Seed 11
                Invoke-TestSql $scenario.Source @'
ALTER TABLE claude_context.chunks DROP CONSTRAINT chunks_pkey;
ALTER TABLE claude_context.chunks ALTER COLUMN id DROP NOT NULL;
ALTER TABLE claude_context.chunks ALTER COLUMN metadata TYPE json USING metadata::json;
'@
                foreach ($oneChange in $Change) {
                    $insertBadRecord = @(
                        'CREATE TEMP TABLE x AS SELECT * FROM claude_context.chunks WHERE id LIKE ''chunk\_%'' ORDER BY id LIMIT 1;'
                        "$oneChange;"
                        'INSERT INTO claude_context.chunks SELECT * FROM x;'
                        'DROP TABLE x;'
                    ) -join [System.Environment]::NewLine
                    Invoke-TestSql $scenario.Source $insertBadRecord
                }

                $scenario
            }
        }

        Context 'a source with a <Kind> record, migrated without -ContinueOnError' -ForEach $badRecordCases {
            BeforeAll {
                $scenario = New-BadRecordScenario -Change $Change
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 50 -WarningAction SilentlyContinue

                # Invoke-Migration writes the result so far, then stops with a terminating error: both are kept.
                $results = [System.Collections.Generic.List[object]]::new()
                $thrown = $null
                try {
                    $plan | Invoke-Migration -Confirm:$false -ErrorAction Stop | ForEach-Object { $results.Add($_) }
                }
                catch {
                    $thrown = $_
                }
            }

            It 'stops the run with the error <ErrorId>' {
                $thrown | Should -Not -BeNullOrEmpty -Because 'the run must stop at the bad record'
                $thrown.FullyQualifiedErrorId | Should -Be "$ErrorId,PSUnifiedMigration.InvokeMigrationCommand"
            }

            It 'names the record and the field <Field>' {
                $thrown.Exception.Message | Should -Match ([regex]::Escape("field '$Field'"))
                if ($Key -ne '') {
                    # A duplicate id has no key of its own to look for; every other kind names its record.
                    $thrown.Exception.Message | Should -Match ([regex]::Escape($Key))
                }
            }

            It 'points to -ContinueOnError' {
                $thrown.Exception.Message | Should -Match ([regex]::Escape('-ContinueOnError'))
            }

            It 'shows no stack trace' {
                $thrown.Exception.Message | Should -Not -Match ([regex]::Escape('   at '))
            }

            It 'still returns the result so far, marked Failed' {
                $results | Should -HaveCount 1
                $results[0].Status.ToString() | Should -Be 'Failed'
            }
        }

        Context 'a source with every kind of bad record, migrated with -ContinueOnError' -ForEach @(
            @{ AllBadRecords = $badRecordCases }
        ) {
            BeforeAll {
                $badRecordCount = @($AllBadRecords).Count
                $scenario = New-BadRecordScenario -Change @($AllBadRecords | ForEach-Object { $_.Change })
                $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 50 -WarningAction SilentlyContinue
                $result = $plan | Invoke-Migration -ContinueOnError -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable runErrors -WarningAction SilentlyContinue -WarningVariable runWarnings
                $report = $result | Test-Migration -ErrorAction SilentlyContinue -ErrorVariable validationErrors
            }

            It 'writes no error' {
                $runErrors | Should -BeNullOrEmpty
                $validationErrors | Should -BeNullOrEmpty
            }

            It 'completes with rejects' {
                $result.Status.ToString() | Should -Be 'CompletedWithRejects'
            }

            It 'reads every record, the bad ones included' {
                $result.Read | Should -Be ($scenario.TotalRecords + $badRecordCount)
            }

            It 'rejects exactly the bad records' {
                $result.Rejected | Should -Be $badRecordCount
            }

            It 'accounts for every record read: Migrated + Rejected + Skipped = Read' {
                ($result.Migrated + $result.Rejected + $result.Skipped) | Should -Be $result.Read
            }

            It 'says so itself, with CountsAddUp' {
                $result.CountsAddUp | Should -BeTrue
            }

            It 'accounts for every record read in every step' {
                foreach ($step in $result.Steps) {
                    ($step.Migrated + $step.Rejected + $step.Skipped) | Should -Be $step.Read -Because "step $($step.Name) read $($step.Read)"
                }
            }

            It 'warns how many records were rejected' {
                $rejectWarnings = @($runWarnings | Where-Object { $_.Message -like "$badRecordCount record(s) were rejected*" })

                $rejectWarnings | Should -HaveCount 1
            }

            It 'keeps the ErrorId and the field of every rejected record in the reject table' {
                $expected = [System.Collections.Generic.List[string]]::new()
                foreach ($badRecord in $AllBadRecords) {
                    $expected.Add(('{0}/{1}' -f $badRecord.ErrorId, $badRecord.Field))
                }
                $expected.Sort([System.StringComparer]::Ordinal)

                $rejects = Get-TestSqlScalar $scenario.Target "SELECT string_agg(error_id || '/' || field, ',' ORDER BY error_id, field) FROM unified_migration.rejects"
                $rejects | Should -Be ($expected -join ',')
            }

            It 'gives a RejectQuery that finds every rejected record of the run' {
                Get-TestSqlScalar $scenario.Target "SELECT count(*) FROM ($($result.RejectQuery)) AS rejects" |
                    Should -Be $badRecordCount
            }

            It 'is proven valid by Test-Migration' {
                $report.IsValid | Should -BeTrue -Because ($report.Errors -join '; ')
            }
        }
    }

    Describe 'Objects read at a glance' {
        BeforeAll {
            # Every model object a session meets: the plan, a run, its validation, a savepoint, its restore, the journal,
            # an undo, and every model object nested in them (issue 16, point 2).
            $scenario = New-TestScenario -Server $server -Chunks 60 -Seed 17
            $target = New-MigrationTarget -ConnectionString $scenario.Target
            $plan = New-ScenarioPlan -Scenario $scenario -BatchSize 25
            $savepoint = New-MigrationSavepoint -Target $target -Name 'glance'
            $result = $plan | Invoke-Migration -Confirm:$false
            $report = $result | Test-Migration
            $runs = @(Get-MigrationRun -Target $target)
            $undo = $result | Undo-Migration -Confirm:$false
            $restore = Restore-MigrationSavepoint -Target $target -Name 'glance' -Confirm:$false

            $found = @{}
            $walk = {
                param($Value, [int] $Depth)
                if ($null -eq $Value -or $Depth -gt 5 -or $Value -is [string]) { return }
                if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [System.Collections.IDictionary]) {
                    foreach ($item in @($Value | Select-Object -First 3)) { & $walk $item ($Depth + 1) }
                    return
                }
                $type = $Value.GetType()
                if ($type.Namespace -ne 'PSUnifiedMigration.Engine.Model' -or $found.ContainsKey($type.Name)) { return }
                $found[$type.Name] = $Value
                foreach ($property in $type.GetProperties()) {
                    if ($property.GetIndexParameters().Count -eq 0) { & $walk $property.GetValue($Value) ($Depth + 1) }
                }
            }
            foreach ($made in @($plan, $savepoint, $result, $report, $runs, $undo, $restore, $target)) { & $walk $made 0 }

            $typeNameMarks = @('PSUnifiedMigration.', '`1', '`2', 'System.String[]', 'System.Collections.', 'System.Object[]')
            $objectCases = @($found.Keys | Sort-Object | ForEach-Object { @{ TypeName = $_; Object = $found[$_] } })
        }

        It 'meets the model types a session works with, nested ones included' {
            foreach ($expected in 'MigrationPlan', 'MigrationPlanStep', 'SourceAnalysis', 'SourceTableAnalysis', 'TargetAnalysis', 'MigrationResult',
                'MigrationStepResult', 'MigrationValidationReport', 'ValidationCheck', 'MigrationSavepoint', 'SavepointTable', 'MigrationRestoreResult',
                'StoreRestoreResult', 'MigrationUndoResult', 'UndoTableResult', 'MigrationRun', 'MigrationTarget', 'MigrationSource') {
                $found.Keys | Should -Contain $expected
            }
        }

        It 'shows no type name in "$x", Format-Table or Format-List of any of them' {
            foreach ($case in $objectCases) {
                $x = $case.Object
                $shown = @(
                    "$x"
                    $x | Format-Table | Out-String -Width 250
                    $x | Format-List | Out-String -Width 250
                ) -join "`n"
                foreach ($mark in $typeNameMarks) {
                    $shown.Contains($mark) | Should -BeFalse -Because "$($case.TypeName) must show its content, not '$mark':`n$shown"
                }
            }
        }

        It 'has a format view for every public model type' {
            $modelTypes = $plan.GetType().Assembly.GetExportedTypes() | Where-Object {
                $_.Namespace -eq 'PSUnifiedMigration.Engine.Model' -and -not $_.IsEnum -and -not ($_.IsAbstract -and $_.IsSealed) -and
                -not [Exception].IsAssignableFrom($_)
            }
            foreach ($type in $modelTypes) {
                Get-FormatData -TypeName $type.FullName | Should -Not -BeNullOrEmpty -Because "$($type.Name) needs a view"
            }
        }

        It 'right-aligns the counts of Get-MigrationRun''s table' {
            $table = $runs | Format-Table | Out-String -Width 250
            $header = ($table -split "`n" | Where-Object { $_ -match '\bRead\b' } | Select-Object -First 1)
            $header | Should -Match '\s+Read\s+Migrated'
            "$($runs[0])" | Should -Match ([regex]::Escape("Run $($result.RunId)"))
        }

        It 'shows the planned total and percentage of a journaled run' {
            $runs[0].Total | Should -Be $plan.TotalRecords
            $runs[0].PercentComplete | Should -Be 100
            "$($runs[0])" | Should -Match ([regex]::Escape("of about $($plan.TotalRecords.ToString('N0', [cultureinfo]::InvariantCulture)) read"))
            ($runs | Format-List | Out-String -Width 250) | Should -Match 'Total\s+: about [\d,]+ records, 100% read'
        }
    }

    Describe 'Savepoints' {
        Context 'restoring a savepoint after the store changed' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $target = New-MigrationTarget -ConnectionString $scenario.Target
                $null = New-ScenarioPlan -Scenario $scenario | Invoke-Migration -Confirm:$false
                $null = New-MigrationSavepoint -Target $target -Name 'after-first-run'
                $savedState = Get-TargetStateFingerprint $scenario.Target

                Invoke-TestSql $scenario.Target @'
DELETE FROM unified.chunks WHERE ctid IN (SELECT ctid FROM unified.chunks LIMIT 40);
UPDATE unified.projects SET name = 'changed after the savepoint';
'@
                if ((Get-TargetStateFingerprint $scenario.Target) -eq $savedState) {
                    throw 'Changing the store did not change its fingerprint; the restore would prove nothing.'
                }

                $restored = @(Get-MigrationSavepoint -Target $target -Name 'after-*' |
                        Restore-MigrationSavepoint -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable restoreErrors)
            }

            It 'writes no error' {
                $restoreErrors | Should -BeNullOrEmpty
            }

            It 'gives back exactly the state saved' {
                Get-TargetStateFingerprint $scenario.Target | Should -Be $savedState
            }

            It 'reports the restore as verified' {
                $restored | Should -HaveCount 1
                $restored[0].Verified | Should -BeTrue
            }
        }

        Context 'a savepoint taken before the first run' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $target = New-MigrationTarget -ConnectionString $scenario.Target
                $null = New-MigrationSavepoint -Target $target -Name 'before'
                $null = New-ScenarioPlan -Scenario $scenario | Invoke-Migration -Confirm:$false
                $rowsSql = 'SELECT (SELECT count(*) FROM unified.projects) + (SELECT count(*) FROM unified.chunks) + (SELECT count(*) FROM unified.id_map)'
                if ((Get-TestSqlScalar $scenario.Target $rowsSql) -eq 0) {
                    throw 'The run migrated nothing; restoring to an empty store would prove nothing.'
                }

                $null = Restore-MigrationSavepoint -Target $target -Name 'before' -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable restoreErrors
            }

            It 'writes no error' {
                $restoreErrors | Should -BeNullOrEmpty
            }

            It 'restores to an empty store' {
                Get-TestSqlScalar $scenario.Target $rowsSql | Should -Be 0
            }
        }

        Context 'a restore with -WhatIf' {
            BeforeAll {
                $scenario = New-TestScenario -Server $server
                $target = New-MigrationTarget -ConnectionString $scenario.Target
                $null = New-MigrationSavepoint -Target $target -Name 'empty'
                $null = New-ScenarioPlan -Scenario $scenario | Invoke-Migration -Confirm:$false
                $stateBefore = Get-TargetStateFingerprint $scenario.Target

                $whatIfOutput = @(Restore-MigrationSavepoint -Target $target -Name 'empty' -WhatIf)
            }

            It 'returns no result' {
                $whatIfOutput | Should -BeNullOrEmpty
            }

            It 'changes nothing' {
                Get-TargetStateFingerprint $scenario.Target | Should -Be $stateBefore
            }
        }

        Context 'a savepoint that does not exist' {
            It 'cannot be restored: an ObjectNotFound error, SavepointNotFound' {
                $target = New-MigrationTarget -ConnectionString (New-TestDatabase -Server $server -Prefix 'dst')

                $thrown = { Restore-MigrationSavepoint -Target $target -Name 'no-such-savepoint' -Confirm:$false -ErrorAction Stop } |
                    Should -Throw -ErrorId 'SavepointNotFound,PSUnifiedMigration.RestoreMigrationSavepointCommand' -PassThru
                $thrown.CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::ObjectNotFound)
            }
        }

        Context 'a second savepoint of the same name' {
            BeforeAll {
                $target = New-MigrationTarget -ConnectionString (New-TestDatabase -Server $server -Prefix 'dst')
                $null = New-MigrationSavepoint -Target $target -Name 'sp'
            }

            It 'is refused with SavepointExists' {
                { New-MigrationSavepoint -Target $target -Name 'sp' -ErrorAction Stop } |
                    Should -Throw -ErrorId 'SavepointExists,PSUnifiedMigration.NewMigrationSavepointCommand'
            }

            It 'replaces the first one with -Force' {
                $replaced = New-MigrationSavepoint -Target $target -Name 'sp' -Force

                $replaced.Name | Should -Be 'sp'
            }
        }
    }
}
