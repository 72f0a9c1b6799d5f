using PSUnifiedMigration.Engine.Sources.Cognee;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>The Cognee convenience of a source, here so that Model/ names no source.</summary>
public sealed partial class MigrationSource
{
    /// <summary>Cognee's stores (relational file, graph); null for other systems. Kept for scripts that read it.</summary>
    public CogneeStores? Cognee => Location as CogneeStores;
}
