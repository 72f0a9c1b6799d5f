using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration.Engine.Targets;

/// <summary>What a projection store holds for the unified store; MigrationTarget's GraphStore and VectorStore show the store of each role.</summary>
public enum StoreRole
{
    Graph,
    Vector,
}

/// <summary>
/// A projection store a target configures (Neo4j, Qdrant): its address, and the connectors through which runs, undo,
/// validation and savepoints reach it. The core of the engine knows stores only through this interface and
/// <see cref="StoreKind"/>, so adding a store touches its own folder and the one line in <see cref="TargetStores"/>.
/// </summary>
public interface IStoreEndpoint
{
    /// <summary>Which store this is: its name, role and the rules that come with it.</summary>
    StoreKind Kind { get; }

    /// <summary>The address without secrets, for messages ("host:7474/neo4j").</summary>
    string Display { get; }

    /// <summary>The address with every secret masked; safe to print and persist.</summary>
    string Redacted { get; }

    /// <summary>The store's share of runs, undo and validation; opened lazily, disposed by the caller.</summary>
    IProjectionStore OpenProjection();

    /// <summary>The store's share of savepoints; opened lazily, disposed by the caller.</summary>
    ISavepointPart OpenSavepointPart();
}
