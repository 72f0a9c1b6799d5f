@{
    RootModule           = 'PSUnifiedMigration.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '0f6f5d0e-7a43-4f4e-9c1b-2d8f1e6a9b37'
    Author               = 'PSUnifiedMigration team'
    CompanyName          = 'PSUnifiedMigration'
    Copyright            = '(c) PSUnifiedMigration team. All rights reserved.'
    Description          = 'Plans, runs, validates and rolls back migrations of Claude-Context installations into one unified store (PostgreSQL system of record).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PSUnifiedMigration.format.ps1xml')
    TypesToProcess       = @('PSUnifiedMigration.types.ps1xml')
    CmdletsToExport      = @(
        'New-MigrationSource'
        'New-MigrationTarget'
        'New-MigrationPlan'
        'Invoke-Migration'
        'Test-Migration'
        'Export-MigrationValidationReport'
        'New-MigrationSavepoint'
        'Get-MigrationSavepoint'
        'Restore-MigrationSavepoint'
        'Remove-MigrationSavepoint'
        'Undo-Migration'
        'Get-MigrationRun'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('migration', 'postgresql', 'pgvector', 'claude-context')
            ProjectUri = ''
        }
    }
}
