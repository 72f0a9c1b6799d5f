using System.Diagnostics;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>The module as a fresh process sees it, through psum-runbook, the host the demo uses.</summary>
public sealed class RunbookHostTests : IDisposable
{
    private readonly string _script = Path.Combine(Path.GetTempPath(), $"psum-runbook-test-{Guid.NewGuid():N}.ps1");

    public void Dispose() => File.Delete(_script);

    private (int ExitCode, string Output, string Error) RunScript(string script)
    {
        File.WriteAllText(_script, script);
        using var process = RunbookProcess.Start(_script);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "psum-runbook did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Cmdlet_parameters_typed_with_engine_classes_are_visible_right_after_import()
    {
        var (exitCode, output, _) = RunScript("(Get-Command Invoke-Migration).Parameters.Keys -join ','");

        Assert.Equal(0, exitCode);
        Assert.Contains("Plan", output.Split(',', StringSplitOptions.TrimEntries));
        Assert.Contains("ContinueOnError", output);
    }

    [Fact]
    public void A_terminating_error_exits_with_1_and_names_the_error_without_a_stack_trace()
    {
        var (exitCode, _, error) = RunScript("$ErrorActionPreference = 'Stop'\nNew-MigrationSource -ClaudeContext -ConnectionString 'Host=db;Bogus Key=1'");

        Assert.Equal(1, exitCode);
        Assert.Contains("ConnectionStringInvalid", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_runbook_exit_code_is_the_process_exit_code()
    {
        Assert.Equal(3, RunScript("exit 3").ExitCode);
    }
}
