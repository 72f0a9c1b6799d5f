// psum-runbook: runs a migration runbook (.ps1) in an in-process PowerShell engine, for machines without pwsh.
//
//   psum-runbook <script.ps1> [-Module <path-to-.psd1>]... [-AllowErrors] [-- Name=Value | Switch ...]
//
// Script arguments after "--" are passed as named parameters: "Name=Value" passes the string Value
// (PowerShell converts it to the parameter's type), a bare "Name" passes $true (for [switch] parameters).
//
// Without -Module, the module built in this repository (out/PSUnifiedMigration, found above the host's own
// folder) is imported, so README's runbooks run as they are.
//
// Exit codes:
//   N    the script ran `exit N`.
//   0    the script completed without writing a single error record.
//   1    a terminating error (throw, -ErrorAction Stop, parse error, module import failure), or any error
//        record at all (a command not found, a refused prompt, a plan with blockers that was invoked): a
//        broken migration in cron or CI must not show green. -AllowErrors relaxes this to terminating
//        errors only. The message, script position and FullyQualifiedErrorId go to stderr; a .NET stack
//        trace only with PSUM_RUNBOOK_DEBUG=1.
//   2    the command line is invalid.
//   130  stopped with Ctrl+C. The first Ctrl+C stops the pipeline (cmdlets' StopProcessing runs);
//        a second one terminates the process at once.

using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.PowerShell;

namespace PSUnifiedMigration.Runbook;

internal static class Program
{
    private const int FailureExitCode = 1;
    private const int UsageExitCode = 2;
    private const int StoppedExitCode = 130;

    private const string Usage = "usage: psum-runbook <script.ps1> [-Module <path-to-.psd1>]... [-AllowErrors] [-- Name=Value | Switch ...]";

    private const string ModuleManifest = "PSUnifiedMigration.psd1";

    // The runbook runs as a function made from the script file's script block, not as the file itself: for a
    // script file the engine turns `exit N` into $LASTEXITCODE, whereas from a function it reaches the host's
    // SetShouldExit, as it does for pwsh -File. The script block keeps its file, so $PSScriptRoot,
    // $PSCommandPath and error positions are those of the script. The lower-case name cannot shadow a cmdlet.
    private const string RunbookFunction = "psum-runbook-entry";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "-?")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? UsageExitCode : 0;
        }

        if (!TryParseArguments(args, out RunbookOptions options, out string? error))
        {
            Console.Error.WriteLine($"psum-runbook: {error}");
            Console.Error.WriteLine(Usage);
            return UsageExitCode;
        }

        if (options.Modules.Count == 0 && FindBuiltModule() is string built)
        {
            options.Modules.Add(built);
        }

        return Run(options);
    }

    /// <summary>The command line: the script, the modules to import, the script's parameters, and -AllowErrors.</summary>
    private sealed record RunbookOptions(string ScriptPath, List<string> Modules, Dictionary<string, object> Parameters, bool AllowErrors);

    /// <summary>
    /// out/PSUnifiedMigration/PSUnifiedMigration.psd1 in the first folder above the host's own folder that has
    /// one: where the solution build leaves the module, next to src/PSUnifiedMigration.Runbook/bin/.
    /// </summary>
    private static string? FindBuiltModule()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string manifest = Path.Combine(folder.FullName, "out", "PSUnifiedMigration", ModuleManifest);
            if (File.Exists(manifest))
            {
                return manifest;
            }
        }

        return null;
    }

    private static int Run(RunbookOptions options)
    {
        (string scriptPath, List<string> modules, Dictionary<string, object> parameters, bool allowErrors) = options;
        // Redrawing in place needs a terminal that understands ANSI cursor movement; Windows consoles only
        // do once virtual terminal processing is enabled, so they get the line-per-update log format.
        bool liveProgress = !Console.IsErrorRedirected && !OperatingSystem.IsWindows();
        var progress = new ProgressRenderer(Console.Error, liveProgress);
        var ui = new RunbookHostUserInterface(progress);
        var host = new RunbookHost(ui);

        InitialSessionState state = InitialSessionState.CreateDefault2();
        // Execution policy only exists on Windows; elsewhere setting it throws PlatformNotSupportedException.
        if (OperatingSystem.IsWindows())
        {
            state.ExecutionPolicy = ExecutionPolicy.Unrestricted;
        }

        // Otherwise a module that fails to import is reported and skipped, and the runbook runs anyway, to fail
        // later and less clearly.
        state.ThrowOnRunspaceOpenError = true;
        if (modules.Count > 0)
        {
            state.ImportPSModule(modules.ToArray());
        }

        using Runspace runspace = RunspaceFactory.CreateRunspace(host, state);
        // The Pipeline API rather than PowerShell: it keeps no copy of every progress, verbose and warning
        // record, which for a long migration would only grow memory.
        using Pipeline pipeline = runspace.CreatePipeline();

        int interrupts = 0;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                e.Cancel = true;
                pipeline.StopAsync();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            runspace.Open();
            var script = (ExternalScriptInfo)runspace.SessionStateProxy.InvokeCommand.GetCommand(scriptPath, CommandTypes.ExternalScript);

            runspace.SessionStateProxy.InvokeProvider.Item.Set($@"function:\{RunbookFunction}", script.ScriptBlock);

            // As the first command of the pipeline, a parameter binding failure (say a missing mandatory
            // parameter) fails the run instead of being reported as one more error.
            var runbook = new Command(RunbookFunction);
            foreach ((string name, object value) in parameters)
            {
                runbook.Parameters.Add(name, ConvertArgument(script, name, value));
            }

            // Errors join the output so that Out-Default renders them through the host, as pwsh does.
            runbook.MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
            pipeline.Commands.Add(runbook);
            pipeline.Commands.Add("Out-Default");

            pipeline.Invoke();

            // A stopped pipeline returns normally from Invoke, with whatever output it had.
            if (pipeline.PipelineStateInfo.State == PipelineState.Stopped)
            {
                return StoppedExitCode;
            }

            if (host.ExitCode is int exitCode)
            {
                return exitCode;
            }

            // HadErrors alone misses errors written below the runbook's top-level statements (for example inside
            // its functions), so errors the host displayed count as well.
            return !allowErrors && (pipeline.HadErrors || ui.ErrorsWritten) ? FailureExitCode : 0;
        }
        catch (InvalidPipelineStateException) when (Volatile.Read(ref interrupts) > 0)
        {
            // Ctrl+C came before the script started (while modules were imported), which stops the pipeline early.
            return StoppedExitCode;
        }
        catch (Exception exception)
        {
            ReportFailure(ui, exception);
            return FailureExitCode;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            progress.Clear();
        }
    }

    private static bool TryParseArguments(string[] args, out RunbookOptions options, out string? error)
    {
        string scriptPath = string.Empty;
        List<string> modules = [];
        // Parameter names are case-insensitive in PowerShell, so "name=a NAME=b" is a duplicate.
        var parameters = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        bool allowErrors = false;
        options = new RunbookOptions(scriptPath, modules, parameters, allowErrors);
        error = null;

        int i = 0;
        for (; i < args.Length && args[i] != "--"; i++)
        {
            if (string.Equals(args[i], "-Module", StringComparison.OrdinalIgnoreCase))
            {
                if (++i == args.Length)
                {
                    error = "-Module needs a path to a module manifest.";
                    return false;
                }

                modules.Add(Path.GetFullPath(args[i]));
            }
            else if (string.Equals(args[i], "-AllowErrors", StringComparison.OrdinalIgnoreCase))
            {
                allowErrors = true;
            }
            else if (scriptPath.Length == 0)
            {
                scriptPath = Path.GetFullPath(args[i]);
            }
            else
            {
                error = $"unexpected argument '{args[i]}' (script arguments go after \"--\").";
                return false;
            }
        }

        for (i++; i < args.Length; i++)
        {
            int equals = args[i].IndexOf('=');
            string name = equals < 0 ? args[i] : args[i][..equals];
            object value = equals < 0 ? true : args[i][(equals + 1)..];
            if (name.Length == 0)
            {
                error = $"script argument '{args[i]}' has no parameter name.";
                return false;
            }

            if (parameters.ContainsKey(name))
            {
                error = $"script argument '{name}' is given more than once.";
                return false;
            }

            parameters[name] = value;
        }

        if (scriptPath.Length == 0)
        {
            error = "no script given.";
        }
        else if (!File.Exists(scriptPath))
        {
            error = $"script '{scriptPath}' does not exist.";
        }
        else if (!scriptPath.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase))
        {
            error = $"script '{scriptPath}' is not a .ps1 file.";
        }

        options = new RunbookOptions(scriptPath, modules, parameters, allowErrors);
        return error is null;
    }

    // Command-line values are strings, and PowerShell refuses strings for [switch] and [bool] parameters,
    // so "Confirm=false" or "DryRun=true" are turned into booleans for those.
    private static object ConvertArgument(ExternalScriptInfo script, string name, object value) =>
        value is string text
            && bool.TryParse(text, out bool flag)
            && script.Parameters.TryGetValue(name, out ParameterMetadata? parameter)
            && (parameter.SwitchParameter || parameter.ParameterType == typeof(bool))
            ? flag
            : value;

    private static void ReportFailure(RunbookHostUserInterface ui, Exception exception)
    {
        ErrorRecord? record = (exception as IContainsErrorRecord)?.ErrorRecord;
        string message = record?.ErrorDetails?.Message is { Length: > 0 } details
            ? details
            : record?.Exception?.Message ?? exception.Message;

        ui.WriteErrorLine($"Runbook failed: {message}");
        // A parse error's message already lists the position of every error.
        if (exception is not ParseException && record?.InvocationInfo?.PositionMessage is { Length: > 0 } position)
        {
            ui.WriteErrorLine(position);
        }

        if (record is not null)
        {
            ui.WriteErrorLine($"FullyQualifiedErrorId: {record.FullyQualifiedErrorId}");
        }

        if (Environment.GetEnvironmentVariable("PSUM_RUNBOOK_DEBUG") == "1")
        {
            ui.WriteErrorLine(exception.ToString());
        }
    }
}
