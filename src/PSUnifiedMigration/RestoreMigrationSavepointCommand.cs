using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// Restore-MigrationSavepoint: returns every store the savepoint covers exactly to it: PostgreSQL in one verified
/// transaction, then Neo4j, then Qdrant, each verified. A failed or stopped restore says which state each store is in.
/// </summary>
[Cmdlet(VerbsData.Restore, "MigrationSavepoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = SavepointSet)]
[OutputType(typeof(MigrationRestoreResult))]
public sealed class RestoreMigrationSavepointCommand : SavepointCmdletBase
{
    protected override void ProcessRecord()
    {
        var target = SavepointTarget;
        var name = SavepointName;
        if (!ShouldProcess(target.ToString(), $"Replace the unified store's contents (PostgreSQL, and Neo4j and Qdrant when configured) with savepoint '{name}'"))
        {
            return;
        }

        var progress = new ProgressRecord(1, $"Restoring savepoint '{name}'", "PostgreSQL in one transaction, then Neo4j, then Qdrant");
        WriteProgress(progress);
        try
        {
            WriteObject(RunEngine((_, token) => MigrationSavepoints.RestoreAsync(target, name, token)));
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
