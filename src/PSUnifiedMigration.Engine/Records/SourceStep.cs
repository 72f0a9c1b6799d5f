using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>One source table to migrate into one unified table.</summary>
public sealed record SourceStep(string SourceName, string SourceTable, UnifiedTable Target, long Rows, long Bytes)
{
    public string Name => $"{SourceName}:{SourceTable}";
}

/// <summary>
/// Where reading stopped, stored with each batch's checkpoint. Rows with a null key are read first
/// (by physical position), then the rest by key; Ctid breaks ties where the key is not unique.
/// </summary>
public sealed record SourcePosition(bool NullKeysDone, string? LastNullCtid, string? LastKey, string? LastCtid);

/// <summary>A page read from the source: transformed records and rejects, in source order.</summary>
public sealed record SourceBatch(SourceStep Step, IReadOnlyList<UnifiedRecord> Records, IReadOnlyList<RejectedRecord> Rejects, SourcePosition Position)
{
    public int Read => Records.Count + Rejects.Count;
}
