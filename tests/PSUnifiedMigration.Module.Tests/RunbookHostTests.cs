using System.Diagnostics;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>The module as a fresh process sees it, through psum-runbook, the host the demo uses.</summary>
public sealed class RunbookHostTests : IDisposable
{
    private readonly string _script = Path.Combine(Path.GetTempPath(), $"psum-runbook-test-{Guid.NewGuid():N}.ps1");

    public void Dispose() => File.Delete(_script);

    private (int ExitCode, string Output, string Error) RunScript(string script) =>
        RunScriptWith(["-Module", RepositoryLayout.ModuleManifest], script);

    private (int ExitCode, string Output, string Error) RunScriptWith(string[] hostOptions, string script)
    {
        File.WriteAllText(_script, script);
        return RunbookProcess.Run(hostOptions, _script, TimeSpan.FromMinutes(2));
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

    [Fact]
    public void Any_error_record_fails_the_run_unless_AllowErrors_is_given()
    {
        const string script = "Get-NoSuchCommandAnywhere\n'after the error'";

        var strict = RunScript(script);
        var relaxed = RunScriptWith(["-Module", RepositoryLayout.ModuleManifest, "-AllowErrors"], script);

        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("Get-NoSuchCommandAnywhere", strict.Error);
        Assert.Contains("after the error", strict.Output);
        Assert.Equal(0, relaxed.ExitCode);
        Assert.Contains("after the error", relaxed.Output);
    }

    [Fact]
    public void A_refused_prompt_fails_the_run()
    {
        var (exitCode, output, error) = RunScript("$credential = Get-Credential\n'continued'");

        Assert.Equal(1, exitCode);
        Assert.Contains("Get-Credential", error);
        Assert.Contains("continued", output);
    }

    [Fact]
    public void Without_Module_the_built_module_is_imported()
    {
        var (exitCode, output, error) = RunScriptWith([], "(Get-Module PSUnifiedMigration).ModuleBase");

        Assert.True(exitCode == 0, error);
        Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(RepositoryLayout.ModuleManifest)), output.Trim());
    }
}
