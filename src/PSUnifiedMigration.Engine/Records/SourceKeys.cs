namespace PSUnifiedMigration.Engine.Records;

/// <summary>A page of a source table's keys, with the unified ids they would take; used by the plan's collision probe.</summary>
public sealed record SourceKeyPage(IReadOnlyList<string> LegacyIds, IReadOnlyList<Guid> CandidateIds);
