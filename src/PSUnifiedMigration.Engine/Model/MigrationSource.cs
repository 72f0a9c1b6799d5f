using PSUnifiedMigration.Engine.Sources;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>An installation to migrate from. Its connection string is always shown redacted.</summary>
public sealed class MigrationSource(SourceKind system, string name, ISourceLocation location)
{
    /// <summary>Stable name of the source. It keys the id map, so keep it the same across runs.</summary>
    public string Name { get; } = name;

    /// <summary>The kind of system (prints ClaudeContext, Cognee): how it is read and what origin its records carry.</summary>
    public SourceKind System { get; } = system;

    /// <summary>The unified store's system_origin for this source's records.</summary>
    public string SystemOrigin => System.Origin;

    public string Schema => Location.Schema;

    /// <summary>The source's connection, redacted; for file sources, where their files are.</summary>
    public string ConnectionString => Location.ConnectionString;

    /// <summary>Where the source is; each kind's reader knows its own location type.</summary>
    public ISourceLocation Location { get; } = location;

    /// <summary>Cognee's stores (relational file, graph); null for other systems. Kept for scripts that read it.</summary>
    public Sources.Cognee.CogneeStores? Cognee => Location as Sources.Cognee.CogneeStores;

    public override string ToString() => $"{System} '{Name}' ({Location.Display})";
}
