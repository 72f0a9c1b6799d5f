using PSUnifiedMigration.Engine.Targets.Neo4j;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>The Neo4j convenience of a target, here so that Model/ names no store.</summary>
public sealed partial class MigrationTarget
{
    /// <summary>The Neo4j server that holds the graph, when the target configures one.</summary>
    public Neo4jEndpoint? Neo4j => Stores.OfType<Neo4jEndpoint>().FirstOrDefault();
}
