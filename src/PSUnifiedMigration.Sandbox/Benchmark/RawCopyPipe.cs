using System.Diagnostics;
using Npgsql;

namespace PSUnifiedMigration.Sandbox.Benchmark;

/// <summary>
/// The physical reference of the benchmark: <c>COPY table TO STDOUT (FORMAT binary)</c> piped, unparsed, into
/// <c>COPY copy FROM STDIN (FORMAT binary)</c> of a table with the same columns and a primary key in another database.
/// Nothing a migration does can be faster on the same server, so every timing is reported as a ratio to it.
/// </summary>
public static class RawCopyPipe
{
    /// <summary>The table the pipe writes into, in the target database; dropped before and after each measurement.</summary>
    public const string CopyTable = "psum_bench_copy_pipe";

    /// <summary>Copies <paramref name="schema"/>.<paramref name="table"/> into a fresh keyed copy and returns the copy's duration.</summary>
    public static async Task<RawCopyMeasurement> MeasureAsync(
        string sourceConnectionString, string schema, string table, string keyColumn, string targetConnectionString,
        CancellationToken cancellationToken = default)
    {
        await using var source = new NpgsqlConnection(sourceConnectionString);
        await using var target = new NpgsqlConnection(targetConnectionString);
        await source.OpenAsync(cancellationToken);
        await target.OpenAsync(cancellationToken);
        var columns = await ColumnsAsync(source, schema, table, cancellationToken);
        await ExecuteAsync(target, $"DROP TABLE IF EXISTS {Quote(CopyTable)}", cancellationToken);
        await ExecuteAsync(target,
            $"CREATE TABLE {Quote(CopyTable)} ({string.Join(", ", columns)}, PRIMARY KEY ({Quote(keyColumn)}))", cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            await using (var reader = await source.BeginRawBinaryCopyAsync(
                $"COPY {Quote(schema)}.{Quote(table)} TO STDOUT (FORMAT binary)", cancellationToken))
            await using (var writer = await target.BeginRawBinaryCopyAsync(
                $"COPY {Quote(CopyTable)} FROM STDIN (FORMAT binary)", cancellationToken))
            {
                await reader.CopyToAsync(writer, cancellationToken);
            }

            clock.Stop();
            var rows = await ScalarAsync(target, $"SELECT count(*) FROM {Quote(CopyTable)}", cancellationToken);
            return new RawCopyMeasurement(rows, clock.Elapsed);
        }
        finally
        {
            await ExecuteAsync(target, $"DROP TABLE IF EXISTS {Quote(CopyTable)}", CancellationToken.None);
        }
    }

    /// <summary>Column definitions as the source declares them (<c>format_type</c> keeps typmods such as vector(768)).</summary>
    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a " +
            "WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident($1) || '.' || pg_catalog.quote_ident($2)) " +
            "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", connection)
        {
            Parameters = { new() { Value = schema }, new() { Value = table } },
        };
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add($"{Quote(reader.GetString(0))} {reader.GetString(1)}");
        }

        return columns.Count > 0 ? columns : throw new InvalidOperationException($"Table {schema}.{table} does not exist in the source database.");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    private static string Quote(string identifier) => ClaudeContextSample.Quote(identifier);
}

/// <summary>Rows the pipe moved and how long it took.</summary>
public sealed record RawCopyMeasurement(long Rows, TimeSpan Elapsed)
{
    public override string ToString() => $"{Rows:N0} rows in {Elapsed.TotalSeconds:N1} s";
}
