using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>
/// The PostgreSQL part of savepoints and their bookkeeping row. A savepoint is a consistent copy of every unified table
/// in its own schema, with each table's row count and content hash. Restore replaces the tables' rows in the caller's
/// transaction and verifies the hashes before the caller commits, so a failed or cancelled restore leaves the store as
/// it was, never emptied or half-restored.
/// </summary>
internal static class PostgresSavepointStore
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);
    // A store whose bookkeeping predates version 3 has no stores column yet: read through to_jsonb so both work.
    private const string Columns = "name, created_at, storage_schema, schema_version, tables::text, coalesce(to_jsonb(s) -> 'stores', '[]')::text";
    private const string EmptyHash = "0";

    /// <summary>Creates the storage schema and copies every unified table into it; returns the tables' counts and hashes.</summary>
    public static async Task<(int Version, List<SavepointTable> Tables)> CopyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storage,
        CancellationToken cancellationToken)
    {
        var dataInstalled = await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, transaction, cancellationToken) is not null;
        var version = (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, transaction, cancellationToken))!.Value;
        var tables = new List<SavepointTable>();
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {Sql.Quote(storage)}", cancellationToken);
        foreach (var table in UnifiedSchema.AllDataTables)
        {
            // A store of an older version lacks the tables a later one added: those are empty by definition.
            if (dataInstalled && await UnifiedSchemaInstaller.DataTableExistsAsync(connection, transaction, table, cancellationToken))
            {
                await ExecuteAsync(connection, transaction,
                    $"CREATE TABLE {Sql.Qualified(storage, table)} AS TABLE {Sql.Qualified(UnifiedSchema.DataSchema, table)}", cancellationToken);
                tables.Add(await MeasureAsync(connection, transaction, Sql.Qualified(storage, table), table, cancellationToken));
            }
            else
            {
                // Before the first run there is no unified data: the savepoint is the empty store.
                tables.Add(new SavepointTable(table, 0, EmptyHash));
            }
        }

        return (version, tables);
    }

    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationSavepoint savepoint, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {B}.savepoints (name, storage_schema, schema_version, created_at, tables, stores) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
            connection, transaction)
        {
            Parameters =
            {
                new() { Value = savepoint.Name }, new() { Value = savepoint.StorageSchema }, new() { Value = savepoint.SchemaVersion },
                new() { Value = savepoint.CreatedAt.UtcDateTime }, new() { Value = JsonSerializer.Serialize(savepoint.Tables) },
                new() { Value = JsonSerializer.Serialize(savepoint.Parts) },
            },
        };
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<MigrationSavepoint>> ListAsync(NpgsqlConnection connection, MigrationTarget target, CancellationToken cancellationToken)
    {
        if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken) is null)
        {
            return [];
        }

        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM {B}.savepoints AS s ORDER BY created_at, name", connection);
        return await ReadAllAsync(command, target, cancellationToken);
    }

    public static async Task<MigrationSavepoint?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, MigrationTarget target, string name,
        CancellationToken cancellationToken)
    {
        if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, transaction, cancellationToken) is null)
        {
            return null;
        }

        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM {B}.savepoints AS s WHERE name = $1", connection, transaction)
        {
            Parameters = { new() { Value = name } },
        };
        return (await ReadAllAsync(command, target, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Replaces every unified table's rows with the savepoint's copy and verifies them, in the caller's transaction.</summary>
    public static async Task RestoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationSavepoint savepoint, CancellationToken cancellationToken)
    {
        await UnifiedSchemaInstaller.EnsureBookkeepingAsync(connection, transaction, cancellationToken);
        var installed = await UnifiedSchemaInstaller.InstalledVersionAsync(connection, transaction, cancellationToken);
        if (installed is not { } version || !UnifiedSchemaInstaller.CanRestore(savepoint.SchemaVersion, version))
        {
            throw new MigrationException("SavepointSchemaMismatch", MigrationErrorKind.InvalidOperation,
                $"Savepoint '{savepoint.Name}' was taken at unified schema version {savepoint.SchemaVersion}; the target is at version {installed}. It cannot be restored.",
                savepoint.Name);
        }

        await new RunJournal(connection).ForgetProgressAsync(transaction, cancellationToken);
        if (await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, transaction, cancellationToken) is null)
        {
            return;
        }

        await ExecuteAsync(connection, transaction, "SET CONSTRAINTS ALL DEFERRED", cancellationToken);
        var all = string.Join(", ", UnifiedSchema.AllDataTables.Select(t => Sql.Qualified(UnifiedSchema.DataSchema, t)));
        await ExecuteAsync(connection, transaction, $"TRUNCATE {all}", cancellationToken);
        // By the savepoint's own columns: a store upgraded since has more, which restore as NULL and are left out of the check.
        var columns = new Dictionary<string, string>();
        foreach (var table in savepoint.Tables)
        {
            columns[table.Table] = await CopyColumnsAsync(connection, transaction, savepoint.StorageSchema, table.Table, cancellationToken);
        }

        foreach (var table in savepoint.Tables.Where(t => t.Rows > 0))
        {
            await ExecuteAsync(connection, transaction,
                $"INSERT INTO {Sql.Qualified(UnifiedSchema.DataSchema, table.Table)} ({columns[table.Table]}) SELECT {columns[table.Table]} FROM {Sql.Qualified(savepoint.StorageSchema, table.Table)}",
                cancellationToken);
        }

        foreach (var expected in savepoint.Tables)
        {
            var restored = $"(SELECT {columns[expected.Table]} FROM {Sql.Qualified(UnifiedSchema.DataSchema, expected.Table)})";
            var actual = await MeasureAsync(connection, transaction, restored, expected.Table, cancellationToken);
            if (actual != expected)
            {
                throw new MigrationException("SavepointVerificationFailed", MigrationErrorKind.InvalidData,
                    $"Restoring savepoint '{savepoint.Name}' did not reproduce unified.{expected.Table} (expected {expected.Rows} rows, hash {expected.ContentHash}; " +
                    $"got {actual.Rows} rows, hash {actual.ContentHash}). Nothing was changed: the restore was rolled back.", savepoint.Name);
            }
        }
    }

    /// <summary>The quoted column list of a table's copy in a savepoint (the data table's, for a table the copy lacks: it was empty).</summary>
    private static async Task<string> CopyColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storage, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute AS a
            WHERE a.attrelid = coalesce(to_regclass($1), to_regclass($2)) AND a.attnum > 0 AND NOT a.attisdropped
            """, connection, transaction)
        {
            Parameters = { new() { Value = Sql.Qualified(storage, table) }, new() { Value = Sql.Qualified(UnifiedSchema.DataSchema, table) } },
        };
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Drops the savepoint's storage schema (its copy and what projection stores exported into it) and its bookkeeping row.</summary>
    public static async Task DropAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationSavepoint savepoint, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, $"DROP SCHEMA IF EXISTS {Sql.Quote(savepoint.StorageSchema)} CASCADE", cancellationToken);
        await using var delete = new NpgsqlCommand($"DELETE FROM {B}.savepoints WHERE name = $1", connection, transaction) { Parameters = { new() { Value = savepoint.Name } } };
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl))
        {
            throw new MigrationException("SavepointNameInvalid", MigrationErrorKind.InvalidArgument,
                "A savepoint name must be 1 to 200 printable characters.", name);
        }
    }

    /// <summary>The savepoint's schema name comes from a hash of its name, so no user text reaches DDL.</summary>
    public static string StorageSchema(string name) =>
        "unified_savepoint_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16].ToLowerInvariant();

    private static async Task<List<MigrationSavepoint>> ReadAllAsync(NpgsqlCommand command, MigrationTarget target, CancellationToken cancellationToken)
    {
        var savepoints = new List<MigrationSavepoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            savepoints.Add(new MigrationSavepoint(reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetString(2), reader.GetInt32(3),
                JsonSerializer.Deserialize<List<SavepointTable>>(reader.GetString(4))!, JsonSerializer.Deserialize<List<SavepointPart>>(reader.GetString(5))!, target));
        }

        return savepoints;
    }

    /// <summary>Row count and an order-independent hash of every row's full text.</summary>
    private static async Task<SavepointTable> MeasureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string qualified, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0)::text FROM {qualified} AS r", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SavepointTable(table, reader.GetInt64(0), reader.GetString(1));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
