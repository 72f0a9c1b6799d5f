using Npgsql;

namespace PSUnifiedMigration.TestSupport;

/// <summary>Plain SQL against a test database, for arranging data and asserting on it.</summary>
public static class TestDatabase
{
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every row of a query, each as its column values (null for SQL NULL), for assertions on exact content.</summary>
    public static async Task<List<object?[]>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A fingerprint of every row of every unified table, to compare whole-store states.</summary>
    public static Task<string> UnifiedStateAsync(string connectionString) => ScalarAsync<string>(connectionString, """
        SELECT string_agg(t || ':' || n || ':' || h, ' ' ORDER BY t) FROM (
          SELECT 'projects' AS t, count(*) AS n, coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) AS h FROM unified.projects r
          UNION ALL SELECT 'datasets', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.datasets r
          UNION ALL SELECT 'documents', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.documents r
          UNION ALL SELECT 'chunks', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.chunks r
          UNION ALL SELECT 'id_map', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.id_map r) s
        """);

    /// <summary>
    /// Every unified table's row count and an order-independent hash of its rows without run_id: equal for two
    /// targets that hold the same data, whichever runs wrote it.
    /// </summary>
    public static Task<string> UnifiedContentAsync(string connectionString) => ScalarAsync<string>(connectionString, """
        SELECT string_agg(c.relname || ':' || h.n || ':' || h.h, ' ' ORDER BY c.relname)
        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace AND s.nspname = 'unified'
        CROSS JOIN LATERAL (
          SELECT (xpath('/row/n/text()', x))[1]::text AS n, (xpath('/row/h/text()', x))[1]::text AS h
          FROM query_to_xml(format(
            'SELECT count(*) AS n, coalesce(sum(hashtextextended((to_jsonb(r) - ''run_id'')::text, 0)::numeric), 0) AS h FROM unified.%I r',
            c.relname), false, true, '') AS x) h
        WHERE c.relkind IN ('r', 'p')
        """);
}
