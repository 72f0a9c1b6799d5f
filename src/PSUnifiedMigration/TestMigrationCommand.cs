using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration;

/// <summary>
/// Test-Migration: proves a migration. Compares counts (source = target + rejected), the content of every record
/// (or a sample with -Mode Quick), the relationships, the vectors and the projection stores, and returns a
/// MigrationValidationReport, or with -Quiet a single boolean. Works on a run (-Result, from the pipeline), on a plan,
/// or on any source and target pair migrated earlier.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Migration", HelpUri = ModuleLinks.CmdletHelp + "Test-Migration.md", DefaultParameterSetName = ResultSet)]
[OutputType(typeof(MigrationValidationReport))]
[OutputType(typeof(bool))]
public sealed class TestMigrationCommand : MigrationCmdletBase
{
    private const string ResultSet = "Result";
    private const string PlanSet = "Plan";
    private const string SourceSet = "Source";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ResultSet)]
    [ValidateNotNull]
    public MigrationResult? Result { get; set; }

    /// <summary>Validates the plan's sources against its target without a run.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
    [ValidateNotNull]
    public MigrationPlan? Plan { get; set; }

    /// <summary>Validates these sources against -Target without a run (plans them first, read-only).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SourceSet)]
    [ValidateNotNullOrEmpty]
    public MigrationSource[] Source { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = SourceSet)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    /// <summary>
    /// Full (the default) compares every record; Quick compares counts and a sample per step. A string, not the engine's
    /// enum: a value-type field of an engine type would load the engine before the module's resolver is in place.
    /// </summary>
    [Parameter]
    [ValidateSet("Full", "Quick")]
    public string Mode { get; set; } = "Full";

    /// <summary>Records compared per step in Quick mode.</summary>
    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int SampleSize { get; set; } = 1000;

    /// <summary>How many differing records the report lists; all of them are counted.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxDifferences { get; set; } = 100;

    /// <summary>Writes only $true (valid) or $false, and no warnings.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var subject = Result is not null ? $"run {Result.RunId}" : Plan is not null ? $"plan {Plan.PlanId}" : $"{Source.Length} source(s) against {Target!.Name}";
        var progress = new ValidationProgressWriter(this, $"Validating {subject}", Mode);
        var options = new ValidationOptions(Enum.Parse<ValidationMode>(Mode, ignoreCase: true), SampleSize, MaxDifferences);
        MigrationValidationReport report;
        try
        {
            report = RunEngine(async (post, token) =>
            {
                var plan = Result?.Plan ?? Plan ?? await MigrationPlanner.PlanAsync(Source, Target!, MigrationPlanner.DefaultBatchSize, token);
                progress.Total = plan.TotalRecords;
                return await MigrationValidator.ValidateAsync(plan, Result, options, (step, done) => post(() => progress.Write(step, done)), token);
            });
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            return;
        }
        finally
        {
            progress.Complete();
        }

        if (Quiet)
        {
            WriteObject(report.IsValid);
            return;
        }

        foreach (var message in report.Warnings.Concat(report.Errors))
        {
            WriteWarning(message);
        }

        WriteObject(report);
    }
}
