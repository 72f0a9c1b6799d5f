using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration;

/// <summary>
/// What New-MigrationPlan and Import-MigrationPlan share: planning under a progress bar, and reporting the plan the same
/// way (steps as verbose, warnings to the warning stream, each blocker a non-terminating error, then the plan).
/// </summary>
public abstract class PlanCmdletBase : MigrationCmdletBase
{
    /// <summary>Plans under a progress record; a planning failure terminates the cmdlet with its ErrorId.</summary>
    protected MigrationPlan Plan(string activity, string status, Func<CancellationToken, Task<MigrationPlan>> plan)
    {
        var progress = new ProgressRecord(1, activity, status);
        WriteProgress(progress);
        try
        {
            return RunEngine((_, token) => plan(token));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            throw; // Not reached: ThrowTerminatingError does not return.
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    protected void WritePlan(MigrationPlan plan)
    {
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
