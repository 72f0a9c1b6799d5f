using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// What Restore- and Remove-MigrationSavepoint share: a savepoint from the pipeline (it carries its target), or a
/// target and the exact name of one of its savepoints, which tab-completes.
/// </summary>
public abstract class SavepointCmdletBase : MigrationCmdletBase
{
    protected const string SavepointSet = "Savepoint";
    protected const string NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SavepointSet)]
    [ValidateNotNull]
    public MigrationSavepoint? Savepoint { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = NameSet)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SavepointNameCompleter))]
    public string Name { get; set; } = "";

    protected MigrationTarget SavepointTarget => Savepoint?.Target ?? Target!;

    /// <summary>
    /// The savepoint the command acts on, looked up before the operator is asked to confirm: a name that exists only in
    /// another case, or not at all, ends the command with SavepointNotFound instead of a prompt about nothing. Names are
    /// compared exactly (ordinal); 'before' never resolves to 'Before'.
    /// </summary>
    protected MigrationSavepoint ResolveSavepoint()
    {
        if (Savepoint is not null)
        {
            return Savepoint;
        }

        var savepoints = RunEngine((_, token) => MigrationSavepoints.ListAsync(Target!, token));
        return savepoints.FirstOrDefault(s => string.Equals(s.Name, Name, StringComparison.Ordinal))
               ?? throw new MigrationException("SavepointNotFound", MigrationErrorKind.ObjectNotFound,
                   $"No savepoint named '{Name}' exists on {Target}" +
                   (savepoints.FirstOrDefault(s => string.Equals(s.Name, Name, StringComparison.OrdinalIgnoreCase)) is { } other
                       ? $" (names are case-sensitive: there is '{other.Name}')." : ".") +
                   " Get-MigrationSavepoint lists the savepoints there are.", Name);
    }

    /// <summary>The name of the savepoint the command acts on (<see cref="ResolveSavepoint"/>); SavepointNotFound ends the command.</summary>
    protected string ResolveSavepointName()
    {
        try
        {
            return ResolveSavepoint().Name;
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
            throw;
        }
    }
}
