using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>Where a source is, as the operator may see it: every secret redacted.</summary>
public interface ISourceLocation
{
    /// <summary>The connection, redacted; for file sources, the files.</summary>
    string ConnectionString { get; }

    /// <summary>The schema read, or empty where the kind has none.</summary>
    string Schema { get; }

    /// <summary>The location in a sentence, for the source's ToString.</summary>
    string Display { get; }

    /// <summary>The PostgreSQL databases the source reads, so that planning can refuse a target that is one of them.</summary>
    IEnumerable<PostgresEndpoint> Databases => [];
}
