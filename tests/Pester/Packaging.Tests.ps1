#Requires -Version 7.4
<#
    The package as a user gets it: `./build.ps1 -Task Package` (run here in a child pwsh, against the current
    build) leaves a versioned module folder and a .nupkg; the manifest passes Test-ModuleManifest and has what
    Publish-PSResource needs; the .nupkg installs from a local file repository with Install-PSResource and
    imports in a fresh pwsh. Offline: the repository is a temporary folder, registered under a unique name and
    unregistered afterwards.
#>

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Set-StrictMode -Version Latest

    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'TestHelpers.psm1')) -Force
    $root = Get-TestRepositoryRoot
    $manifest = Import-PowerShellDataFile -Path (Get-ModuleManifestPath)
    $version = $manifest.ModuleVersion
    $packageFolder = [System.IO.Path]::Combine($root, 'out', 'package')
    $pwsh = [System.IO.Path]::Combine($PSHOME, $IsWindows ? 'pwsh.exe' : 'pwsh')

    $buildOutput = & $pwsh -NoProfile -NonInteractive -File ([System.IO.Path]::Combine($root, 'build.ps1')) -Task Package -Configuration (Get-TestConfiguration) 2>&1
    $buildExitCode = $LASTEXITCODE
}

Describe 'build.ps1 -Task Package' -Tag 'Package' {
    It 'succeeds' {
        $buildExitCode | Should -Be 0 -Because ($buildOutput | Out-String)
    }

    It 'writes plain text, never CLIXML, when its output is redirected' {
        ($buildOutput | Out-String) | Should -Not -Match '#< CLIXML'
    }

    It 'leaves a versioned module folder with the license and the changelog that passes Test-ModuleManifest' {
        $folder = [System.IO.Path]::Combine($packageFolder, 'PSUnifiedMigration', $version)
        $tested = Test-ModuleManifest -Path ([System.IO.Path]::Combine($folder, 'PSUnifiedMigration.psd1'))

        $tested.Version | Should -Be ([version]$version)
        Test-Path -LiteralPath ([System.IO.Path]::Combine($folder, 'LICENSE')) -PathType Leaf | Should -BeTrue
        Test-Path -LiteralPath ([System.IO.Path]::Combine($folder, 'CHANGELOG.md')) -PathType Leaf | Should -BeTrue
        Test-Path -LiteralPath ([System.IO.Path]::Combine($folder, 'en-US', 'PSUnifiedMigration.dll-Help.xml')) -PathType Leaf | Should -BeTrue
    }

    It 'has the gallery metadata Publish-PSResource needs: ProjectUri, LicenseUri, Tags, ReleaseNotes' {
        $data = $manifest.PrivateData.PSData

        $data.ProjectUri | Should -Match '^https://'
        $data.LicenseUri | Should -Be "$($data.ProjectUri)/blob/main/LICENSE"
        $data.ReleaseNotes | Should -Not -BeNullOrEmpty
        foreach ($tag in 'PSEdition_Core', 'Linux', 'Windows', 'MacOS') {
            $data.Tags | Should -Contain $tag
        }
    }

    It 'leaves a .nupkg that installs from a local repository and imports in a fresh pwsh' {
        $nupkg = [System.IO.Path]::Combine($packageFolder, "PSUnifiedMigration.$version.nupkg")
        Test-Path -LiteralPath $nupkg -PathType Leaf | Should -BeTrue

        $repository = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "psum-repo-$([guid]::NewGuid().ToString('N'))")
        $installed = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "psum-installed-$([guid]::NewGuid().ToString('N'))")
        $repositoryName = "PSUnifiedMigrationTest-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $repository, $installed
        Copy-Item -LiteralPath $nupkg -Destination $repository
        Register-PSResourceRepository -Name $repositoryName -Uri $repository -Trusted
        try {
            $found = Find-PSResource -Name 'PSUnifiedMigration' -Repository $repositoryName
            $found.Version.ToString() | Should -Be $version
            $found.ProjectUri | Should -Not -BeNullOrEmpty

            Save-PSResource -Name 'PSUnifiedMigration' -Repository $repositoryName -Path $installed -TrustRepository
            $imported = & $pwsh -NoProfile -NonInteractive -Command "`$env:PSModulePath = '$installed'; Import-Module PSUnifiedMigration; (Get-Command -Module PSUnifiedMigration).Count; (Get-Module PSUnifiedMigration).Version.ToString()"

            $LASTEXITCODE | Should -Be 0
            [int]$imported[0] | Should -Be $manifest.CmdletsToExport.Count
            $imported[1] | Should -Be $version
        }
        finally {
            Unregister-PSResourceRepository -Name $repositoryName
            Remove-Item -LiteralPath $repository, $installed -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
