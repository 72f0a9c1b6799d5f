using Npgsql;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// Which PostgreSQL errors a single record can cause when its batch is written, and the reject that names it. Data
/// exceptions (class 22), integrity violations (23), cardinality (21000: two keys meeting on one row) and program
/// limits (54000: a key too long for its btree index) are the record's; anything else (connection, resources,
/// permissions, serialization) is the run's and is not bisected.
/// </summary>
internal static class TargetRefusals
{
    public const string ErrorId = "RecordRefusedByTarget";

    public static bool IsRecordFault(PostgresException e) =>
        e.SqlState is "21000" or "54000" || e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    /// <summary>The reject: the column PostgreSQL names, else the record's id (the id map's keys are what a record's identity can break).</summary>
    public static RejectedRecord Reject(UnifiedRecord record, PostgresException e) =>
        new(record.SourceTable, record.LegacyId, e.ColumnName ?? "id",
            $"was refused by the target PostgreSQL: {e.MessageText} (SQLSTATE {e.SqlState}" +
            (e.ConstraintName is null ? "" : $", constraint {e.ConstraintName}") + "). " +
            "The rest of its batch was written. Fix the record in the source (for a key: shorten or re-key it), or delete it.", ErrorId);
}
