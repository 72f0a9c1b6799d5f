using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// The unified store to migrate into: PostgreSQL as the system of record, and optionally Neo4j for the graph and
/// Qdrant for the vectors, which hold projections of it.
/// </summary>
public sealed class MigrationTarget
{
    public MigrationTarget(string name, PostgresEndpoint endpoint)
    {
        Name = name;
        Endpoint = endpoint;
    }

    public string Name { get; }

    public string ConnectionString => Endpoint.Redacted;

    public string DataSchema => Targets.Postgres.UnifiedSchema.DataSchema;

    public string BookkeepingSchema => Targets.Postgres.UnifiedSchema.BookkeepingSchema;

    internal PostgresEndpoint Endpoint { get; }

    /// <summary>The Neo4j server that holds the graph; without it the graph lives only in the PostgreSQL graph tables.</summary>
    public Targets.Neo4j.Neo4jEndpoint? Neo4j { get; init; }

    /// <summary>The Qdrant server that holds the vectors; without it they live only in PostgreSQL (pgvector or real[]).</summary>
    public Targets.Qdrant.QdrantEndpoint? Qdrant { get; init; }

    /// <summary>The redacted addresses of the graph and vector stores, when configured.</summary>
    public string? GraphStore => Neo4j?.Redacted;

    public string? VectorStore => Qdrant?.Redacted;

    public override string ToString() => $"unified PostgreSQL '{Name}' ({Endpoint.Display})" + (Neo4j is null ? "" : $", Neo4j {Neo4j.Display}") + (Qdrant is null ? "" : $", Qdrant {Qdrant.Display}");
}
