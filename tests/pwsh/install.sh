#!/usr/bin/env bash
# Installs real pwsh (the PowerShell dotnet tool, exactly 7.6.10) and Pester 5.9.1 from NuGet into one folder,
# for the Pester suite (./build.ps1 -Task Pester) on machines without them. Nothing is installed system-wide.
#   tests/pwsh/install.sh [DIR]        (DIR defaults to .psum/tools under the repository)
# Then:  export PATH="DIR/pwsh:$PATH" PSModulePath="DIR/modules"
# 7.6.10 exactly: later tool versions do not install from every NuGet mirror. Pester ships as a NuGet package
# whose tools/ folder is the module; a throwaway project downloads it (PackageDownload), and the folder is laid
# out as modules/Pester/<version> so that Import-Module finds it on PSModulePath.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/.psum/tools}
pwsh_version=7.6.10
pester_version=5.9.1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ ! -x "$dir/pwsh/pwsh" ]; then
  dotnet tool install PowerShell --version "$pwsh_version" --tool-path "$dir/pwsh" >/dev/null
fi

if [ ! -f "$dir/modules/Pester/$pester_version/Pester.psd1" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cat > "$work/download.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$pester_version]" /></ItemGroup>
</Project>
PROJECT
  dotnet restore "$work/download.csproj" --packages "$work/packages" >/dev/null
  mkdir -p "$dir/modules/Pester"
  rm -rf "$dir/modules/Pester/$pester_version"
  cp -R "$work/packages/pester/$pester_version/tools" "$dir/modules/Pester/$pester_version"
fi

"$dir/pwsh/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' | sed 's/^/pwsh /'
echo "Pester $pester_version in $dir/modules"
