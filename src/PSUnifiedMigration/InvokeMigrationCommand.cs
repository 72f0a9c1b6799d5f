using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration;

/// <summary>
/// Invoke-Migration: runs a plan. Each batch commits with its checkpoint; bad records stop the run
/// with an error naming the record, or with -ContinueOnError go to the reject table and are counted.
/// Transient failures are retried from the last checkpoint; -Resume continues an interrupted run. A run that fails
/// writes its result (Status Failed) and then a non-terminating error, so the result is never lost with the error.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Migration", HelpUri = ModuleLinks.CmdletHelp + "Invoke-Migration.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MigrationResult))]
public sealed class InvokeMigrationCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationPlan? Plan { get; set; }

    /// <summary>Reject records that cannot be migrated (with their reason) instead of stopping the run.</summary>
    [Parameter]
    public SwitchParameter ContinueOnError { get; set; }

    /// <summary>Continue the target's latest run from its checkpoints when it did not finish; otherwise start a new run.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Continue this unfinished run from its checkpoints (implies -Resume).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public Guid RunId { get; set; }

    /// <summary>How often a transient failure (lost connection, restarted server) is retried from the last checkpoint before the run fails.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int MaxRetries { get; set; } = RetryPolicy.Default.MaxRetries;

    /// <summary>Take a savepoint of every store before the run and restore it when the run fails (also the plan's RollbackOnFailure).</summary>
    [Parameter]
    public SwitchParameter RollbackOnFailure { get; set; }

    protected override void ProcessRecord()
    {
        var plan = Plan!;
        if (!plan.CanInvoke)
        {
            ThrowAsTerminating(new MigrationException("PlanHasBlockers", MigrationErrorKind.InvalidOperation,
                $"The plan has {plan.Blockers.Count} blocker(s) and cannot be invoked. {string.Join(" ", plan.Blockers)}", plan));
        }

        var sources = string.Join(", ", plan.Sources.Select(s => s.Name));
        if (!ShouldProcess(plan.Target.ToString(), $"Migrate {plan.Steps.Count} step(s), about {plan.TotalRecords:N0} records, from {sources}"))
        {
            return;
        }

        var progress = new MigrationProgressWriter(this, $"Migrating into {plan.Target.Name}");
        MigrationResult result;
        try
        {
            var options = new MigrationRunOptions(ContinueOnError)
            {
                Resume = Resume || MyInvocation.BoundParameters.ContainsKey(nameof(RunId)),
                ResumeRunId = MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null,
                Retry = RetryPolicy.Default with { MaxRetries = MaxRetries },
                RollbackOnFailure = RollbackOnFailure || plan.RollbackOnFailure,
            };
            result = RunEngine((post, token) => MigrationExecutor.RunAsync(plan, options, p => post(() => progress.Write(p)), token));
        }
        catch (MigrationRunFailedException e)
        {
            progress.Complete($"{e.Result.Status}: {e.Message}");
            foreach (var warning in e.Result.Warnings)
            {
                WriteWarning(warning);
            }

            if (e.Result.RollbackSavepoint is not null || e.Result.Rollback is not null)
            {
                // Whether the rollback worked, and what state each store is in, is what the operator must read next.
                WriteWarning(e.Result.FailureMessage);
            }

            // The result first, then the error, non-terminating: `$r = $plan | Invoke-Migration` keeps the failed run in $r, and
            // -ErrorAction Stop (or $ErrorActionPreference = 'Stop') still stops the script at the error.
            WriteObject(e.Result);
            WriteError(ToErrorRecord(e));
            return;
        }
        catch (MigrationException e)
        {
            progress.Complete("Failed");
            ThrowAsTerminating(e);
            return;
        }

        if (result.ResumedFrom is { } previous)
        {
            WriteVerbose($"Resumed run {result.RunId}, which was {previous}; steps continued from their checkpoints.");
        }

        progress.Complete($"{result.Status}: {result.Read:N0} read, {result.Migrated:N0} migrated, {result.Skipped:N0} skipped, {result.Rejected:N0} rejected");
        foreach (var step in result.Steps)
        {
            WriteVerbose($"{step.Name}: {step.Status}, read {step.Read}, migrated {step.Migrated}, skipped {step.Skipped}, rejected {step.Rejected}, " +
                         $"deleted at source {step.DeletedAtSource?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not checked"}, in {step.Duration}.");
        }

        if (result.Rejected > 0)
        {
            WriteWarning($"{result.Rejected} record(s) were rejected and not migrated. Their reasons are in the result's Errors and in " +
                         $"{result.RejectTable} (run_id '{result.RunId}').");
        }

        foreach (var warning in result.Warnings)
        {
            WriteWarning(warning);
        }

        if (result.Steps.Sum(s => s.IdCollisions) is var collisions and > 0)
        {
            WriteWarning($"{collisions} record(s) kept their place under a name-based id because another record held their id; see unified.id_map.");
        }

        WriteObject(result);
    }
}
