using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;

namespace PSUnifiedMigration;

/// <summary>
/// Import-MigrationPlan: reads a plan file and re-plans its sources (given again, with their credentials) with the file's
/// options. A source missing or changed since the export is a blocker, so Invoke-Migration refuses the plan.
/// Warnings and blockers are reported as New-MigrationPlan reports them.
/// </summary>
[Cmdlet(VerbsData.Import, "MigrationPlan", HelpUri = ModuleLinks.CmdletHelp + "Import-MigrationPlan.md")]
[OutputType(typeof(MigrationPlan))]
public sealed class ImportMigrationPlanCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The plan's sources, built again (matched to the file's by name and kind).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public MigrationSource[] Source { get; set; } = [];

    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        var progress = new ProgressRecord(1, "Importing migration plan", $"Re-analysing the sources of {path}");
        WriteProgress(progress);
        MigrationPlan plan;
        try
        {
            var file = PlanFile.Read(path);
            plan = RunEngine((_, token) => PlanImporter.ImportAsync(file, Source, Target!, token));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            return;
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }

        foreach (var warning in plan.Warnings)
        {
            WriteWarning(warning.ToString());
        }

        foreach (var blocker in plan.Blockers)
        {
            WriteError(ToErrorRecord(new MigrationException(blocker.Code, blocker.Kind, "Blocker: " + blocker, plan)));
        }

        WriteObject(plan);
    }
}
