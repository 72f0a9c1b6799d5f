using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration;

/// <summary>
/// New-MigrationTarget: describes the unified store to migrate into: PostgreSQL, and optionally Neo4j for the graph
/// and Qdrant for the vectors. Connects to nothing.
/// </summary>
[Cmdlet(VerbsCommon.New, "MigrationTarget", HelpUri = ModuleLinks.CmdletHelp + "New-MigrationTarget.md")]
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

    /// <summary>Qdrant's REST address (http or https), for the vectors.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? QdrantUri { get; set; }

    /// <summary>Qdrant's API key, sent in the api-key header.</summary>
    [Parameter]
    public System.Security.SecureString? QdrantApiKey { get; set; }

    /// <summary>Neo4j's HTTP address (http or https), for the graph.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Neo4jUri { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Neo4jCredential { get; set; }

    /// <summary>The Neo4j database (Neo4j 4 and later; 3.x has one database).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Neo4jDatabase { get; set; } = Engine.Targets.Neo4j.Neo4jEndpoint.DefaultDatabase;

    protected override void ProcessRecord()
    {
        try
        {
            var endpoint = ConnectionParameters.Endpoint(ConnectionString, Credential);
            WriteObject(new MigrationTarget(Name ?? $"unified@{endpoint.Host}:{endpoint.Port}/{endpoint.Database}", endpoint,
            [
                QdrantUri is null ? null : Engine.Targets.Qdrant.QdrantEndpoint.Parse(QdrantUri, QdrantApiKey),
                Neo4jUri is null ? null : Engine.Targets.Neo4j.Neo4jEndpoint.Parse(Neo4jUri, Neo4jCredential?.UserName, Neo4jCredential?.Password, Neo4jDatabase),
            ]));
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }
}
