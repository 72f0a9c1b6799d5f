using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>New-MigrationSavepoint: takes a consistent, named copy of the unified store.</summary>
[Cmdlet(VerbsCommon.New, "MigrationSavepoint", HelpUri = ModuleLinks.CmdletHelp + "New-MigrationSavepoint.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(MigrationSavepoint))]
public sealed class NewMigrationSavepointCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Replace a savepoint of the same name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Target!.ToString(), $"Create savepoint '{Name}'"))
        {
            return;
        }

        try
        {
            WriteObject(RunEngine((_, token) => MigrationSavepoints.CreateAsync(Target, Name, Force, token)));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }
}
