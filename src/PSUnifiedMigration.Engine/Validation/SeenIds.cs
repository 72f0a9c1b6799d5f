using Npgsql;
using NpgsqlTypes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>
/// The ids a projection store holds, binary-COPYed page by page into a temp table on the system of record, so that
/// the unified rows the store lacks are found by an anti-join inside PostgreSQL and named, with bounded memory.
/// </summary>
public sealed class SeenIds
{
    private readonly NpgsqlConnection _connection;
    private readonly string _table;

    private SeenIds(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _table = "pg_temp." + Sql.Quote(name);
    }

    /// <param name="name">The temp table's name, unique per store and collection.</param>
    public static async Task<SeenIds> CreateAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        var seen = new SeenIds(connection, name);
        await using var command = new NpgsqlCommand(
            $"DROP TABLE IF EXISTS {seen._table}; CREATE TEMP TABLE {Sql.Quote(name)} (id uuid NOT NULL); CREATE INDEX ON {seen._table} (id)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return seen;
    }

    public async Task AddAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        await using var importer = await _connection.BeginBinaryImportAsync($"COPY {_table} (id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var id in ids)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a difference of the given kind for each unified row of the origins (and the extra condition, whose value
    /// is @value) whose id was not seen, up to the report's limit; returns how many there are.
    /// </summary>
    public async Task<long> ReportMissingAsync(string table, IReadOnlyList<string> systemOrigins, string kind, MigrationValidationReport report,
        CancellationToken cancellationToken, string where = "TRUE", object? value = null)
    {
        await using (var analyze = new NpgsqlCommand($"ANALYZE {_table}", _connection))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand($"""
            SELECT t.source_name, t.legacy_id, count(*) OVER () FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} AS t
            WHERE t.system_origin = ANY(@origins) AND ({where}) AND NOT EXISTS (SELECT 1 FROM {_table} AS s WHERE s.id = t.id)
            ORDER BY t.source_name, t.legacy_id LIMIT @limit
            """, _connection);
        command.Parameters.AddWithValue("origins", systemOrigins.ToArray());
        command.Parameters.AddWithValue("limit", report.MaxDifferences);
        if (value is not null)
        {
            command.Parameters.AddWithValue("value", value);
        }

        long missing = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            missing = reader.GetInt64(2);
            report.AddDifference(new ValidationDifference(reader.GetString(0), table, reader.IsDBNull(1) ? "" : reader.GetString(1), kind, []));
        }

        var unlisted = Math.Max(0, missing - report.MaxDifferences);
        report.Count("differences_total", unlisted);
        report.Count("differences_not_listed", unlisted);
        return missing;
    }
}
