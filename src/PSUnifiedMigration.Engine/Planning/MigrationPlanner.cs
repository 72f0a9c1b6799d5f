using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Planning;

/// <summary>
/// Analyses every source and the target, then decides the steps, the vector dimension, and what
/// blocks or needs attention. Planning only reads; it never changes either side.
/// </summary>
public static class MigrationPlanner
{
    public const int DefaultBatchSize = 1000;
    private const int CollisionsListed = 100;
    private const int KeyProbePage = 10_000;

    public static async Task<MigrationPlan> PlanAsync(IReadOnlyList<MigrationSource> sources, MigrationTarget target, int batchSize, CancellationToken cancellationToken)
    {
        var issues = new List<MigrationPlanIssue>();
        var analyses = new List<SourceAnalysis>();
        var steps = new List<SourceStep>();
        foreach (var duplicate in sources.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            issues.Add(new(PlanIssueSeverity.Blocker, "SourceNameDuplicate", $"Two sources are named '{duplicate.Key}'.",
                "Give each source its own -Name; the name keys the id map.", duplicate.Key));
        }

        var readers = new List<ISourceReader>();
        try
        {
            foreach (var source in sources)
            {
                var reader = source.System.CreateReader(source);
                readers.Add(reader);
                try
                {
                    var (analysis, sourceSteps) = await reader.AnalyzeAsync(issues, cancellationToken);
                    analyses.Add(analysis);
                    steps.AddRange(sourceSteps);
                }
                catch (MigrationException e)
                {
                    issues.Add(MigrationPlanIssue.Blocker(e, $"Source '{source.Name}'", source.Name));
                }
            }

            var (targetAnalysis, installedVectors) = await AnalyzeTargetAsync(target, sources, issues, cancellationToken);
            var dimensions = ChooseDimensions(analyses, installedVectors, issues);
            foreach (var store in target.Stores.Select(s => s.OpenProjection()))
            {
                await using (store)
                {
                    await store.CheckAsync(dimensions, issues, cancellationToken);
                }
            }
            var (collisions, collisionCount) = installedVectors is not null
                ? await ProbeCollisionsAsync(target, readers, steps, cancellationToken)
                : ([], 0L);
            if (collisionCount > 0)
            {
                issues.Add(new(PlanIssueSeverity.Warning, "IdCollision",
                    $"{collisionCount} source record(s) have the id of a different record already in the target. Both survive: the incoming record takes a name-based id, recorded in unified.id_map.",
                    null, null));
            }

            var planSteps = steps.Select((s, i) => new MigrationPlanStep(i + 1, s.Name, s.SourceName, s.SourceTable, s.Target.Name, s.Rows, s.Bytes)).ToArray();
            return new MigrationPlan(sources, target, batchSize, dimensions, analyses, targetAnalysis, planSteps, collisions, collisionCount, issues,
                Fingerprint(analyses, target, dimensions, batchSize));
        }
        finally
        {
            foreach (var reader in readers)
            {
                await reader.DisposeAsync();
            }
        }
    }

    private static async Task<(TargetAnalysis? Analysis, VectorStorage? Installed)> AnalyzeTargetAsync(
        MigrationTarget target, IReadOnlyList<MigrationSource> sources, List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await target.Endpoint.OpenAsync(cancellationToken);
        }
        catch (MigrationException e)
        {
            issues.Add(MigrationPlanIssue.Blocker(e, "Target", target.Name));
            return (null, null);
        }

        await using (connection)
        {
            await SameDatabaseCheck.CheckAsync(sources, target, connection, issues, cancellationToken);
            var version = await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken);
            var installed = await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, null, cancellationToken);
            var pgvector = await UnifiedSchemaInstaller.PgvectorAvailableAsync(connection, cancellationToken);
            if (version > UnifiedSchema.CurrentVersion)
            {
                issues.Add(new(PlanIssueSeverity.Blocker, "TargetSchemaTooNew",
                    $"The target's unified schema is version {version}; this module knows up to {UnifiedSchema.CurrentVersion}.", "Update PSUnifiedMigration.", target.Name));
            }

            var tables = new List<TargetTableAnalysis>();
            if (installed is not null)
            {
                var names = sources.Select(s => s.Name).ToArray();
                if (version < UnifiedSchema.CurrentVersion)
                {
                    issues.Add(new(PlanIssueSeverity.Warning, "TargetSchemaUpgrade",
                        $"The target's unified schema is version {version}; the run upgrades it to version {UnifiedSchema.CurrentVersion} (new tables and columns, no data changed).",
                        "Take a savepoint first if you may need to go back.", target.Name));
                }

                foreach (var table in UnifiedSchema.Tables)
                {
                    // An older schema lacks the tables a later version added; the run creates them.
                    if (!await UnifiedSchemaInstaller.DataTableExistsAsync(connection, null, table.Name, cancellationToken))
                    {
                        continue;
                    }

                    await using var command = new NpgsqlCommand(
                        $"SELECT count(*), count(*) FILTER (WHERE source_name = ANY($1)) FROM {Sql.Qualified(UnifiedSchema.DataSchema, table.Name)}", connection)
                    {
                        Parameters = { new() { Value = names } },
                    };
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    await reader.ReadAsync(cancellationToken);
                    tables.Add(new TargetTableAnalysis(table.Name, reader.GetInt64(0), reader.GetInt64(1)));
                }
            }

            var already = tables.Sum(t => t.RowsFromPlannedSources);
            if (already > 0)
            {
                issues.Add(new(PlanIssueSeverity.Warning, "TargetHasSourceData",
                    $"The target already holds {already} record(s) from these sources (an earlier run). Identical records are skipped; changed ones are updated.",
                    null, target.Name));
            }

            var storage = installed ?? new VectorStorage(pgvector, null);
            return (new TargetAnalysis(connection.PostgreSqlVersion.ToString(), pgvector, version, storage.Pgvector ? "vector" : "real[]", installed?.Dimensions, tables), installed);
        }
    }

    /// <summary>
    /// The unified dimension: the target's, once it has one; otherwise the most common dimension in the sources.
    /// Chunks with any other dimension are rejected, so the plan warns how many and in which tables. A whole collection
    /// of another dimension is a warning too, not a blocker: the other collections still migrate, and each such chunk
    /// is a named reject (with -ContinueOnError) or stops the run, until it is re-embedded.
    /// </summary>
    private static int? ChooseDimensions(IReadOnlyList<SourceAnalysis> analyses, VectorStorage? installed, List<MigrationPlanIssue> issues)
    {
        var counts = analyses.SelectMany(a => a.VectorDimensions)
            .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        if (counts.Count == 0)
        {
            return installed?.Dimensions;
        }

        var chosen = installed?.Dimensions ?? counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
        if (installed?.Dimensions is { } fixedDimension && !counts.ContainsKey(fixedDimension))
        {
            issues.Add(new(PlanIssueSeverity.Blocker, "VectorDimensionMismatch",
                $"The target stores {fixedDimension}-dimensional vectors, but the sources have {string.Join(", ", counts.Keys.Order())}.",
                "Migrate into a new target database, or re-embed the sources with the target's model.", null));
        }

        var others = counts.Where(kv => kv.Key != chosen).Sum(kv => kv.Value);
        if (others > 0 && !(installed?.Dimensions is { } d && !counts.ContainsKey(d)))
        {
            // Name the tables (collections) that hold them: a whole collection embedded with another model is the usual cause.
            var tables = analyses.SelectMany(a => a.Tables.Where(t => t.VectorDimensions?.Keys.Any(k => k != chosen) == true).Select(t => $"{a.SourceName}:{t.Table}"));
            issues.Add(new(PlanIssueSeverity.Warning, "VectorDimensionsMixed",
                $"{others} chunk(s) have vectors whose dimension is not {chosen} ({string.Join(", ", counts.Where(kv => kv.Key != chosen).Select(kv => $"{kv.Value} of {kv.Key}"))}); they will be rejected. In: {string.Join(", ", tables)}.",
                "Re-embed them with the same model as the rest before migrating, or accept them as rejects with -ContinueOnError.", null));
        }

        return chosen;
    }

    private static async Task<(IReadOnlyList<IdCollision>, long)> ProbeCollisionsAsync(
        MigrationTarget target, IReadOnlyList<ISourceReader> readers, IReadOnlyList<SourceStep> steps, CancellationToken cancellationToken)
    {
        var listed = new List<IdCollision>();
        long count = 0;
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        foreach (var step in steps)
        {
            var reader = readers.First(r => r.Source.Name == step.SourceName);
            await foreach (var page in reader.ReadKeysAsync(step, KeyProbePage, cancellationToken))
            {
                await using var command = new NpgsqlCommand($"""
                    SELECT m.unified_id, m.source_name, m.legacy_id, c.legacy
                    FROM unnest($1::uuid[], $2::text[]) AS c (id, legacy)
                    JOIN {Sql.Qualified(UnifiedSchema.DataSchema, UnifiedSchema.IdMapTable)} AS m ON m.target_table = $3 AND m.unified_id = c.id
                    WHERE NOT (m.source_name = $4 AND m.source_table = $5 AND m.legacy_id = c.legacy)
                    """, connection)
                {
                    Parameters =
                    {
                        new() { Value = page.CandidateIds.ToArray() }, new() { Value = page.LegacyIds.ToArray() },
                        new() { Value = step.Target.Name }, new() { Value = step.SourceName }, new() { Value = step.SourceTable },
                    },
                };
                await using var result = await command.ExecuteReaderAsync(cancellationToken);
                while (await result.ReadAsync(cancellationToken))
                {
                    count++;
                    if (listed.Count < CollisionsListed)
                    {
                        listed.Add(new IdCollision(step.Target.Name, result.GetGuid(0), result.GetString(1), result.GetString(2), step.SourceName, result.GetString(3)));
                    }
                }
            }
        }

        return (listed, count);
    }

    private static string Fingerprint(IEnumerable<SourceAnalysis> analyses, MigrationTarget target, int? dimensions, int batchSize)
    {
        // One slot per registered store, empty when it is not configured: the same text as when the slots were spelled out.
        var stores = Targets.TargetStores.Registered.Select(kind => target.Stores.FirstOrDefault(s => s.Kind == kind)?.Display);
        var text = new StringBuilder($"{target.Endpoint.Display}|{string.Join("|", stores)}|{dimensions}|{batchSize}");
        foreach (var analysis in analyses)
        {
            text.Append('|').Append(analysis.SourceName).Append(':').Append(analysis.CatalogFingerprint);
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
