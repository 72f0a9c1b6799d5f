using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>The unified store to migrate into: PostgreSQL as the system of record.</summary>
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

    public override string ToString() => $"unified PostgreSQL '{Name}' ({Endpoint.Display})";
}
