using System.Management.Automation;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;

namespace PSUnifiedMigration;

/// <summary>
/// New-MigrationPlan: analyses the sources (piped or given) and the target, read-only, and returns the plan.
/// Warnings go to the warning stream; each blocker is a non-terminating error and keeps the plan from being invoked.
/// </summary>
[Cmdlet(VerbsCommon.New, "MigrationPlan", HelpUri = ModuleLinks.CmdletHelp + "New-MigrationPlan.md")]
[OutputType(typeof(MigrationPlan))]
public sealed class NewMigrationPlanCommand : PlanCmdletBase
{
    private readonly List<MigrationSource> _sources = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public MigrationSource[] Source { get; set; } = [];

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = MigrationPlanner.DefaultBatchSize;

    /// <summary>Make Invoke-Migration take a savepoint before the run and restore it when the run fails.</summary>
    [Parameter]
    public SwitchParameter RollbackOnFailure { get; set; }

    protected override void ProcessRecord() => _sources.AddRange(Source);

    protected override void EndProcessing()
    {
        var plan = Plan("Planning migration", $"Analysing {_sources.Count} source(s) and the target",
            token => MigrationPlanner.PlanAsync(_sources, Target!, BatchSize, token));
        plan.RollbackOnFailure = RollbackOnFailure;
        WritePlan(plan);
    }
}
