using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;
using PSUnifiedMigration.Engine.Targets;

namespace PSUnifiedMigration;

/// <summary>
/// Restore-MigrationSavepoint: returns every store the savepoint covers exactly to it: PostgreSQL in one verified
/// transaction, then each projection store in registry order (TargetStores), each verified. A failed or stopped restore says which state each store is in.
/// </summary>
[Cmdlet(VerbsData.Restore, "MigrationSavepoint", HelpUri = ModuleLinks.CmdletHelp + "Restore-MigrationSavepoint.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = SavepointSet)]
[OutputType(typeof(MigrationRestoreResult))]
public sealed class RestoreMigrationSavepointCommand : SavepointCmdletBase
{
    protected override void ProcessRecord()
    {
        var target = SavepointTarget;
        var name = ResolveSavepointName();

        if (!ShouldProcess(target.ToString(), $"Replace the unified store's contents (PostgreSQL, and {TargetStores.Names(" and ")} when configured) with savepoint '{name}'"))
        {
            return;
        }

        var progress = new ProgressRecord(1, $"Restoring savepoint '{name}'", "PostgreSQL in one transaction, then " + TargetStores.Names(", then "));
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
