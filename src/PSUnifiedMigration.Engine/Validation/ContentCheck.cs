using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>
/// The content of one step's records. Full mode, data-diff style: each source page is a key range whose digest is
/// computed in C# over the transformed records and inside PostgreSQL over the target rows of the same legacy ids;
/// a range whose digests differ is halved (SQL digests again) down to single records, and only those rows are
/// fetched and compared field by field. Quick mode compares a sample of records field by field. A digest
/// mismatch whose fields are all equal is no difference (counted as digest_only_mismatches).
/// </summary>
internal sealed class ContentCheck(ValidationContext context, SourceStep step)
{
    private long _compared;
    private long _changed;
    private long _missing;
    private long _sampled;
    private long _seen;

    private MigrationValidationReport Report => context.Report;

    public Task CheckPageAsync(IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken) =>
        context.Options.Mode == ValidationMode.Full ? CheckRangeAsync(records, cancellationToken) : CheckSampleAsync(records, cancellationToken);

    private async Task CheckRangeAsync(IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        Report.Count("ranges_compared");
        // PostgreSQL digests the target rows while this side hashes the transformed records.
        var target = TargetDigestAsync(records.Select(r => r.LegacyId).ToArray(), cancellationToken);
        var range = records.Select(r => (Record: r, Hash: RowDigest.Hash(r))).ToList();
        if (await target == RangeDigest.Of(range.Select(r => r.Hash)))
        {
            _compared += records.Count;
            return;
        }

        Report.Count("ranges_bisected");
        var differing = new List<UnifiedRecord>();
        await BisectAsync(range, differing, cancellationToken);
        _compared += records.Count - differing.Count;
        await CompareAsync(differing, cancellationToken);
    }

    /// <summary>Halves a range whose digests differ until single records remain.</summary>
    private async Task BisectAsync(List<(UnifiedRecord Record, long Hash)> range, List<UnifiedRecord> differing, CancellationToken cancellationToken)
    {
        if (range.Count == 1)
        {
            differing.Add(range[0].Record);
            return;
        }

        foreach (var half in new[] { range[..(range.Count / 2)], range[(range.Count / 2)..] })
        {
            if (await TargetDigestAsync(half.Select(r => r.Record.LegacyId).ToArray(), cancellationToken) != RangeDigest.Of(half.Select(r => r.Hash)))
            {
                await BisectAsync(half, differing, cancellationToken);
            }
        }
    }

    private async Task<RangeDigest> TargetDigestAsync(string[] legacyIds, CancellationToken cancellationToken)
    {
        Report.Count("digest_queries");
        await using var command = new NpgsqlCommand($"""
            SELECT count(*), coalesce(sum({RowDigest.SqlExpression(step.Target)}), 0)
            FROM {ValidationContext.StepRows(step.Target)}
            WHERE m.source_name = $1 AND m.source_table = $2 AND m.legacy_id = ANY($3)
            """, context.Target)
        {
            Parameters = { new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = legacyIds } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RangeDigest(reader.GetInt64(0), (Int128)reader.GetDecimal(1));
    }

    /// <summary>A sample spread over the step: every n-th record, n from the plan's estimate, at most SampleSize.</summary>
    private Task CheckSampleAsync(IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        var size = context.Options.SampleSize;
        var stride = Math.Max(1, (step.Rows + size - 1) / size);
        var sample = new List<UnifiedRecord>();
        foreach (var record in records)
        {
            if (_seen++ % stride == 0 && _sampled < size)
            {
                sample.Add(record);
                _sampled++;
            }
        }

        return CompareAsync(sample, cancellationToken);
    }

    /// <summary>Fetches the records' target rows and compares them field by field; an absent row is a reject when the reject table says so, and missing otherwise.</summary>
    private async Task CompareAsync(IReadOnlyList<UnifiedRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        Report.Count("records_fetched", records.Count);
        var rows = await TargetRows.FetchAsync(context.Target, step, records.Select(r => r.LegacyId).ToArray(), cancellationToken);
        var absent = records.Where(r => !rows.ContainsKey(r.LegacyId)).Select(r => r.LegacyId).ToArray();
        var rejected = await context.RecordedRejectsAsync(step, absent, cancellationToken);
        foreach (var record in records)
        {
            if (!rows.TryGetValue(record.LegacyId, out var row))
            {
                if (rejected.TryGetValue(record.LegacyId, out var reject))
                {
                    Report.AddReject(reject);
                }
                else
                {
                    _missing++;
                    Report.AddDifference(new ValidationDifference(step.SourceName, step.SourceTable, record.LegacyId, "Missing", []));
                }

                continue;
            }

            _compared++;
            var fields = TargetRows.DifferingFields(record, row);
            if (fields.Count > 0)
            {
                _changed++;
                Report.AddDifference(new ValidationDifference(step.SourceName, step.SourceTable, record.LegacyId, "Changed", fields));
            }
            else if (context.Options.Mode == ValidationMode.Full)
            {
                // The digests differed but every field is equal: a canonicalisation bug, not a difference.
                Report.Count("digest_only_mismatches");
            }
        }
    }

    public void Complete()
    {
        Report.Count("records_compared", _compared);
        var full = context.Options.Mode == ValidationMode.Full;
        Report.Add(new ValidationCheck($"Content {step.Name}", _changed == 0 && _missing == 0,
            full ? "every record identical" : $"a sample of up to {context.Options.SampleSize} records identical",
            $"{_compared} compared{(full ? "" : " (sample)")}, {_changed} changed, {_missing} missing",
            _changed + _missing > 0 ? "See Differences for the record ids and fields." : "", ValidationGroups.Content));
    }
}
