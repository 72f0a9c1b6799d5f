using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// Restore-MigrationSavepoint: returns the unified store exactly to a savepoint, in one verified
/// transaction. A failed or stopped restore changes nothing.
/// </summary>
[Cmdlet(VerbsData.Restore, "MigrationSavepoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = SavepointSet)]
[OutputType(typeof(MigrationRestoreResult))]
public sealed class RestoreMigrationSavepointCommand : MigrationCmdletBase
{
    private const string SavepointSet = "Savepoint";
    private const string NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SavepointSet)]
    [ValidateNotNull]
    public MigrationSavepoint? Savepoint { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        var target = Savepoint?.Target ?? Target!;
        var name = Savepoint?.Name ?? Name;
        if (!ShouldProcess(target.ToString(), $"Replace every row of the unified store with savepoint '{name}'"))
        {
            return;
        }

        var progress = new ProgressRecord(1, $"Restoring savepoint '{name}'", "Replacing the unified tables in one transaction");
        WriteProgress(progress);
        try
        {
            WriteObject(RunEngine((_, token) => PostgresSavepointStore.RestoreAsync(target, name, token)));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
