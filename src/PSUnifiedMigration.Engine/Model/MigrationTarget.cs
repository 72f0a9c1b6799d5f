using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Targets;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// The unified store to migrate into: PostgreSQL as the system of record, and the projection stores (a graph store, a
/// vector store) that hold projections of it. Partial: each store's folder adds its typed convenience (named after the
/// store), so scripts keep reaching a store by name while the core knows only <see cref="Stores"/>.
/// </summary>
public sealed partial class MigrationTarget
{
    public MigrationTarget(string name, PostgresEndpoint endpoint, IEnumerable<IStoreEndpoint?>? stores = null)
    {
        Name = name;
        Endpoint = endpoint;
        Stores = TargetStores.InOrder(stores ?? []);
    }

    public string Name { get; }

    public string ConnectionString => Endpoint.Redacted;

    public string DataSchema => Targets.Postgres.UnifiedSchema.DataSchema;

    public string BookkeepingSchema => Targets.Postgres.UnifiedSchema.BookkeepingSchema;

    internal PostgresEndpoint Endpoint { get; }

    /// <summary>The configured projection stores, in registry order (the order runs project and savepoints restore).</summary>
    public IReadOnlyList<IStoreEndpoint> Stores { get; }

    /// <summary>The redacted address of the graph store, when one is configured; without it the graph lives only in PostgreSQL.</summary>
    public string? GraphStore => Of(StoreRole.Graph)?.Redacted;

    /// <summary>The redacted address of the vector store, when one is configured; without it the vectors live only in PostgreSQL.</summary>
    public string? VectorStore => Of(StoreRole.Vector)?.Redacted;

    public override string ToString() =>
        $"unified PostgreSQL '{Name}' ({Endpoint.Display})" + string.Concat(Stores.Select(s => $", {s.Kind.Name} {s.Display}"));

    private IStoreEndpoint? Of(StoreRole role) => Stores.FirstOrDefault(s => s.Kind.Role == role);
}
