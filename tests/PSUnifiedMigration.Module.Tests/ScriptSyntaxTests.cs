using System.Management.Automation.Language;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// The PowerShell scripts that run only where pwsh exists (build.ps1, the Pester suite) or under the runbook
/// host (the demo) must at least parse; PowerShell's own parser checks them here.
/// </summary>
public class ScriptSyntaxTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "", "demo", Path.Combine("tests", "Pester") })
        {
            foreach (var pattern in new[] { "*.ps1", "*.psm1", "*.psd1" })
            {
                foreach (var file in Directory.GetFiles(Path.Combine(RepositoryLayout.Root, folder), pattern))
                {
                    data.Add(Path.GetRelativePath(RepositoryLayout.Root, file));
                }
            }
        }

        data.Add(Path.Combine("module", "PSUnifiedMigration.psd1"));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(RepositoryLayout.Root, relativePath), out _, out var errors);

        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}")));
    }
}
