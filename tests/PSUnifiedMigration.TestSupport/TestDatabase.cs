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

    /// <summary>A fingerprint of every row of every unified table, to compare whole-store states.</summary>
    public static Task<string> UnifiedStateAsync(string connectionString) => ScalarAsync<string>(connectionString, """
        SELECT string_agg(t || ':' || n || ':' || h, ' ' ORDER BY t) FROM (
          SELECT 'projects' AS t, count(*) AS n, coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) AS h FROM unified.projects r
          UNION ALL SELECT 'datasets', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.datasets r
          UNION ALL SELECT 'documents', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.documents r
          UNION ALL SELECT 'chunks', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.chunks r
          UNION ALL SELECT 'id_map', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.id_map r) s
        """);
}
