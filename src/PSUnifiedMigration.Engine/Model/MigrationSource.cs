using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Model;

public enum SourceSystem
{
    ClaudeContext,
}

/// <summary>An installation to migrate from. Its connection string is always shown redacted.</summary>
public sealed class MigrationSource
{
    public MigrationSource(SourceSystem system, string name, PostgresEndpoint endpoint, string schema)
    {
        System = system;
        Name = name;
        Endpoint = endpoint;
        Schema = schema;
    }

    /// <summary>Stable name of the source. It keys the id map, so keep it the same across runs.</summary>
    public string Name { get; }

    public SourceSystem System { get; }

    /// <summary>The unified store's system_origin for this source's records.</summary>
    public string SystemOrigin => System switch
    {
        SourceSystem.ClaudeContext => "claude",
        _ => throw new InvalidOperationException($"Unknown source system {System}."),
    };

    public string Schema { get; }

    public string ConnectionString => Endpoint.Redacted;

    internal PostgresEndpoint Endpoint { get; }

    public override string ToString() => $"{System} '{Name}' ({Endpoint.Display}, schema {Schema})";
}
