using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Transforms;

namespace PSUnifiedMigration.Engine.Validation;

public sealed record ValidationOptions(int MaxDifferences = 100);

/// <summary>
/// Proves a run: per step, source rows = target rows + rejected rows, and every source record is
/// transformed again and compared field by field (vectors bit for bit) with its row in the target.
/// Reads are paged on both sides, so memory stays bounded whatever the size.
/// </summary>
public static class MigrationValidator
{
    private static readonly string U = Sql.Quote(UnifiedSchema.DataSchema);
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);
    private static readonly string IdMap = $"{U}.{Sql.Quote(UnifiedSchema.IdMapTable)}";

    public static async Task<MigrationValidationReport> ValidateAsync(MigrationResult run, ValidationOptions options, Action<string, long>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var report = new MigrationValidationReport { RunId = run.RunId };
        var plan = run.Plan;
        report.Add(new ValidationCheck("Run completed", run.Status is MigrationStatus.Succeeded or MigrationStatus.CompletedWithRejects,
            "Succeeded or CompletedWithRejects", run.Status.ToString(), run.FailureMessage ?? ""));
        await using var target = await plan.Target.Endpoint.OpenAsync(cancellationToken);
        await using (var snapshot = await target.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken))
        {
            foreach (var source in plan.Sources)
            {
                await using var reader = SourceReaders.Create(source);
                await reader.BeginSnapshotAsync(cancellationToken);
                foreach (var planStep in plan.Steps.Where(s => s.SourceName == source.Name))
                {
                    var step = new SourceStep(planStep.SourceName, planStep.SourceTable, UnifiedSchema.Get(planStep.TargetTable), planStep.EstimatedRecords, planStep.EstimatedBytes);
                    await ValidateStepAsync(run, step, reader, target, report, options, progress, cancellationToken);
                }
            }

            await CheckReferencesAsync(target, report, cancellationToken);
            foreach (var store in Targets.ProjectionStores.For(plan.Target))
            {
                await using (store)
                {
                    progress?.Invoke($"Checking {store.Description}", 0);
                    await store.ValidateAsync(target, plan.SystemOrigins, report, cancellationToken);
                }
            }
        }

        report.Duration = clock.Elapsed;
        report.Statistics["duration_ms"] = (long)clock.Elapsed.TotalMilliseconds;
        return report;
    }

    private static async Task ValidateStepAsync(MigrationResult run, SourceStep step, ISourceReader reader, NpgsqlConnection target,
        MigrationValidationReport report, ValidationOptions options, Action<string, long>? progress, CancellationToken cancellationToken)
    {
        long sourceRows = 0, compared = 0, changed = 0, missing = 0, unrecordedRejects = 0;
        await foreach (var batch in reader.ReadAsync(step, null, run.Plan.BatchSize, run.Plan.VectorDimensions, cancellationToken))
        {
            sourceRows += batch.Read;
            var expected = batch.Records.ToDictionary(r => r.LegacyId, StringComparer.Ordinal);
            var actual = await FetchTargetRowsAsync(target, step, expected.Keys.ToArray(), cancellationToken);
            var absent = expected.Keys.Where(k => !actual.ContainsKey(k)).ToArray();
            var recorded = await RejectedKeysAsync(target, run.RunId, step, absent.Concat(batch.Rejects.Select(r => r.RecordKey)).ToArray(), cancellationToken);
            foreach (var key in absent.Where(k => !recorded.Contains(k)))
            {
                missing++;
                AddDifference(report, options, new ValidationDifference(step.SourceName, step.SourceTable, key, "Missing", []));
            }

            unrecordedRejects += batch.Rejects.Count(r => !recorded.Contains(r.RecordKey));
            foreach (var (key, row) in actual)
            {
                compared++;
                var fields = DifferingFields(expected[key], row);
                if (fields.Count > 0)
                {
                    changed++;
                    AddDifference(report, options, new ValidationDifference(step.SourceName, step.SourceTable, key, "Changed", fields));
                }
            }

            progress?.Invoke(step.Name, sourceRows);
        }

        var (targetRows, rejectedRows) = await CountsAsync(target, run.RunId, step, cancellationToken);
        report.Statistics[$"{step.Name}:source_rows"] = sourceRows;
        report.Statistics[$"{step.Name}:target_rows"] = targetRows;
        report.Statistics[$"{step.Name}:rejected_rows"] = rejectedRows;
        report.Statistics["records_compared"] = report.Statistics.GetValueOrDefault("records_compared") + compared;
        report.Add(new ValidationCheck($"Count {step.Name}", sourceRows == targetRows + rejectedRows,
            $"source {sourceRows} = target + rejected", $"target {targetRows} + rejected {rejectedRows} = {targetRows + rejectedRows}",
            targetRows + rejectedRows > sourceRows ? $"The target holds {targetRows + rejectedRows - sourceRows} more record(s) than the source accounts for." : ""));
        report.Add(new ValidationCheck($"Content {step.Name}", changed == 0 && missing == 0,
            "every record identical", $"{compared} compared, {changed} changed, {missing} missing",
            changed + missing > 0 ? "See Differences for the record ids and fields." : ""));
        if (unrecordedRejects > 0)
        {
            report.Add(new ValidationCheck($"Rejects {step.Name}", false, "every invalid source record is in the run's reject table",
                $"{unrecordedRejects} invalid record(s) not recorded", "The source changed after the run; run Invoke-Migration again."));
        }
    }

    private static void AddDifference(MigrationValidationReport report, ValidationOptions options, ValidationDifference difference)
    {
        if (report.Differences.Count < options.MaxDifferences)
        {
            report.Differences.Add(difference);
        }
        else
        {
            report.Statistics["differences_not_listed"] = report.Statistics.GetValueOrDefault("differences_not_listed") + 1;
        }
    }

    /// <summary>The target rows of one source step, keyed by legacy id; references come back as the parent's legacy id.</summary>
    private static async Task<Dictionary<string, (object?[] Values, LegacyReference?[] References)>> FetchTargetRowsAsync(
        NpgsqlConnection target, SourceStep step, string[] legacyIds, CancellationToken cancellationToken)
    {
        var table = step.Target;
        var columns = table.Columns.Select(c => c.Kind switch
        {
            ColumnKind.Json => $"t.{Sql.Quote(c.Name)}::text",
            ColumnKind.Vector or ColumnKind.CollectionVector => $"t.{Sql.Quote(c.Name)}::real[]",
            _ => $"t.{Sql.Quote(c.Name)}",
        });
        var references = table.References.SelectMany((r, i) => new[] { $"r{i}.source_table", $"r{i}.legacy_id" });
        var joins = string.Concat(table.References.Select((r, i) =>
            $" LEFT JOIN {IdMap} AS r{i} ON r{i}.target_table = {Sql.Literal(r.ParentTable)} AND r{i}.unified_id = t.{Sql.Quote(r.Column)}"));
        await using var command = new NpgsqlCommand($"""
            SELECT m.legacy_id, {string.Join(", ", columns.Concat(references))}
            FROM {IdMap} AS m JOIN {U}.{Sql.Quote(table.Name)} AS t ON t.id = m.unified_id{joins}
            WHERE m.source_name = $1 AND m.source_table = $2 AND m.legacy_id = ANY($3)
            """, target)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = legacyIds } },
        };
        var rows = new Dictionary<string, (object?[], LegacyReference?[])>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[table.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetValue(i + 1);
            }

            var refs = new LegacyReference?[table.References.Count];
            for (var i = 0; i < refs.Length; i++)
            {
                var at = 1 + values.Length + 2 * i;
                refs[i] = reader.IsDBNull(at) ? null : new LegacyReference(reader.GetString(at), reader.GetString(at + 1));
            }

            rows[reader.GetString(0)] = (values, refs);
        }

        return rows;
    }

    private static List<string> DifferingFields(UnifiedRecord expected, (object?[] Values, LegacyReference?[] References) actual)
    {
        var fields = new List<string>();
        for (var i = 0; i < expected.Values.Length; i++)
        {
            if (!ValueEquals(expected.Table.Columns[i].Kind, expected.Values[i], actual.Values[i]))
            {
                fields.Add(expected.Table.Columns[i].Name);
            }
        }

        for (var i = 0; i < expected.References.Length; i++)
        {
            if (expected.References[i] != actual.References[i])
            {
                fields.Add(expected.Table.References[i].Column);
            }
        }

        return fields;
    }

    private static bool ValueEquals(ColumnKind kind, object? expected, object? actual) => (kind, expected, actual) switch
    {
        (_, null, null) => true,
        (_, null, _) or (_, _, null) => false,
        (ColumnKind.Json, string e, string a) => JsonNode.DeepEquals(JsonNode.Parse(e), JsonNode.Parse(a)),
        // Bit for bit: a vector that drifted in its last bit is a difference.
        (ColumnKind.Vector or ColumnKind.CollectionVector, float[] e, float[] a) => e.Length == a.Length && e.Zip(a).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second)),
        (ColumnKind.Timestamp, DateTime e, DateTime a) => e.ToUniversalTime() == a.ToUniversalTime(),
        _ => Equals(expected, actual),
    };

    private static async Task<HashSet<string>> RejectedKeysAsync(NpgsqlConnection target, Guid runId, SourceStep step, string[] keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT DISTINCT record_key FROM {B}.rejects WHERE run_id = $1 AND source_name = $2 AND source_table = $3 AND record_key = ANY($4)", target)
        {
            Parameters = { new() { Value = runId }, new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = keys } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    private static async Task<(long TargetRows, long RejectedRows)> CountsAsync(NpgsqlConnection target, Guid runId, SourceStep step, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT (SELECT count(*) FROM {IdMap} AS m JOIN {U}.{Sql.Quote(step.Target.Name)} AS t ON t.id = m.unified_id
                    WHERE m.source_name = $1 AND m.source_table = $2),
                   (SELECT count(*) FROM {B}.rejects WHERE run_id = $3 AND source_name = $1 AND source_table = $2)
            """, target)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = runId } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Every reference in the unified store points at an existing row.</summary>
    private static async Task CheckReferencesAsync(NpgsqlConnection target, MigrationValidationReport report, CancellationToken cancellationToken)
    {
        foreach (var table in UnifiedSchema.Tables)
        {
            foreach (var reference in table.References)
            {
                await using var command = new NpgsqlCommand($"""
                    SELECT count(*) FROM {U}.{Sql.Quote(table.Name)} AS c
                    WHERE c.{Sql.Quote(reference.Column)} IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM {U}.{Sql.Quote(reference.ParentTable)} AS p WHERE p.id = c.{Sql.Quote(reference.Column)})
                    """, target);
                var orphans = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
                report.Add(new ValidationCheck($"References {table.Name}.{reference.Column}", orphans == 0, "0 orphans", $"{orphans} orphans",
                    orphans > 0 ? $"{orphans} row(s) of unified.{table.Name} point at a missing {reference.ParentTable} row." : ""));
            }
        }
    }
}
