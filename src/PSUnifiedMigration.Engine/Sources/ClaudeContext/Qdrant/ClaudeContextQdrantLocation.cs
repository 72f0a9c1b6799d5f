using PSUnifiedMigration.Engine.Targets.Qdrant;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// Where claude-context-core's Qdrant collections are, and optionally the PostgreSQL installation beside them: with
/// it, the database is read as well and a point joins the chunk row whose id it was computed from.
/// </summary>
public sealed class ClaudeContextQdrantLocation(QdrantEndpoint qdrant, ClaudeContextLocation? database) : ISourceLocation
{
    internal QdrantEndpoint Qdrant { get; } = qdrant;

    /// <summary>The PostgreSQL installation read with the collections; null when Qdrant is read alone.</summary>
    public ClaudeContextLocation? Database { get; } = database;

    /// <summary>The Qdrant address (API key masked), after the database's redacted connection string when there is one.</summary>
    public string ConnectionString => Database is null ? Qdrant.Redacted : $"{Database.ConnectionString}; Qdrant {Qdrant.Redacted}";

    public string Schema => Database?.Schema ?? "";

    public string Display => Database is null ? $"Qdrant {Qdrant.Display}" : $"{Database.Display}, with Qdrant {Qdrant.Display}";

    public override string ToString() => Display;
}
