using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;

namespace PSUnifiedMigration;

/// <summary>
/// Export-MigrationPlan: writes a plan to a JSON file for review, redacted (no secret), so that Import-MigrationPlan can run
/// it unchanged later. Refuses to overwrite an existing file without -Force.
/// </summary>
[Cmdlet(VerbsData.Export, "MigrationPlan", HelpUri = ModuleLinks.CmdletHelp + "Export-MigrationPlan.md", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportMigrationPlanCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationPlan? Plan { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Overwrites an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (File.Exists(path) && !Force)
        {
            ThrowAsTerminating(new MigrationException("PlanFileExists", MigrationErrorKind.InvalidOperation,
                $"The file {path} exists. Use -Force to overwrite it, or choose another -Path.", path));
            return;
        }

        if (!ShouldProcess(path, $"Write plan {Plan!.PlanId} as JSON"))
        {
            return;
        }

        try
        {
            PlanFile.From(Plan).Write(path);
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            return;
        }

        WriteObject(new FileInfo(path));
    }
}
