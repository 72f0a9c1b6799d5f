using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration;

/// <summary>
/// Test-Migration: proves a run. Compares counts (source = target + rejected) and the content of
/// every record, field by field, and returns a MigrationValidationReport.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Migration")]
[OutputType(typeof(MigrationValidationReport))]
public sealed class TestMigrationCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationResult? Result { get; set; }

    /// <summary>How many differing records the report lists; all of them are counted.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int MaxDifferences { get; set; } = 100;

    protected override void ProcessRecord()
    {
        var progress = new ProgressRecord(1, $"Validating run {Result!.RunId}", "Comparing every record");
        MigrationValidationReport report;
        try
        {
            report = RunEngine((post, token) => MigrationValidator.ValidateAsync(Result, new ValidationOptions(MaxDifferences),
                (step, done) => post(() =>
                {
                    progress.StatusDescription = $"{step}: {done:N0} records compared";
                    WriteProgress(progress);
                }), token));
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

        foreach (var error in report.Errors)
        {
            WriteWarning(error);
        }

        WriteObject(report);
    }
}
