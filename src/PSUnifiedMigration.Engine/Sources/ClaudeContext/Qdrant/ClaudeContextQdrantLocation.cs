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

    /// <summary>
    /// The PostgreSQL table that holds a collection's rows: PostgresDualVectorDatabase's getTableName (every character
    /// outside [a-zA-Z0-9_] becomes _, lower-cased, + _vectors). Tests replace it to join against another table.
    /// </summary>
    internal Func<string, string> TableOfCollection { get; init; } = collection =>
        System.Text.RegularExpressions.Regex.Replace(collection, "[^a-zA-Z0-9_]", "_").ToLowerInvariant() + "_vectors";

    public IEnumerable<Connections.PostgresEndpoint> Databases => Database?.Databases ?? [];

    public string Display => Database is null ? $"Qdrant {Qdrant.Display}" : $"{Database.Display}, with Qdrant {Qdrant.Display}";

    public override string ToString() => Display;
}
