using System.Diagnostics;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>A script run by psum-runbook, the host the demo uses, in a child process with the built module imported.</summary>
public static class RunbookProcess
{
    /// <summary>Starts the script; <paramref name="parameters"/> reach it as named parameters.</summary>
    public static Process Start(string scriptPath, params (string Name, string Value)[] parameters) =>
        StartWith(["-Module", RepositoryLayout.ModuleManifest], scriptPath, parameters);

    /// <summary>Runs the script to its end (failing the test when it takes longer than <paramref name="timeout"/>): exit code, stdout, stderr.</summary>
    public static (int ExitCode, string Output, string Error) Run(string[] hostOptions, string scriptPath, TimeSpan timeout, params (string Name, string Value)[] parameters)
    {
        using var process = StartWith(hostOptions, scriptPath, parameters);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(timeout), $"psum-runbook did not finish {scriptPath} within {timeout}");
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts the script with the host options given (-Module, -AllowErrors) instead of the built module's -Module.</summary>
    public static Process StartWith(string[] hostOptions, string scriptPath, params (string Name, string Value)[] parameters)
    {
        var host = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "src", "PSUnifiedMigration.Runbook", "bin"), "psum-runbook.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { host, scriptPath }.Concat(hostOptions))
        {
            start.ArgumentList.Add(argument);
        }

        if (parameters.Length > 0)
        {
            start.ArgumentList.Add("--");
            foreach (var (name, value) in parameters)
            {
                start.ArgumentList.Add($"{name}={value}");
            }
        }

        return Process.Start(start)!;
    }
}
