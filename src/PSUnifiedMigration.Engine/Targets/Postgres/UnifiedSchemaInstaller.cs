using System.Text;
using Npgsql;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>What the unified store's dense_vector column is.</summary>
public sealed record VectorStorage(bool Pgvector, int? Dimensions)
{
    public string SqlType => Pgvector ? (Dimensions is { } n ? $"vector({n})" : "vector") : "real[]";

    /// <summary>The type of vectors whose dimension is set per collection.</summary>
    public string CollectionSqlType => Pgvector ? "vector" : "real[]";
}

/// <summary>Creates the unified and bookkeeping schemas, and records their version.</summary>
public static class UnifiedSchemaInstaller
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);
    private static readonly string U = Sql.Quote(UnifiedSchema.DataSchema);
    private const string VersionDescription = "unified store: principals, projects, datasets, documents, chunks, data points, graph, ACLs, id map; before-images; projection state; planned totals of runs";

    public static async Task<int?> InstalledVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT CASE WHEN to_regclass('{UnifiedSchema.BookkeepingSchema}.schema_version') IS NULL THEN NULL ELSE 0 END", connection, transaction);
        if (await command.ExecuteScalarAsync(cancellationToken) is DBNull or null)
        {
            return null;
        }

        command.CommandText = $"SELECT max(version) FROM {B}.schema_version";
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }

    /// <summary>The dense_vector storage of the installed data schema, or null when the data schema is not installed yet.</summary>
    public static async Task<VectorStorage?> InstalledVectorStorageAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (await InstalledVersionAsync(connection, transaction, cancellationToken) is null)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            $"SELECT max(value) FILTER (WHERE key = 'dense_vector_type'), max(value) FILTER (WHERE key = 'dense_vector_dimensions') FROM {B}.settings", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return null;
        }

        int? dimensions = reader.IsDBNull(1) || !int.TryParse(reader.GetString(1), out var n) ? null : n;
        return new VectorStorage(reader.GetString(0) == "vector", dimensions);
    }

    /// <summary>Whether a table of the data schema exists (a store of an older version lacks the later tables).</summary>
    public static async Task<bool> DataTableExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction)
        {
            Parameters = { new() { Value = Sql.Qualified(UnifiedSchema.DataSchema, table) } },
        };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<bool> PgvectorAvailableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Installs the bookkeeping schema when it is missing, in the caller's transaction.</summary>
    public static async Task EnsureBookkeepingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var installed = await InstalledVersionAsync(connection, transaction, cancellationToken);
        if (installed > UnifiedSchema.CurrentVersion)
        {
            throw new MigrationException("TargetSchemaTooNew", MigrationErrorKind.InvalidOperation,
                $"The target's unified schema is version {installed}, newer than this module's version {UnifiedSchema.CurrentVersion}. Update PSUnifiedMigration.");
        }

        if (installed is null)
        {
            await ExecuteAsync(connection, transaction, BookkeepingDdl() + BookkeepingAdditionsDdl() +
                $"\nINSERT INTO {B}.schema_version (version, description) VALUES ({UnifiedSchema.CurrentVersion}, {Sql.Literal(VersionDescription)});",
                cancellationToken);
        }
        else if (installed < UnifiedSchema.CurrentVersion)
        {
            // A store whose data tables are current is current once its bookkeeping is upgraded; older data tables are upgraded by EnsureAsync.
            await ExecuteAsync(connection, transaction, BookkeepingAdditionsDdl() + (installed >= UnifiedSchema.DataTablesVersion
                ? $"\nINSERT INTO {B}.schema_version (version, description) VALUES ({UnifiedSchema.CurrentVersion}, {Sql.Literal(VersionDescription)});"
                : ""), cancellationToken);
        }
    }

    /// <summary>
    /// Whether a savepoint taken at one schema version restores into a store of another: upgrades only add tables and
    /// columns, so a store holds every column of a savepoint taken at its own data tables or older ones (the added ones
    /// restore as NULL); a savepoint of newer data tables does not fit.
    /// </summary>
    public static bool CanRestore(int savepointVersion, int storeVersion) =>
        UnifiedSchema.DataTablesOf(savepointVersion) <= UnifiedSchema.DataTablesOf(storeVersion);

    /// <summary>
    /// Installs the bookkeeping and data schemas when they are missing, and upgrades an older data schema,
    /// in the caller's transaction. The dense_vector type is fixed at install: pgvector when available, real[] otherwise.
    /// </summary>
    public static async Task<VectorStorage> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int? vectorDimensions, CancellationToken cancellationToken)
    {
        await EnsureBookkeepingAsync(connection, transaction, cancellationToken);
        var version = await InstalledVersionAsync(connection, transaction, cancellationToken);
        if (await InstalledVectorStorageAsync(connection, transaction, cancellationToken) is { } installed)
        {
            if (version < UnifiedSchema.CurrentVersion)
            {
                await UpgradeAsync(connection, transaction, installed, cancellationToken);
            }

            return installed;
        }

        var storage = new VectorStorage(await PgvectorAvailableAsync(connection, cancellationToken), vectorDimensions);
        var ddl = new StringBuilder();
        if (storage.Pgvector)
        {
            ddl.AppendLine("CREATE EXTENSION IF NOT EXISTS vector;");
        }

        ddl.AppendLine(DataDdl(storage));
        ddl.AppendLine($"INSERT INTO {B}.settings (key, value) VALUES ('dense_vector_type', {Sql.Literal(storage.Pgvector ? "vector" : "real[]")})" +
                       (storage.Dimensions is { } d ? $", ('dense_vector_dimensions', '{d}');" : ";"));
        if (version < UnifiedSchema.CurrentVersion)
        {
            // The bookkeeping came from an older module (a savepoint before the first run); the tables are current.
            ddl.AppendLine($"INSERT INTO {B}.schema_version (version, description) VALUES ({UnifiedSchema.CurrentVersion}, {Sql.Literal(VersionDescription)});");
        }

        await ExecuteAsync(connection, transaction, ddl.ToString(), cancellationToken);
        return storage;
    }

    /// <summary>Brings an older data schema to the current version: missing tables are created, missing columns added.</summary>
    private static async Task UpgradeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VectorStorage storage, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<string, HashSet<string>>();
        await using (var command = new NpgsqlCommand(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1", connection, transaction)
        {
            Parameters = { new() { Value = UnifiedSchema.DataSchema } },
        })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!existing.TryGetValue(reader.GetString(0), out var columns))
                {
                    existing[reader.GetString(0)] = columns = [];
                }

                columns.Add(reader.GetString(1));
            }
        }

        var ddl = new StringBuilder();
        foreach (var table in UnifiedSchema.Tables)
        {
            if (!existing.TryGetValue(table.Name, out var columns))
            {
                ddl.AppendLine(TableDdl(table, storage));
                continue;
            }

            ddl.Append(ContentHashIndexDdl(table));
            var missing = table.Columns.Where(c => !columns.Contains(c.Name)).Select(c => ColumnDdl(c, storage))
                .Concat(table.References.Where(r => !columns.Contains(r.Column)).Select(ReferenceDdl))
                .Select(definition => "ADD COLUMN " + definition).ToArray();
            if (missing.Length > 0)
            {
                ddl.AppendLine($"ALTER TABLE {U}.{Sql.Quote(table.Name)} {string.Join(", ", missing)};");
                foreach (var reference in table.References.Where(r => !columns.Contains(r.Column)))
                {
                    ddl.AppendLine($"CREATE INDEX ON {U}.{Sql.Quote(table.Name)} ({Sql.Quote(reference.Column)});");
                }
            }
        }

        ddl.AppendLine($"INSERT INTO {B}.schema_version (version, description) VALUES ({UnifiedSchema.CurrentVersion}, {Sql.Literal(VersionDescription)});");
        await ExecuteAsync(connection, transaction, ddl.ToString(), cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string BookkeepingDdl() => $"""
        CREATE SCHEMA {B};
        CREATE TABLE {B}.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE {B}.settings (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE {B}.runs (
            run_id uuid PRIMARY KEY, plan_id uuid NOT NULL, plan_fingerprint text NOT NULL, sources text NOT NULL,
            status text NOT NULL, started_at timestamptz NOT NULL, finished_at timestamptz, started_by text,
            read bigint NOT NULL DEFAULT 0, migrated bigint NOT NULL DEFAULT 0, rejected bigint NOT NULL DEFAULT 0,
            skipped bigint NOT NULL DEFAULT 0, failure text);
        CREATE TABLE {B}.checkpoints (
            run_id uuid NOT NULL REFERENCES {B}.runs (run_id) ON DELETE CASCADE, step text NOT NULL,
            source_name text NOT NULL, source_table text NOT NULL, target_table text NOT NULL, position jsonb,
            status text NOT NULL, read bigint NOT NULL, migrated bigint NOT NULL, rejected bigint NOT NULL,
            skipped bigint NOT NULL, id_collisions bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (run_id, step));
        CREATE TABLE {B}.rejects (
            reject_id bigserial PRIMARY KEY, run_id uuid NOT NULL REFERENCES {B}.runs (run_id) ON DELETE CASCADE, step text NOT NULL,
            source_name text NOT NULL, source_table text NOT NULL, record_key text NOT NULL, field text NOT NULL,
            reason text NOT NULL, error_id text NOT NULL, rejected_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX ON {B}.rejects (run_id, source_name, source_table);
        CREATE TABLE {B}.savepoints (
            name text PRIMARY KEY, storage_schema text NOT NULL UNIQUE, schema_version integer NOT NULL,
            created_at timestamptz NOT NULL, tables jsonb NOT NULL);
        """;

    /// <summary>
    /// What versions 3, 4 and 6 added to the bookkeeping, safe to run again: the before-images of the rows runs changed, the
    /// savepoints' parts in Neo4j and Qdrant (3), how far each graph or vector store is in step with PostgreSQL (4), and each
    /// run's planned totals and warnings (6), so another console can show a percentage, a time left and the warnings.
    /// </summary>
    private static string BookkeepingAdditionsDdl() => $"""

        CREATE TABLE IF NOT EXISTS {B}.{Sql.Quote(UnifiedSchema.BeforeImagesTable)} (
            run_id uuid NOT NULL, target_table text NOT NULL, row_id uuid NOT NULL, previous_run_id uuid NOT NULL,
            image jsonb NOT NULL, PRIMARY KEY (run_id, target_table, row_id));
        CREATE INDEX IF NOT EXISTS before_images_previous_run_idx ON {B}.{Sql.Quote(UnifiedSchema.BeforeImagesTable)} (previous_run_id);
        ALTER TABLE {B}.savepoints ADD COLUMN IF NOT EXISTS stores jsonb NOT NULL DEFAULT '[]';
        CREATE TABLE IF NOT EXISTS {B}.projections (
            store text NOT NULL, system_origin text NOT NULL, dirty_runs uuid[] NOT NULL DEFAULT ARRAY[]::uuid[], synced_at timestamptz NOT NULL,
            PRIMARY KEY (store, system_origin));
        ALTER TABLE {B}.runs ADD COLUMN IF NOT EXISTS planned jsonb;
        """;

    private static string DataDdl(VectorStorage storage)
    {
        var ddl = new StringBuilder($"""
            CREATE SCHEMA {U};
            CREATE TABLE {U}.{Sql.Quote(UnifiedSchema.IdMapTable)} (
                source_name text NOT NULL, source_table text NOT NULL, legacy_id text NOT NULL, target_table text NOT NULL,
                unified_id uuid NOT NULL, system_origin text NOT NULL, run_id uuid NOT NULL,
                PRIMARY KEY (source_name, source_table, legacy_id), UNIQUE (target_table, unified_id));

            """);
        foreach (var table in UnifiedSchema.Tables)
        {
            ddl.AppendLine(TableDdl(table, storage));
        }

        return ddl.ToString();
    }

    private static string TableDdl(UnifiedTable table, VectorStorage storage)
    {
        var columns = new List<string> { "id uuid PRIMARY KEY" };
        columns.AddRange(table.Columns.Select(c => ColumnDdl(c, storage)));
        columns.AddRange(table.References.Select(ReferenceDdl));
        columns.Add("run_id uuid NOT NULL");
        if (table.Columns.Any(c => c.Kind == ColumnKind.Vector) && !storage.Pgvector && storage.Dimensions is { } dimensions)
        {
            columns.Add($"CONSTRAINT {Sql.Quote(table.Name + "_dense_vector_dimensions")} CHECK (dense_vector IS NULL OR cardinality(dense_vector) = {dimensions})");
        }

        var ddl = new StringBuilder($"CREATE TABLE {U}.{Sql.Quote(table.Name)} (\n    {string.Join(",\n    ", columns)});\n");
        ddl.AppendLine($"CREATE INDEX ON {U}.{Sql.Quote(table.Name)} (source_name, legacy_id);");
        foreach (var reference in table.References)
        {
            ddl.AppendLine($"CREATE INDEX ON {U}.{Sql.Quote(table.Name)} ({Sql.Quote(reference.Column)});");
        }

        ddl.Append(ContentHashIndexDdl(table));
        return ddl.ToString();
    }

    /// <summary>Records of different systems with the same text are linked by equal content_hash, so it is indexed.</summary>
    private static string ContentHashIndexDdl(UnifiedTable table) =>
        table.Columns.Any(c => c.Name == "content_hash")
            ? $"CREATE INDEX IF NOT EXISTS {Sql.Quote(table.Name + "_content_hash_idx")} ON {U}.{Sql.Quote(table.Name)} (content_hash);\n"
            : "";

    private static string ColumnDdl(UnifiedColumn column, VectorStorage storage) =>
        $"{Sql.Quote(column.Name)} {ColumnType(column.Kind, storage)}" + (column.Name is "legacy_id" or "system_origin" or "source_name" ? " NOT NULL" : "");

    // Deferrable, so a savepoint restore can reload tables in any order inside one transaction.
    private static string ReferenceDdl(UnifiedReference reference) =>
        $"{Sql.Quote(reference.Column)} uuid REFERENCES {U}.{Sql.Quote(reference.ParentTable)} (id) DEFERRABLE INITIALLY IMMEDIATE";

    public static string ColumnType(ColumnKind kind, VectorStorage storage) => kind switch
    {
        ColumnKind.Text => "text",
        ColumnKind.Boolean => "boolean",
        ColumnKind.Integer => "integer",
        ColumnKind.Timestamp => "timestamptz",
        ColumnKind.Json => "jsonb",
        ColumnKind.Uuid => "uuid",
        ColumnKind.Vector => storage.SqlType,
        ColumnKind.CollectionVector => storage.CollectionSqlType,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
