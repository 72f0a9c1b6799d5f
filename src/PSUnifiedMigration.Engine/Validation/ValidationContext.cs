using PSUnifiedMigration.Engine.Records;
using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Validation;

/// <param name="Mode">Full compares every record (the default); Quick compares counts and a sample per step.</param>
/// <param name="SampleSize">Records compared per step in Quick mode.</param>
/// <param name="MaxDifferences">How many differences and rejects the report lists; all are counted.</param>
/// <param name="RangeSize">Records per key range (one source page) whose digests are compared in Full mode.</param>
public sealed record ValidationOptions(ValidationMode Mode = ValidationMode.Full, int SampleSize = 1000, int MaxDifferences = 100, int RangeSize = 1000);

/// <summary>What every check of one validation shares: the plan, the run (if any), the open target and the report.</summary>
internal sealed class ValidationContext(MigrationPlan plan, MigrationResult? run, ValidationOptions options, NpgsqlConnection target,
    MigrationValidationReport report, Action<string, long>? progress)
{
    public static readonly string U = Sql.Quote(UnifiedSchema.DataSchema);
    public static readonly string IdMap = $"{U}.{Sql.Quote(UnifiedSchema.IdMapTable)}";
    private static readonly string Rejects = $"{Sql.Quote(UnifiedSchema.BookkeepingSchema)}.rejects";

    public MigrationPlan Plan => plan;

    public MigrationResult? Run => run;

    public ValidationOptions Options => options;

    public NpgsqlConnection Target => target;

    public MigrationValidationReport Report => report;

    public string[] SourceNames { get; } = plan.Sources.Select(s => s.Name).ToArray();

    public void Progress(string what, long done) => progress?.Invoke(what, done);

    /// <summary>
    /// The rejects the target's reject table records for these keys of a step: the run's when there is a run, and
    /// any run's otherwise (a standalone validation of a migration done earlier).
    /// </summary>
    public async Task<Dictionary<string, ValidationReject>> RecordedRejectsAsync(SourceStep step, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ValidationReject>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand($"""
            SELECT DISTINCT ON (record_key) record_key, field, reason, error_id FROM {Rejects}
            WHERE ($1::uuid IS NULL OR run_id = $1) AND source_name = $2 AND source_table = $3 AND record_key = ANY($4)
            ORDER BY record_key, rejected_at DESC
            """, target)
        {
            Parameters =
            {
                new() { Value = (object?)run?.RunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                new() { Value = step.SourceName }, new() { Value = step.SourceTable }, new() { Value = keys.ToArray() },
            },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetString(0)] = new ValidationReject(step.SourceName, step.SourceTable, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }

        return found;
    }

    /// <summary>The FROM clause of a step's target rows: id map row m, unified row t, and each reference's id map row r0, r1, ...</summary>
    public static string StepRows(UnifiedTable table) =>
        $"{IdMap} AS m JOIN {U}.{Sql.Quote(table.Name)} AS t ON t.id = m.unified_id" + string.Concat(table.References.Select((r, i) =>
            $" LEFT JOIN {IdMap} AS r{i} ON r{i}.target_table = {Sql.Literal(r.ParentTable)} AND r{i}.unified_id = t.{Sql.Quote(r.Column)}"));

    /// <summary>Runs a statement that returns nothing.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, target);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
