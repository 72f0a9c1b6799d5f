using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// What the store readers of one Cognee installation share: the source, its stores, the connections and snapshots
/// the <see cref="CogneeReader"/> opened, and the naming of records and plan issues.
/// </summary>
internal sealed class CogneeSession(MigrationSource source, CogneeStores stores, CogneeDatabase database)
{
    public MigrationSource Source { get; } = source;

    public CogneeStores Stores { get; } = stores;

    public CogneeDatabase Database { get; } = database;

    public CogneeCatalog? Catalog { get; set; }

    public CogneeCatalog RequireCatalog => Catalog ?? throw new InvalidOperationException("AnalyzeAsync or BeginSnapshotAsync must run first.");

    /// <summary>The PostgreSQL database of the graph tables, and its snapshot once the run began.</summary>
    public NpgsqlConnection? Graph { get; set; }

    public NpgsqlTransaction? GraphSnapshot { get; set; }

    /// <summary>The pgvector database, and its snapshot once the run began.</summary>
    public NpgsqlConnection? Vectors { get; set; }

    public NpgsqlTransaction? VectorSnapshot { get; set; }

    /// <summary>A record with the ids and provenance every Cognee record has.</summary>
    public UnifiedRecord NewRecord(UnifiedTable table, string sourceTable, string legacyId) => Source.NewRecord(table, sourceTable, legacyId);

    public MigrationPlanIssue Blocker(string code, string message, string? remedy, MigrationErrorKind kind = MigrationErrorKind.InvalidOperation) =>
        new(PlanIssueSeverity.Blocker, code, $"Source '{Source.Name}': {message}", remedy, Source.Name, kind);

    public MigrationPlanIssue Warning(string code, string message, string? remedy) =>
        new(PlanIssueSeverity.Warning, code, $"Source '{Source.Name}': {message}", remedy, Source.Name);
}
