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
public sealed class ImportMigrationPlanCommand : PlanCmdletBase
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
        PlanFile file;
        try
        {
            file = PlanFile.Read(path);
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            return;
        }

        WritePlan(Plan("Importing migration plan", $"Re-analysing the sources of {path}", token => PlanImporter.ImportAsync(file, Source, Target!, token)));
    }
}
