using Npgsql;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>A source database holding a sample Claude-Context installation, and an empty target database.</summary>
public sealed record MigrationScenario(string Source, string Target, ClaudeContextSampleSummary Sample)
{
    public static async Task<MigrationScenario> CreateAsync(LocalPostgresServer server, ClaudeContextSampleOptions? options = null)
    {
        var source = await server.CreateDatabaseAsync("src");
        var target = await server.CreateDatabaseAsync("dst");
        var sample = await ClaudeContextSample.CreateAsync(source, options ?? new ClaudeContextSampleOptions { Chunks = 250, Seed = 7 });
        return new MigrationScenario(source, target, sample);
    }

    public int TotalRecords => Sample.Projects + Sample.Datasets + Sample.Documents + Sample.WebPages + Sample.Chunks;

    public Task ExecuteOnSourceAsync(string sql) => ExecuteAsync(Source, sql);

    public Task<T> ScalarOnTargetAsync<T>(string sql) => ScalarAsync<T>(Target, sql);

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
    public Task<string> TargetStateAsync() => ScalarAsync<string>(Target, """
        SELECT string_agg(t || ':' || n || ':' || h, ' ' ORDER BY t) FROM (
          SELECT 'projects' AS t, count(*) AS n, coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) AS h FROM unified.projects r
          UNION ALL SELECT 'datasets', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.datasets r
          UNION ALL SELECT 'documents', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.documents r
          UNION ALL SELECT 'chunks', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.chunks r
          UNION ALL SELECT 'id_map', count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0) FROM unified.id_map r) s
        """);
}
