namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// The demo (demo/Invoke-Demo.ps1, small samples) as psum-runbook runs it: its first line says at once what it does,
/// and it ends with a verdict block (valid or not, counts, duration, where the report was written) whose report exists.
/// </summary>
public sealed class DemoVerdictTests
{
    [Fact]
    public void The_demo_starts_with_what_it_does_and_ends_with_a_verdict_naming_its_report()
    {
        var demo = Path.Combine(RepositoryLayout.Root, "demo", "Invoke-Demo.ps1");
        var (exitCode, output, error) = RunbookProcess.Run([], demo, TimeSpan.FromMinutes(8),
            ("Chunks", "60"), ("Dimensions", "8"), ("BatchSize", "20"), ("CogneeDocumentsPerDataset", "1"));
        Assert.True(exitCode == 0, error);

        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("PSUnifiedMigration demo: 60 Claude-Context chunks of 8 dimensions", lines[0]);
        var verdict = lines.SkipWhile(l => l != "== Verdict").ToArray();
        Assert.Equal(6, verdict.Length);
        Assert.StartsWith("VALID: ", verdict[1]);
        Assert.Matches(@"^Records:\s+(\d+) read, \1 migrated, 0 skipped, 0 rejected$", verdict[2]);
        Assert.Matches(@"^Checks:\s+[1-9]\d* passed, 0 failed \((Quick|Full) validation\)$", verdict[3]);
        Assert.Matches(@"^Duration:\s+\d+ s in all", verdict[4]);
        var report = verdict[5]["Report:".Length..].Trim();
        Assert.True(File.Exists(report), report);
        Assert.Contains("\"IsValid\": true", File.ReadAllText(report));
        File.Delete(report);
    }
}
