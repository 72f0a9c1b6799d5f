using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// Cognee's relational database, with the tables SQLAlchemy's <c>create_all</c> makes of Cognee's models and values
/// bound as SQLAlchemy binds them. On SQLite (<c>databases/cognee_db</c>, the default): <c>UUID</c> columns
/// (declared "UUID", so NUMERIC affinity) hold 32 lower-case hex digits, DATETIME columns
/// "YYYY-MM-DD HH:MM:SS.ffffff" UTC, JSON columns <c>json.dumps</c> text (a Python None in a JSON column is the
/// text "null"), booleans 0/1. On PostgreSQL (DB_PROVIDER=postgres): native uuid, timestamptz, json and boolean.
/// </summary>
internal sealed partial class CogneeRelationalStore : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly Dictionary<string, DbCommand> _inserts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);

    private CogneeRelationalStore(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    private bool IsPostgres => _connection is NpgsqlConnection;

    /// <summary>Creates the tables in a new SQLite file, or in a PostgreSQL database when <paramref name="postgresConnectionString"/> is given.</summary>
    public static async Task<CogneeRelationalStore> CreateAsync(string path, string? postgresConnectionString, RelationalLayout layout, CancellationToken ct)
    {
        // No pooling: the file must be closed (and its WAL checkpointed) when the sample is done.
        DbConnection connection = postgresConnectionString is null
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ConnectionString)
            : new NpgsqlConnection(postgresConnectionString);
        await connection.OpenAsync(ct);
        try
        {
            if (postgresConnectionString is null)
            {
                // Cognee opens SQLite in WAL mode since v1.3 (concurrent cognify writers).
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL";
                await pragma.ExecuteNonQueryAsync(ct);
            }

            var transaction = await connection.BeginTransactionAsync(ct);
            var store = new CogneeRelationalStore(connection, transaction);
            foreach (var sql in Schema(layout))
            {
                await store.ExecuteAsync(postgresConnectionString is null ? sql : ForPostgres(sql), ct);
            }

            return store;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public int Rows(string table) => _rows.GetValueOrDefault(table);

    /// <summary>Inserts one row; values are converted as SQLAlchemy binds them on SQLite.</summary>
    public async Task InsertAsync(string table, CancellationToken ct, params (string Column, object? Value)[] values)
    {
        var key = table + ":" + string.Join(",", values.Select(v => v.Column));
        if (!_inserts.TryGetValue(key, out var command))
        {
            command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = $"INSERT INTO {Quote(table)} ({string.Join(", ", values.Select(v => Quote(v.Column)))}) " +
                $"VALUES ({string.Join(", ", values.Select((_, i) => "@p" + i))})";
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i;
                command.Parameters.Add(parameter);
            }

            _inserts[key] = command;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (IsPostgres)
            {
                var parameter = (NpgsqlParameter)command.Parameters[i];
                parameter.ResetDbType();
                (parameter.Value, var json) = BindPostgres(values[i].Value);
                if (json)
                {
                    parameter.NpgsqlDbType = NpgsqlDbType.Json;
                }
            }
            else
            {
                command.Parameters[i].Value = Bind(values[i].Value);
            }
        }

        await command.ExecuteNonQueryAsync(ct);
        _rows[table] = Rows(table) + 1;
    }

    public async Task CommitAsync(CancellationToken ct) => await _transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _inserts.Values)
        {
            await command.DisposeAsync();
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    /// <summary>A JSON column's value: <c>json.dumps</c> of it (so None is the JSON text "null", not SQL NULL).</summary>
    public static Json AsJson(object? value) => new(PyJson.Dumps(value));

    /// <summary>Marks a value for a JSON column.</summary>
    public readonly record struct Json(string Text);

    private static object Bind(object? value) => value switch
    {
        null => DBNull.Value,
        Guid id => CogneeIds.SqliteUuid(id),
        DateTime time => CogneeTime.Sqlite(time),
        bool flag => flag ? 1L : 0L,
        Json json => json.Text,
        _ => value,
    };

    /// <summary>
    /// The DDL as PostgreSQL gets it: SQLAlchemy's DateTime(timezone=True) is timestamptz there; foreign keys are
    /// checked at commit, since the sample writes rows in model order rather than dependency order.
    /// </summary>
    private static string ForPostgres(string sql) =>
        ForeignKey().Replace(sql.Replace(" DATETIME", " TIMESTAMP WITH TIME ZONE", StringComparison.Ordinal), "$1 DEFERRABLE INITIALLY DEFERRED");

    [System.Text.RegularExpressions.GeneratedRegex(@"(REFERENCES \w+ \(\w+\)(?: ON DELETE (?:CASCADE|SET NULL))?)")]
    private static partial System.Text.RegularExpressions.Regex ForeignKey();

    private static (object Value, bool IsJson) BindPostgres(object? value) => value switch
    {
        null => (DBNull.Value, false),
        DateTime time => (DateTime.SpecifyKind(time, DateTimeKind.Utc), false),
        Json json => (json.Text, true),
        _ => (value, false),
    };

    /// <summary>Runs a statement in the store's transaction (the sample's extra tables, such as the PostgreSQL graph).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary>
    /// The DDL of the modelled release's tables, as SQLAlchemy emits it for SQLite (type names, NOT NULL on keys,
    /// named unique constraints, <c>ix_&lt;table&gt;_&lt;column&gt;</c> indexes). Tables the sample leaves empty
    /// (pipelines, queries, ...) are not created.
    /// </summary>
    private static IEnumerable<string> Schema(RelationalLayout layout)
    {
        yield return """
            CREATE TABLE principals (
            	id UUID NOT NULL, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	type VARCHAR NOT NULL, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_principals_id ON principals (id)";
        yield return """
            CREATE TABLE tenants (
            	id UUID NOT NULL, 
            	name VARCHAR NOT NULL, 
            	owner_id UUID, 
            	PRIMARY KEY (id), 
            	FOREIGN KEY(id) REFERENCES principals (id)
            )
            """;
        yield return "CREATE INDEX ix_tenants_name ON tenants (name)";
        yield return "CREATE INDEX ix_tenants_owner_id ON tenants (owner_id)";
        yield return """
            CREATE TABLE users (
            	id UUID NOT NULL, 
            	tenant_id UUID, 
            	parent_user_id UUID, 
            	email VARCHAR(320) NOT NULL, 
            	hashed_password VARCHAR(1024) NOT NULL, 
            	is_active BOOLEAN NOT NULL, 
            	is_superuser BOOLEAN NOT NULL, 
            	is_verified BOOLEAN NOT NULL, 
            	PRIMARY KEY (id), 
            	FOREIGN KEY(id) REFERENCES principals (id) ON DELETE CASCADE, 
            	FOREIGN KEY(tenant_id) REFERENCES tenants (id), 
            	FOREIGN KEY(parent_user_id) REFERENCES users (id) ON DELETE SET NULL
            )
            """;
        yield return "CREATE UNIQUE INDEX ix_users_email ON users (email)";
        yield return """
            CREATE TABLE roles (
            	id UUID NOT NULL, 
            	name VARCHAR NOT NULL, 
            	tenant_id UUID NOT NULL, 
            	PRIMARY KEY (id), 
            	CONSTRAINT uq_roles_tenant_id_name UNIQUE (tenant_id, name), 
            	FOREIGN KEY(id) REFERENCES principals (id) ON DELETE CASCADE, 
            	FOREIGN KEY(tenant_id) REFERENCES tenants (id)
            )
            """;
        yield return "CREATE INDEX ix_roles_name ON roles (name)";
        yield return """
            CREATE TABLE user_roles (
            	created_at DATETIME, 
            	user_id UUID NOT NULL, 
            	role_id UUID NOT NULL, 
            	PRIMARY KEY (user_id, role_id), 
            	FOREIGN KEY(user_id) REFERENCES users (id), 
            	FOREIGN KEY(role_id) REFERENCES roles (id)
            )
            """;
        yield return """
            CREATE TABLE user_tenants (
            	created_at DATETIME, 
            	user_id UUID NOT NULL, 
            	tenant_id UUID NOT NULL, 
            	PRIMARY KEY (user_id, tenant_id), 
            	FOREIGN KEY(user_id) REFERENCES users (id), 
            	FOREIGN KEY(tenant_id) REFERENCES tenants (id)
            )
            """;
        yield return """
            CREATE TABLE permissions (
            	id UUID NOT NULL, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	name VARCHAR NOT NULL, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_permissions_id ON permissions (id)";
        yield return "CREATE UNIQUE INDEX ix_permissions_name ON permissions (name)";
        yield return """
            CREATE TABLE datasets (
            	id UUID NOT NULL, 
            	name TEXT, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	owner_id UUID, 
            	tenant_id UUID, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_datasets_owner_id ON datasets (owner_id)";
        yield return "CREATE INDEX ix_datasets_tenant_id ON datasets (tenant_id)";
        yield return """
            CREATE TABLE acls (
            	id UUID NOT NULL, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	principal_id UUID, 
            	permission_id UUID, 
            	dataset_id UUID, 
            	PRIMARY KEY (id), 
            	FOREIGN KEY(principal_id) REFERENCES principals (id), 
            	FOREIGN KEY(permission_id) REFERENCES permissions (id), 
            	FOREIGN KEY(dataset_id) REFERENCES datasets (id) ON DELETE CASCADE
            )
            """;
        var v15 = layout == RelationalLayout.DataDatasetId;
        yield return $"""
            CREATE TABLE data (
            	id UUID NOT NULL, 
            	label VARCHAR, 
            	name VARCHAR, 
            	extension VARCHAR, 
            	mime_type VARCHAR, 
            	original_extension VARCHAR, 
            	original_mime_type VARCHAR, 
            	loader_engine VARCHAR, 
            	raw_data_location VARCHAR, 
            	original_data_location VARCHAR, 
            	owner_id UUID, 
            	tenant_id UUID, {(v15 ? "\n\tdataset_id UUID, \n\tlegacy_id UUID, " : "")}
            	content_hash VARCHAR, 
            	raw_content_hash VARCHAR, 
            	external_metadata JSON, {(v15 ? "\n\tsystem_metadata JSON, " : "")}
            	node_set JSON, 
            	pipeline_status JSON, 
            	token_count INTEGER, 
            	data_size INTEGER, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	last_accessed DATETIME, 
            	importance_weight FLOAT, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_data_owner_id ON data (owner_id)";
        yield return "CREATE INDEX ix_data_tenant_id ON data (tenant_id)";
        if (v15)
        {
            yield return "CREATE INDEX ix_data_dataset_id ON data (dataset_id)";
            yield return "CREATE INDEX ix_data_legacy_id ON data (legacy_id)";
            yield return "CREATE INDEX data_dataset_content_lookup ON data (dataset_id, owner_id, content_hash)";
        }
        else
        {
            yield return """
                CREATE TABLE dataset_data (
                	created_at DATETIME, 
                	dataset_id UUID NOT NULL, 
                	data_id UUID NOT NULL, 
                	PRIMARY KEY (dataset_id, data_id), 
                	FOREIGN KEY(dataset_id) REFERENCES datasets (id) ON DELETE CASCADE, 
                	FOREIGN KEY(data_id) REFERENCES data (id) ON DELETE CASCADE
                )
                """;
        }

        yield return """
            CREATE TABLE dataset_database (
            	owner_id UUID, 
            	dataset_id UUID NOT NULL, 
            	vector_database_name VARCHAR NOT NULL, 
            	graph_database_name VARCHAR NOT NULL, 
            	vector_database_provider VARCHAR NOT NULL, 
            	graph_database_provider VARCHAR NOT NULL, 
            	graph_dataset_database_handler VARCHAR NOT NULL, 
            	vector_dataset_database_handler VARCHAR NOT NULL, 
            	vector_database_url VARCHAR, 
            	graph_database_url VARCHAR, 
            	vector_database_key VARCHAR, 
            	graph_database_key VARCHAR, 
            	cognee_version VARCHAR, 
            	migration_revision VARCHAR, 
            	migration_last_error VARCHAR, 
            	graph_database_connection_info JSON DEFAULT '{}' NOT NULL, 
            	vector_database_connection_info JSON DEFAULT '{}' NOT NULL, 
            	created_at DATETIME, 
            	updated_at DATETIME, 
            	PRIMARY KEY (dataset_id), 
            	FOREIGN KEY(owner_id) REFERENCES principals (id) ON DELETE CASCADE, 
            	FOREIGN KEY(dataset_id) REFERENCES datasets (id) ON DELETE CASCADE
            )
            """;
        yield return "CREATE INDEX ix_dataset_database_owner_id ON dataset_database (owner_id)";
        yield return "CREATE INDEX ix_dataset_database_dataset_id ON dataset_database (dataset_id)";
        yield return """
            CREATE TABLE nodes (
            	id UUID NOT NULL, 
            	slug UUID NOT NULL, 
            	user_id UUID NOT NULL, 
            	data_id UUID NOT NULL, 
            	dataset_id UUID NOT NULL, 
            	pipeline_run_id UUID, 
            	label TEXT, 
            	type TEXT NOT NULL, 
            	indexed_fields JSON NOT NULL, 
            	attributes JSON, 
            	created_at DATETIME NOT NULL, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_nodes_dataset_id ON nodes (dataset_id)";
        yield return "CREATE INDEX ix_nodes_pipeline_run_id ON nodes (pipeline_run_id)";
        yield return "CREATE INDEX index_node_dataset_slug ON nodes (dataset_id, slug)";
        yield return "CREATE INDEX index_node_dataset_data ON nodes (dataset_id, data_id)";
        yield return """
            CREATE TABLE edges (
            	id UUID NOT NULL, 
            	slug UUID NOT NULL, 
            	user_id UUID NOT NULL, 
            	data_id UUID NOT NULL, 
            	dataset_id UUID NOT NULL, 
            	pipeline_run_id UUID, 
            	source_node_id UUID NOT NULL, 
            	destination_node_id UUID NOT NULL, 
            	relationship_name TEXT NOT NULL, 
            	label TEXT, 
            	attributes JSON, 
            	created_at DATETIME NOT NULL, 
            	PRIMARY KEY (id)
            )
            """;
        yield return "CREATE INDEX ix_edges_data_id ON edges (data_id)";
        yield return "CREATE INDEX ix_edges_dataset_id ON edges (dataset_id)";
        yield return "CREATE INDEX ix_edges_pipeline_run_id ON edges (pipeline_run_id)";

        // Alembic's marker, stamped with the release's head revision: how a reader can tell the schema version.
        yield return """
            CREATE TABLE alembic_version (
            	version_num VARCHAR(32) NOT NULL, 
            	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
            )
            """;
    }
}
