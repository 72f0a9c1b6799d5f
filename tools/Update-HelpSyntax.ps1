<#
.SYNOPSIS
    Regenerates the syntax sections of the MAML help from the cmdlets' real parameters.
.DESCRIPTION
    Hand-written syntax drifts from the code (a switch shown as <SwitchParameter>, -WhatIf missing, a new
    parameter forgotten). This script imports the built module, and for every cmdlet in
    module/en-US/PSUnifiedMigration.dll-Help.xml replaces its <command:syntax> block with one syntax item per
    parameter set, made from Get-Command: mandatory, position, pipeline input and aliases as declared; a value
    type for every parameter but switches. The descriptions (the <command:parameters> block) stay hand-written.
    Run through `./build.ps1 -Task Help`, after a build. The Pester suite fails when the file is out of date.
.PARAMETER ModuleManifest
    The built module's manifest (out/PSUnifiedMigration/PSUnifiedMigration.psd1).
.PARAMETER HelpFile
    The MAML file to update (module/en-US/PSUnifiedMigration.dll-Help.xml).
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $HelpFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# Get-Help adds [<CommonParameters>] by itself; -WhatIf and -Confirm are listed like the cmdlet's own.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters

function ConvertTo-XmlText([string] $Text) {
    [System.Security.SecurityElement]::Escape($Text)
}

function Get-PipelineInput([System.Management.Automation.CommandParameterInfo] $Parameter) {
    $kinds = @(
        if ($Parameter.ValueFromPipeline) { 'ByValue' }
        if ($Parameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    if ($kinds.Count -eq 0) { 'False' } else { "True ($($kinds -join ', '))" }
}

function Get-SyntaxItem([string] $Cmdlet, [System.Management.Automation.CommandParameterSetInfo] $Set, [string] $Indent) {
    # Positional parameters by position, then mandatory named ones, then the rest, in declaration order.
    $parameters = @($Set.Parameters | Where-Object { $_.Name -notin $common })
    $ordered = @(
        $parameters | Where-Object { $_.Position -ge 0 } | Sort-Object -Property Position
        $parameters | Where-Object { $_.Position -lt 0 -and $_.IsMandatory }
        $parameters | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory }
    )
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("$Indent<command:syntaxItem>")
    $lines.Add("$Indent  <maml:name>$Cmdlet</maml:name>")
    foreach ($parameter in $ordered) {
        $position = if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }
        $aliases = if ($parameter.Aliases.Count -gt 0) { $parameter.Aliases -join ', ' } else { 'none' }
        $attributes = "required=`"$($parameter.IsMandatory.ToString().ToLowerInvariant())`" variableLength=`"true`" globbing=`"false`" " +
                      "pipelineInput=`"$(Get-PipelineInput $parameter)`" position=`"$position`" aliases=`"$(ConvertTo-XmlText $aliases)`""
        $lines.Add("$Indent  <command:parameter $attributes>")
        $lines.Add("$Indent    <maml:name>$($parameter.Name)</maml:name>")
        if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $lines.Add("$Indent    <command:parameterValue required=`"true`" variableLength=`"false`">$(ConvertTo-XmlText $parameter.ParameterType.Name)</command:parameterValue>")
        }

        $lines.Add("$Indent  </command:parameter>")
    }

    $lines.Add("$Indent</command:syntaxItem>")
    $lines -join "`n"
}

$module = Import-Module -Name $ModuleManifest -PassThru -Force
$text = [System.IO.File]::ReadAllText($HelpFile)
$commandPattern = [regex]'(?s)<command:command\b.*?</command:command>'
$updated = $commandPattern.Replace($text, {
    param($commandMatch)
    $block = $commandMatch.Value
    $name = [regex]::Match($block, '<command:name>([^<]+)</command:name>').Groups[1].Value
    $command = Get-Command -Name $name -Module $module.Name -ErrorAction SilentlyContinue
    if ($null -eq $command) {
        throw "The help file describes $name, which the module does not export."
    }

    $syntax = [regex]::Match($block, '(?s)(?<indent>[ ]*)<command:syntax>.*?</command:syntax>')
    if (-not $syntax.Success) {
        throw "The help of $name has no <command:syntax> block."
    }

    $indent = $syntax.Groups['indent'].Value
    # The default parameter set first, as Get-Command shows it.
    $sets = @($command.ParameterSets | Sort-Object -Property @{ Expression = { -not $_.IsDefault } }, Name)
    $items = $sets | ForEach-Object { Get-SyntaxItem -Cmdlet $name -Set $_ -Indent "$indent  " }
    $generated = "$indent<command:syntax>`n$($items -join "`n")`n$indent</command:syntax>"
    $block.Substring(0, $syntax.Index) + $generated + $block.Substring($syntax.Index + $syntax.Length)
})

$described = @([regex]::Matches($text, '<command:name>([^<]+)</command:name>') | ForEach-Object { $_.Groups[1].Value })
$undocumented = @($module.ExportedCmdlets.Keys | Where-Object { $_ -notin $described })
if ($undocumented.Count -gt 0) {
    Write-Warning "No help in $HelpFile for: $($undocumented -join ', ')."
}

if ($updated -ne $text) {
    [System.IO.File]::WriteAllText($HelpFile, $updated, [System.Text.UTF8Encoding]::new($false))
    Write-Host "Updated the syntax in $HelpFile."
}
else {
    Write-Host "The syntax in $HelpFile is up to date."
}
