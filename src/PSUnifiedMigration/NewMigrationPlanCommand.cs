using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;

namespace PSUnifiedMigration;

/// <summary>
/// New-MigrationPlan: analyses the sources (piped or given) and the target, read-only, and returns the plan.
/// Warnings go to the warning stream; each blocker is a non-terminating error and keeps the plan from being invoked.
/// </summary>
[Cmdlet(VerbsCommon.New, "MigrationPlan", HelpUri = ModuleLinks.CmdletHelp + "New-MigrationPlan.md")]
[OutputType(typeof(MigrationPlan))]
public sealed class NewMigrationPlanCommand : MigrationCmdletBase
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
        var progress = new ProgressRecord(1, "Planning migration", $"Analysing {_sources.Count} source(s) and the target");
        WriteProgress(progress);
        MigrationPlan plan;
        try
        {
            plan = RunEngine((_, token) => MigrationPlanner.PlanAsync(_sources, Target!, BatchSize, token));
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

        plan.RollbackOnFailure = RollbackOnFailure;
        foreach (var step in plan.Steps)
        {
            WriteVerbose($"Step {step.Order}: {step.Name} -> unified.{step.TargetTable}, about {step.EstimatedRecords} records ({step.EstimatedBytes} bytes).");
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
