using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>A source system's reader: analysis for the plan, then consistent, paged reads for the run.</summary>
public interface ISourceReader : IAsyncDisposable
{
    MigrationSource Source { get; }

    /// <summary>Introspects the source; problems that stop a migration are added as blockers.</summary>
    Task<(SourceAnalysis Analysis, IReadOnlyList<SourceStep> Steps)> AnalyzeAsync(List<MigrationPlanIssue> issues, CancellationToken cancellationToken);

    /// <summary>Streams a table's keys and candidate unified ids, in pages, for the plan's collision probe.</summary>
    IAsyncEnumerable<SourceKeyPage> ReadKeysAsync(SourceStep step, int pageSize, CancellationToken cancellationToken);

    /// <summary>Starts the read-only snapshot every later read sees.</summary>
    Task BeginSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>The source's shape as the open snapshot sees it; a run refuses a source whose shape changed since its plan.</summary>
    string CatalogFingerprint { get; }

    /// <summary>
    /// Reads one step in pages of at most batchSize rows, after a position this reader wrote (opaque to everyone
    /// else); each batch carries the position after its last row.
    /// </summary>
    IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken);
}
