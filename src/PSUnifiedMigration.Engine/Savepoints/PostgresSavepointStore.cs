using System.Data;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>
/// Savepoints of the unified PostgreSQL store. A savepoint is a consistent copy of every unified table
/// in its own schema, with each table's row count and content hash. Restore replaces the tables' rows
/// in one transaction and verifies the hashes before it commits, so a failed or cancelled restore
/// leaves the store as it was, never emptied or half-restored.
/// </summary>
public static class PostgresSavepointStore
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);

    public static async Task<MigrationSavepoint> CreateAsync(MigrationTarget target, string name, bool replace, CancellationToken cancellationToken)
    {
        ValidateName(name);
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        // A savepoint taken while a run writes would hold half of it. The lock is taken before the
        // transaction, so its snapshot starts only once no run or restore can be writing.
        await using var targetLock = await TargetLock.AcquireAsync(connection, name, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await UnifiedSchemaInstaller.EnsureBookkeepingAsync(connection, transaction, cancellationToken);
        var existing = await FindAsync(connection, target, name, cancellationToken);
        if (existing is not null)
        {
            if (!replace)
            {
                throw new MigrationException("SavepointExists", MigrationErrorKind.InvalidOperation,
                    $"A savepoint named '{name}' already exists (created {existing.CreatedAt:u}). Choose another name, or pass -Force to replace it.", name);
            }

            await DropAsync(connection, transaction, existing, cancellationToken);
        }

        var storage = StorageSchema(name);
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

        var createdAt = DateTimeOffset.UtcNow;
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {B}.savepoints (name, storage_schema, schema_version, created_at, tables) VALUES ($1, $2, $3, $4, $5::jsonb)", connection, transaction)
        {
            Parameters =
            {
                new() { Value = name }, new() { Value = storage }, new() { Value = version },
                new() { Value = createdAt.UtcDateTime }, new() { Value = JsonSerializer.Serialize(tables) },
            },
        })
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new MigrationSavepoint(name, createdAt, storage, version, tables, target);
    }

    public static async Task<IReadOnlyList<MigrationSavepoint>> ListAsync(MigrationTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken) is null)
        {
            return [];
        }

        await using var command = new NpgsqlCommand($"SELECT name, created_at, storage_schema, schema_version, tables::text FROM {B}.savepoints ORDER BY created_at, name", connection);
        var savepoints = new List<MigrationSavepoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            savepoints.Add(Read(reader, target));
        }

        return savepoints;
    }

    public static async Task<MigrationRestoreResult> RestoreAsync(MigrationTarget target, string name, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        var savepoint = await FindAsync(connection, target, name, cancellationToken) ?? throw NotFound(name);
        await using var targetLock = await TargetLock.AcquireAsync(connection, name, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var installed = await UnifiedSchemaInstaller.InstalledVersionAsync(connection, transaction, cancellationToken);
        if (installed != savepoint.SchemaVersion)
        {
            throw new MigrationException("SavepointSchemaMismatch", MigrationErrorKind.InvalidOperation,
                $"Savepoint '{name}' was taken at unified schema version {savepoint.SchemaVersion}; the target is at version {installed}. It cannot be restored.", name);
        }

        if (await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, transaction, cancellationToken) is not null)
        {
            await ExecuteAsync(connection, transaction, "SET CONSTRAINTS ALL DEFERRED", cancellationToken);
            var all = string.Join(", ", UnifiedSchema.AllDataTables.Select(t => Sql.Qualified(UnifiedSchema.DataSchema, t)));
            await ExecuteAsync(connection, transaction, $"TRUNCATE {all}", cancellationToken);
            foreach (var table in savepoint.Tables.Where(t => t.Rows > 0))
            {
                await ExecuteAsync(connection, transaction,
                    $"INSERT INTO {Sql.Qualified(UnifiedSchema.DataSchema, table.Table)} SELECT * FROM {Sql.Qualified(savepoint.StorageSchema, table.Table)}", cancellationToken);
            }

            foreach (var expected in savepoint.Tables)
            {
                var actual = await MeasureAsync(connection, transaction, Sql.Qualified(UnifiedSchema.DataSchema, expected.Table), expected.Table, cancellationToken);
                if (actual != expected)
                {
                    throw new MigrationException("SavepointVerificationFailed", MigrationErrorKind.InvalidData,
                        $"Restoring savepoint '{name}' did not reproduce unified.{expected.Table} (expected {expected.Rows} rows, hash {expected.ContentHash}; " +
                        $"got {actual.Rows} rows, hash {actual.ContentHash}). Nothing was changed: the restore was rolled back.", name);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new MigrationRestoreResult(name, savepoint.Tables, Verified: true, clock.Elapsed);
    }

    private static async Task<MigrationSavepoint?> FindAsync(NpgsqlConnection connection, MigrationTarget target, string name, CancellationToken cancellationToken)
    {
        if (await UnifiedSchemaInstaller.InstalledVersionAsync(connection, null, cancellationToken) is null)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT name, created_at, storage_schema, schema_version, tables::text FROM {B}.savepoints WHERE name = $1", connection)
        {
            Parameters = { new() { Value = name } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader, target) : null;
    }

    private static MigrationSavepoint Read(NpgsqlDataReader reader, MigrationTarget target) =>
        new(reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetString(2), reader.GetInt32(3),
            JsonSerializer.Deserialize<List<SavepointTable>>(reader.GetString(4))!, target);

    private static async Task DropAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MigrationSavepoint savepoint, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, $"DROP SCHEMA IF EXISTS {Sql.Quote(savepoint.StorageSchema)} CASCADE", cancellationToken);
        await using var delete = new NpgsqlCommand($"DELETE FROM {B}.savepoints WHERE name = $1", connection, transaction) { Parameters = { new() { Value = savepoint.Name } } };
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string EmptyHash = "0";

    /// <summary>Row count and an order-independent hash of every row's full text.</summary>
    private static async Task<SavepointTable> MeasureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string qualified, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0)::text FROM {qualified} AS r", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SavepointTable(table, reader.GetInt64(0), reader.GetString(1));
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200 || name.Any(char.IsControl))
        {
            throw new MigrationException("SavepointNameInvalid", MigrationErrorKind.InvalidArgument,
                "A savepoint name must be 1 to 200 printable characters.", name);
        }
    }

    /// <summary>The savepoint's schema name comes from a hash of its name, so no user text reaches DDL.</summary>
    private static string StorageSchema(string name) =>
        "unified_savepoint_" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16].ToLowerInvariant();

    private static MigrationException NotFound(string name) =>
        new("SavepointNotFound", MigrationErrorKind.ObjectNotFound,
            $"No savepoint named '{name}' exists on this target. Get-MigrationSavepoint lists the savepoints there are.", name);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
