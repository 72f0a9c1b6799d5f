using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext;

/// <summary>Where a Claude-Context installation is: a PostgreSQL database and the schema that holds its tables.</summary>
public sealed class ClaudeContextLocation(PostgresEndpoint endpoint, string schema) : ISourceLocation
{
    internal PostgresEndpoint Endpoint { get; } = endpoint;

    public string Schema { get; } = schema;

    public string ConnectionString => Endpoint.Redacted;

    public string Display => $"{Endpoint.Display}, schema {Schema}";

    public IEnumerable<PostgresEndpoint> Databases => [Endpoint];

    public override string ToString() => Display;
}
