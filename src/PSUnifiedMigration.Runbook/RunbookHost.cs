using System.Globalization;
using System.Management.Automation.Host;

namespace PSUnifiedMigration.Runbook;

/// <summary>
/// The PowerShell host of an unattended runbook run: console output, no nested prompts, and the exit
/// code a script asks for with <c>exit N</c>.
/// </summary>
internal sealed class RunbookHost(RunbookHostUserInterface ui) : PSHost
{
    public override string Name => "psum-runbook";

    public override Version Version { get; } = typeof(RunbookHost).Assembly.GetName().Version ?? new Version(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => ui;

    // Captured once: the engine reads these from its own threads, whose cultures it sets from the host.
    public override CultureInfo CurrentCulture { get; } = CultureInfo.CurrentCulture;

    public override CultureInfo CurrentUICulture { get; } = CultureInfo.CurrentUICulture;

    /// <summary>The code passed to <c>exit</c>, or null when the script did not call it.</summary>
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    public override void EnterNestedPrompt() => throw RunbookHostUserInterface.NonInteractive("enter a nested prompt");

    public override void ExitNestedPrompt() => throw RunbookHostUserInterface.NonInteractive("leave a nested prompt");

    // Native programs write straight to the console; there is no console state to save or restore around them.
    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}
