using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// Remove-MigrationSavepoint: removes a savepoint from every store: what projection stores keep on their servers, then
/// its PostgreSQL schema (the copy of the unified tables and what projection stores exported into it) and its bookkeeping row.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "MigrationSavepoint", HelpUri = ModuleLinks.CmdletHelp + "Remove-MigrationSavepoint.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = SavepointSet)]
[OutputType(typeof(void))]
public sealed class RemoveMigrationSavepointCommand : SavepointCmdletBase
{
    protected override void ProcessRecord()
    {
        var target = SavepointTarget;
        var name = ResolveSavepointName();

        if (!ShouldProcess(target.ToString(), $"Remove savepoint '{name}' from every store it covers"))
        {
            return;
        }

        try
        {
            RunEngine(async (_, token) =>
            {
                await MigrationSavepoints.RemoveAsync(target, name, token);
                return true;
            });
            WriteVerbose($"Removed savepoint '{name}'.");
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }
}
