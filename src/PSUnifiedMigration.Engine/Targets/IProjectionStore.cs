using Npgsql;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Targets;

/// <summary>
/// A store that holds a projection of the unified PostgreSQL store, which stays the system of record: a graph
/// store, a vector store. A run writes PostgreSQL first and then brings each projection up to date from
/// it, so a projection can always be rebuilt, and a retried projection never duplicates (every write is an upsert
/// by the unified id).
/// </summary>
public interface IProjectionStore : IAsyncDisposable
{
    /// <summary>What the store is, for messages and progress (no secrets).</summary>
    string Description { get; }

    /// <summary>Reaches the store at planning time; what would stop a run is added as a blocker.</summary>
    Task CheckAsync(int? vectorDimensions, List<MigrationPlanIssue> issues, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the unified records of the given system origins into the store, page by page: all of them, or with
    /// <paramref name="onlyRowsOfRun"/> those the run wrote; returns the records written.
    /// </summary>
    Task<long> ProjectAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, bool onlyRowsOfRun, Action<string, long> progress,
        CancellationToken cancellationToken);

    /// <summary>
    /// Undoes one run in the store: removes every element the run wrote, then writes again, from the system of record,
    /// the rows whose previous version the undo gave back (in each unified table, those <paramref name="restoredRows"/>
    /// selects; its condition uses the parameter @run). Running it again changes nothing more.
    /// </summary>
    Task<ProjectionUndo> UndoRunAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, Func<string, string> restoredRows,
        CancellationToken cancellationToken);

    /// <summary>Checks the store against the system of record: the same records, each referring back to an existing row.</summary>
    Task ValidateAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, MigrationValidationReport report, CancellationToken cancellationToken);
}

/// <summary>Which rows of a unified table a projection writes, as a condition for UnifiedPages (its run parameter is @run).</summary>
public static class ProjectionRows
{
    public static Func<string, string> Of(bool onlyRowsOfRun) => onlyRowsOfRun ? _ => "run_id = @run" : _ => "TRUE";
}

/// <summary>What undoing a run removed from a projection store, and how many records it wrote again.</summary>
public sealed record ProjectionUndo(long Deleted, long Rewritten);
