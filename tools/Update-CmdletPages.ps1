<#
.SYNOPSIS
    Writes docs/cmdlets/<Cmdlet>.md, one page per cmdlet, from the module's help: the online help that
    Get-Help -Online opens (each cmdlet's HelpUri points to its page).
.DESCRIPTION
    The pages are made from Get-Help, so they say what the MAML help says (synopsis, syntax from the real
    parameters, description, parameters, inputs, outputs, examples, notes, links) and never drift from it.
    Edit module/en-US/PSUnifiedMigration.dll-Help.xml, then run `./build.ps1 -Task Help`.
.PARAMETER ModuleManifest
    The built module's manifest; its help file must be the one to publish.
.PARAMETER OutputFolder
    docs/cmdlets.
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $OutputFolder
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Get-Paragraphs([object] $Described) {
    # MAML descriptions are lists of paragraphs (objects with a Text property).
    @($Described | Where-Object { $null -ne $_ } | ForEach-Object { "$($_.Text)".Trim() } | Where-Object { $_ })
}

function Get-CmdletPage([string] $Name) {
    $help = Get-Help -Name $Name -Full
    $syntax = ($help.syntax | Out-String -Width 4096).Trim() -split '\r?\n' | Where-Object { $_.Trim() }
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("# $Name")
    $lines.Add('')
    $lines.Add("$($help.Synopsis)".Trim())
    $lines.Add('')
    $lines.Add('## Syntax')
    $lines.Add('')
    $lines.Add('```')
    $syntax | ForEach-Object { $lines.Add($_.Trim()) }
    $lines.Add('```')
    $lines.Add('')
    $lines.Add('## Description')
    $lines.Add('')
    Get-Paragraphs $help.description | ForEach-Object { $lines.Add($_); $lines.Add('') }
    $lines.Add('## Parameters')
    $lines.Add('')
    foreach ($parameter in @($help.parameters.parameter)) {
        $lines.Add("### -$($parameter.name)")
        $lines.Add('')
        Get-Paragraphs $parameter.description | ForEach-Object { $lines.Add($_); $lines.Add('') }
        $type = if ($parameter.PSObject.Properties['type']) { "$($parameter.type.name)" } else { '' }
        $lines.Add("Type: ``$type``; required: $($parameter.required); position: $($parameter.position); " +
                   "pipeline input: $($parameter.pipelineInput); aliases: $($parameter.aliases).")
        $lines.Add('')
    }

    foreach ($section in @(
            @{ Title = 'Inputs'; Items = $help.PSObject.Properties['inputTypes'] ? @($help.inputTypes.inputType) : @() }
            @{ Title = 'Outputs'; Items = $help.PSObject.Properties['returnValues'] ? @($help.returnValues.returnValue) : @() })) {
        if ($section.Items.Count -eq 0) { continue }
        $lines.Add("## $($section.Title)")
        $lines.Add('')
        foreach ($item in $section.Items) {
            $lines.Add("``$("$($item.type.name)".Trim())``")
            $lines.Add('')
            Get-Paragraphs $item.description | ForEach-Object { $lines.Add($_); $lines.Add('') }
        }
    }

    $examples = $help.PSObject.Properties['examples'] -and $help.examples ? @($help.examples.example) : @()
    if ($examples.Count -gt 0) {
        $lines.Add('## Examples')
        $lines.Add('')
        foreach ($example in $examples) {
            $lines.Add("### $("$($example.title)".Trim([char[]]'- '))")
            $lines.Add('')
            $lines.Add('```powershell')
            $lines.Add("$($example.code)".Trim())
            $lines.Add('```')
            $lines.Add('')
            Get-Paragraphs $example.remarks | ForEach-Object { $lines.Add($_); $lines.Add('') }
        }
    }

    $notes = $help.PSObject.Properties['alertSet'] -and $help.alertSet ? @(Get-Paragraphs $help.alertSet.alert) : @()
    if ($notes.Count -gt 0) {
        $lines.Add('## Notes')
        $lines.Add('')
        $notes | ForEach-Object { $lines.Add($_); $lines.Add('') }
    }

    $lines.Add('---')
    $lines.Add('')
    $lines.Add("Generated from the module's help (module/en-US/PSUnifiedMigration.dll-Help.xml) by ``./build.ps1 -Task Help``; " +
               'edit the help, not this page. Index: [cmdlets.md](../cmdlets.md).')
    ($lines -join "`n") + "`n"
}

$module = Import-Module -Name $ModuleManifest -PassThru -Force
$null = New-Item -ItemType Directory -Path $OutputFolder -Force
foreach ($name in @($module.ExportedCmdlets.Keys | Sort-Object)) {
    $path = [System.IO.Path]::Combine($OutputFolder, "$name.md")
    [System.IO.File]::WriteAllText($path, (Get-CmdletPage -Name $name), [System.Text.UTF8Encoding]::new($false))
    Write-Host "Wrote $path."
}
