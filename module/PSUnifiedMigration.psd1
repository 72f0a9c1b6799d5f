@{
    RootModule           = 'PSUnifiedMigration.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '0f6f5d0e-7a43-4f4e-9c1b-2d8f1e6a9b37'
    Author               = 'PSUnifiedMigration team'
    CompanyName          = 'PSUnifiedMigration'
    Copyright            = '(c) 2026 PSUnifiedMigration team. MIT License.'
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
        'Export-MigrationPlan'
        'Import-MigrationPlan'
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
            # PSEdition_Core and the OS tags let the gallery's filters find the module (Find-PSResource -Tag).
            Tags         = @('migration', 'postgresql', 'pgvector', 'claude-context', 'cognee', 'neo4j', 'qdrant',
                             'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            # The same address as ModuleLinks.Project in the cmdlet assembly (a Pester test holds them equal).
            ProjectUri   = 'https://github.com/psunifiedmigration/PSUnifiedMigration'
            LicenseUri   = 'https://github.com/psunifiedmigration/PSUnifiedMigration/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md: https://github.com/psunifiedmigration/PSUnifiedMigration/blob/main/CHANGELOG.md'
        }
    }
}
