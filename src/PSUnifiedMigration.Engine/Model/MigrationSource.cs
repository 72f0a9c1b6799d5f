using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Model;

public enum SourceSystem
{
    ClaudeContext,
    Cognee,
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

    /// <summary>A Cognee installation, described by the stores it keeps its data in.</summary>
    public MigrationSource(string name, Sources.Cognee.CogneeStores stores)
    {
        System = SourceSystem.Cognee;
        Name = name;
        Cognee = stores;
        Schema = "";
    }

    /// <summary>Stable name of the source. It keys the id map, so keep it the same across runs.</summary>
    public string Name { get; }

    public SourceSystem System { get; }

    /// <summary>The unified store's system_origin for this source's records.</summary>
    public string SystemOrigin => System switch
    {
        SourceSystem.ClaudeContext => "claude",
        SourceSystem.Cognee => "cognee",
        _ => throw new InvalidOperationException($"Unknown source system {System}."),
    };

    public string Schema { get; }

    /// <summary>The source's database connection, redacted; for Cognee, where its stores are.</summary>
    public string ConnectionString => Cognee?.ToString() ?? Endpoint!.Redacted;

    /// <summary>Cognee's stores (relational file, graph); null for other systems.</summary>
    public Sources.Cognee.CogneeStores? Cognee { get; }

    internal PostgresEndpoint? Endpoint { get; }

    public override string ToString() => Cognee is { } stores
        ? $"{System} '{Name}' ({stores})"
        : $"{System} '{Name}' ({Endpoint!.Display}, schema {Schema})";
}
