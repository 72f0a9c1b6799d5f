using PSUnifiedMigration.Engine.Sources;

namespace PSUnifiedMigration.Engine.Model;

/// <summary>
/// An installation to migrate from. Its connection string is always shown redacted. Partial: a source's folder may add
/// a typed convenience (MigrationSource.Cognee), so scripts keep reaching it while Model/ names no source.
/// </summary>
public sealed partial class MigrationSource(SourceKind system, string name, ISourceLocation location)
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

    public override string ToString() => $"{System} '{Name}' ({Location.Display})";
}
