using System.Management.Automation;
using PSUnifiedMigration.Engine.Model;

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

    protected string SavepointName => Savepoint?.Name ?? Name;
}
