using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// Get-MigrationSavepoint: lists a target's savepoints, optionally filtered by name (wildcards allowed). Names are
/// compared case-sensitively, as the target stores them: 'before' never matches 'Before', so a piped restore restores
/// exactly the savepoint asked for.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MigrationSavepoint", HelpUri = ModuleLinks.CmdletHelp + "Get-MigrationSavepoint.md")]
[OutputType(typeof(MigrationSavepoint))]
public sealed class GetMigrationSavepointCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SavepointNameCompleter))]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<MigrationSavepoint> savepoints;
        try
        {
            savepoints = RunEngine((_, token) => MigrationSavepoints.ListAsync(Target!, token));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            return;
        }

        var pattern = Name is null ? null : new WildcardPattern(Name, WildcardOptions.None);
        var matching = savepoints.Where(s => pattern?.IsMatch(s.Name) ?? true).ToArray();
        if (Name is not null && matching.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(Name))
        {
            WriteError(ToErrorRecord(new MigrationException("SavepointNotFound", MigrationErrorKind.ObjectNotFound,
                $"No savepoint named '{Name}' exists on {Target}.", Name)));
        }

        WriteObject(matching, enumerateCollection: true);
    }
}
