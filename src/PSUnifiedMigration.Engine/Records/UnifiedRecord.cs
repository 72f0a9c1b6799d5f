using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Records;

/// <summary>A reference from a record to its parent, by the parent's source table and legacy id.</summary>
public readonly record struct LegacyReference(string SourceTable, string LegacyId);

/// <summary>A source record transformed into a row of a unified table, still keyed by its legacy id.</summary>
public sealed class UnifiedRecord
{
    public UnifiedRecord(UnifiedTable table, string sourceTable, string legacyId, Guid candidateId, Guid alternateId)
    {
        Table = table;
        SourceTable = sourceTable;
        LegacyId = legacyId;
        CandidateId = candidateId;
        AlternateId = alternateId;
        Values = new object?[table.Columns.Count];
        References = new LegacyReference?[table.References.Count];
    }

    public UnifiedTable Table { get; }

    public string SourceTable { get; }

    public string LegacyId { get; }

    /// <summary>The unified id the record takes unless another record already holds it.</summary>
    public Guid CandidateId { get; }

    /// <summary>The name-based id it takes on a collision.</summary>
    public Guid AlternateId { get; }

    /// <summary>Values aligned with <see cref="UnifiedTable.Columns"/>.</summary>
    public object?[] Values { get; }

    /// <summary>Parent references aligned with <see cref="UnifiedTable.References"/>.</summary>
    public LegacyReference?[] References { get; }

    /// <summary>A column's value; a timestamp column holds an <see cref="ExactTimestamp"/>, so a DateTime set here is converted once.</summary>
    public object? this[string column]
    {
        get => Values[Table.ColumnIndex(column)];
        set => Values[Table.ColumnIndex(column)] = value is DateTime time ? ExactTimestamp.From(time) : value;
    }

    public void SetReference(string column, string sourceTable, string? legacyId)
    {
        for (var i = 0; i < Table.References.Count; i++)
        {
            if (Table.References[i].Column == column)
            {
                References[i] = legacyId is null ? null : new LegacyReference(sourceTable, legacyId);
                return;
            }
        }

        throw new ArgumentException($"Unified table {Table.Name} has no reference {column}.", nameof(column));
    }
}

/// <summary>A source record that cannot be migrated, with the field at fault and what to do.</summary>
public sealed record RejectedRecord(string SourceTable, string RecordKey, string Field, string Reason, string ErrorId);
