#Requires -Version 7.4
<#
    The help against the code: for every exported cmdlet, Get-Help's syntax has one item per parameter set of
    Get-Command, with the same parameters, mandatory and positions, and no switch shown with a value; every
    parameter has a description; the online help URI points to the cmdlet's page under docs/cmdlets/, which
    exists. When the syntax drifts, `./build.ps1 -Task Help` regenerates it (tools/Update-HelpSyntax.ps1).
#>

BeforeDiscovery {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $manifest = Import-PowerShellDataFile -Path (Get-ModuleManifestPath)
    $cmdletCases = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Set-StrictMode -Version Latest

    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $manifestPath = Get-ModuleManifestPath
    Import-Module -Name $manifestPath -Force
    $projectUri = (Import-PowerShellDataFile -Path $manifestPath).PrivateData.PSData.ProjectUri
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters

    function Get-SetSignature {
        # "Name:mandatory:position" for each parameter of a parameter set, sorted: what syntax must show.
        param([Parameter(Mandatory)] [object[]] $Parameters)

        @($Parameters | ForEach-Object { "$($_.Name):$($_.Mandatory):$($_.Position)" } | Sort-Object) -join ' '
    }
}

Describe 'Help of <Name>' -Tag 'Unit' -ForEach $cmdletCases {
    BeforeAll {
        $command = Get-Command -Name $Name
        $help = Get-Help -Name $Name -Full
        $syntaxItems = @($help.syntax.syntaxItem)
    }

    It 'has one syntax item per parameter set, each with exactly that set''s parameters' {
        $expected = @($command.ParameterSets | ForEach-Object {
            Get-SetSignature -Parameters @($_.Parameters | Where-Object { $_.Name -notin $common } | ForEach-Object {
                [pscustomobject]@{ Name = $_.Name; Mandatory = $_.IsMandatory; Position = if ($_.Position -ge 0) { "$($_.Position)" } else { 'named' } }
            })
        } | Sort-Object)
        $documented = @($syntaxItems | ForEach-Object {
            Get-SetSignature -Parameters @($_.parameter | ForEach-Object {
                [pscustomobject]@{ Name = $_.name; Mandatory = [bool]::Parse($_.required); Position = $_.position }
            })
        } | Sort-Object)

        $documented | Should -Be $expected
    }

    It 'shows no switch with a value in its syntax' {
        $syntaxText = $help.syntax | Out-String -Width 4096

        $syntaxText | Should -Not -Match '<SwitchParameter>'
        $syntaxText | Should -Match ([regex]::Escape($Name))
    }

    It 'describes every parameter' {
        $undescribed = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Where-Object {
            $parameterHelp = Get-Help -Name $Name -Parameter $_ -ErrorAction SilentlyContinue
            $null -eq $parameterHelp -or [string]::IsNullOrWhiteSpace("$($parameterHelp.description.Text)")
        })

        $undescribed | Should -BeNullOrEmpty
    }

    It 'has an online help URI to its page under docs/cmdlets, and that page exists' {
        $command.HelpUri | Should -Be "$projectUri/blob/main/docs/cmdlets/$Name.md"
        $page = [System.IO.Path]::Combine((Get-TestRepositoryRoot), 'docs', 'cmdlets', "$Name.md")

        Test-Path -LiteralPath $page -PathType Leaf | Should -BeTrue
        (Get-Content -LiteralPath $page -TotalCount 1) | Should -Be "# $Name"
    }

    It 'has a page whose syntax is the syntax Get-Help shows (the page is up to date)' {
        $page = Get-Content -LiteralPath ([System.IO.Path]::Combine((Get-TestRepositoryRoot), 'docs', 'cmdlets', "$Name.md")) -Raw
        $pageSyntax = [regex]::Match($page, '(?s)## Syntax\s+```\s*(.*?)\s*```').Groups[1].Value -split '\r?\n' | ForEach-Object { $_.Trim() }
        $helpSyntax = ($help.syntax | Out-String -Width 4096).Trim() -split '\r?\n' | Where-Object { $_.Trim() } | ForEach-Object { $_.Trim() }

        $pageSyntax | Should -Be $helpSyntax
    }
}

Describe 'Help syntax of the cmdlets the issue names' -Tag 'Unit' {
    It 'shows -WhatIf and -Confirm for Export-MigrationValidationReport' {
        $syntaxText = (Get-Help -Name 'Export-MigrationValidationReport').syntax | Out-String -Width 4096

        $syntaxText | Should -Match '\[-WhatIf\]'
        $syntaxText | Should -Match '\[-Confirm\]'
    }

    It 'shows -RollbackOnFailure for New-MigrationPlan' {
        $syntaxText = (Get-Help -Name 'New-MigrationPlan').syntax | Out-String -Width 4096

        $syntaxText | Should -Match '\[-RollbackOnFailure\]'
    }
}
