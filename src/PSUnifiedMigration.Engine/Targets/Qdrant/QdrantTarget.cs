using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>The Qdrant convenience of a target, here so that Model/ names no store.</summary>
public sealed partial class MigrationTarget
{
    /// <summary>The Qdrant server that holds the vectors, when the target configures one.</summary>
    public QdrantEndpoint? Qdrant => Stores.OfType<QdrantEndpoint>().FirstOrDefault();
}
