using System.Runtime.CompilerServices;
using Npgsql;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// Reads a unified table in keyset pages on id (never OFFSET), restricted to some system origins: how projections
/// and cross-store checks stream the system of record with bounded memory.
/// </summary>
internal static class UnifiedPages
{
    /// <param name="where">An extra condition on the rows, whose values are the parameters @value and @run.</param>
    public static async IAsyncEnumerable<List<T>> ReadAsync<T>(NpgsqlConnection connection, string table, string columns, IReadOnlyList<string> systemOrigins,
        int pageSize, Func<NpgsqlDataReader, T> map, [EnumeratorCancellation] CancellationToken cancellationToken, string where = "TRUE", object? value = null,
        Guid? run = null)
    {
        Guid? last = null;
        while (true)
        {
            var page = new List<T>(pageSize);
            await using (var command = new NpgsqlCommand(
                $"SELECT id, {columns} FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} " +
                $"WHERE system_origin = ANY(@origins) AND ({where}) AND (@last::uuid IS NULL OR id > @last) ORDER BY id LIMIT @limit", connection))
            {
                if (value is not null)
                {
                    command.Parameters.AddWithValue("value", value);
                }

                if (run is { } runId)
                {
                    command.Parameters.AddWithValue("run", runId);
                }

                command.Parameters.AddWithValue("origins", systemOrigins.ToArray());
                command.Parameters.Add(new NpgsqlParameter("last", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)last ?? DBNull.Value });
                command.Parameters.AddWithValue("limit", pageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    last = reader.GetGuid(0);
                    page.Add(map(reader));
                }
            }

            if (page.Count == 0)
            {
                yield break;
            }

            yield return page;
            if (page.Count < pageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>Which of the given ids the table holds.</summary>
    public static async Task<HashSet<Guid>> ExistingIdsAsync(NpgsqlConnection connection, string table, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        await using var command = new NpgsqlCommand($"SELECT id FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetGuid(0));
        }

        return found;
    }

    public static async Task<long> CountAsync(NpgsqlConnection connection, string table, IReadOnlyList<string> systemOrigins, CancellationToken cancellationToken,
        string where = "TRUE", object? value = null)
    {
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} WHERE system_origin = ANY(@origins) AND ({where})", connection);
        command.Parameters.AddWithValue("origins", systemOrigins.ToArray());
        if (value is not null)
        {
            command.Parameters.AddWithValue("value", value);
        }

        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
