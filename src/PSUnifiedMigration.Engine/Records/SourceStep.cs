using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>One source table to migrate into one unified table.</summary>
public sealed record SourceStep(string SourceName, string SourceTable, UnifiedTable Target, long Rows, long Bytes)
{
    public string Name => $"{SourceName}:{SourceTable}";
}


/// <summary>A page read from the source: transformed records and rejects, in source order.</summary>
public sealed record SourceBatch(SourceStep Step, IReadOnlyList<UnifiedRecord> Records, IReadOnlyList<RejectedRecord> Rejects, SourcePosition Position)
{
    public int Read => Records.Count + Rejects.Count;
}
