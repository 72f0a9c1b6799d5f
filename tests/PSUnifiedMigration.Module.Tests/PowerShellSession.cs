using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>What one pipeline produced, stream by stream.</summary>
public sealed record PipelineRun(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<VerboseRecord> Verbose,
    RuntimeException? Terminating,
    PSInvocationState State = PSInvocationState.Completed)
{
    /// <summary>Every error: the non-terminating ones and the one that stopped the pipeline.</summary>
    public IEnumerable<ErrorRecord> AllErrors => Terminating?.ErrorRecord is { } stop ? Errors.Append(stop) : Errors;

    public PSObject Single() => Assert.Single(Output);
}

/// <summary>
/// A runspace of the real PowerShell engine (System.Management.Automation) with the built module
/// imported from out/PSUnifiedMigration, as a user would import it.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(RepositoryLayout.ModuleManifest);
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public void Set(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    public object? Get(string name) => _runspace.SessionStateProxy.GetVariable(name);

    public PipelineRun Run(string script) => RunAndStopWhen(script, null);

    /// <summary>Runs a script; when a condition is given, stops it (as Ctrl+C does) at the first progress record that meets it.</summary>
    public PipelineRun RunAndStopWhen(string script, Func<ProgressRecord, bool>? stopWhen)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        var stopping = 0;
        if (stopWhen is not null)
        {
            shell.Streams.Progress.DataAdded += (_, e) =>
            {
                if (stopWhen(shell.Streams.Progress[e.Index]) && Interlocked.Exchange(ref stopping, 1) == 0)
                {
                    shell.BeginStop(null, null);
                }
            };
        }
        RuntimeException? terminating = null;
        Collection<PSObject> output = [];
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException e)
        {
            terminating = e;
        }

        return new PipelineRun(output, shell.Streams.Error.ToArray(), shell.Streams.Warning.ToArray(),
            shell.Streams.Progress.ToArray(), shell.Streams.Verbose.ToArray(), terminating, shell.InvocationStateInfo.State);
    }

    public void Dispose() => _runspace.Dispose();
}
