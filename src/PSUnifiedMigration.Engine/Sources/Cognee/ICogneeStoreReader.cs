using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>What analysis of a Cognee installation collects: issues, the tables as found, the steps to run.</summary>
internal sealed class CogneeAnalysis(List<MigrationPlanIssue> issues)
{
    public List<MigrationPlanIssue> Issues { get; } = issues;

    public List<SourceTableAnalysis> Tables { get; } = [];

    public List<SourceStep> Steps { get; } = [];
}

/// <summary>One kind of Cognee store: it analyses and reads its own steps.</summary>
internal interface ICogneeStoreReader
{
    /// <summary>Whether the step's source table is one of this store's.</summary>
    bool Reads(string sourceTable);

    IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken);
}
