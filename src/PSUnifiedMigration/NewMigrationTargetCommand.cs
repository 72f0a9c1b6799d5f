using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration;

/// <summary>New-MigrationTarget: describes the unified PostgreSQL store to migrate into. Connects to nothing.</summary>
[Cmdlet(VerbsCommon.New, "MigrationTarget")]
[OutputType(typeof(MigrationTarget))]
public sealed class NewMigrationTargetCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = "";

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var endpoint = ConnectionParameters.Endpoint(ConnectionString, Credential);
            WriteObject(new MigrationTarget(Name ?? $"unified@{endpoint.Host}:{endpoint.Port}/{endpoint.Database}", endpoint));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }
}
