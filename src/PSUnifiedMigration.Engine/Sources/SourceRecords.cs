using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>The one way a reader starts a record, so every source gives ids and provenance by the same rule.</summary>
public static class SourceRecords
{
    /// <summary>
    /// A record of <paramref name="source"/> with its unified id (the legacy id's UUIDv5, or the UUID itself), its
    /// name-based alternate id for collisions, and the provenance columns legacy_id, system_origin and source_name.
    /// </summary>
    public static UnifiedRecord NewRecord(this MigrationSource source, UnifiedTable table, string sourceTable, string legacyId)
    {
        var record = new UnifiedRecord(table, sourceTable, legacyId,
            DeterministicId.ForLegacyId(source.SystemOrigin, legacyId),
            DeterministicId.NameBased(source.SystemOrigin, $"{source.Name}/{sourceTable}/{legacyId}"));
        record["legacy_id"] = legacyId;
        record["system_origin"] = source.SystemOrigin;
        record["source_name"] = source.Name;
        return record;
    }
}
