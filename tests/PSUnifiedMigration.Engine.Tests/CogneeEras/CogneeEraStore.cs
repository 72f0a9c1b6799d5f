using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PSUnifiedMigration.Engine.Tests.CogneeEras;

/// <summary>
/// A small Cognee relational store (databases/cognee_db) of one era, written with that era's DDL
/// (<see cref="CogneeEraSchema"/>) and values bound as SQLAlchemy binds them on SQLite: UUIDs as 32 hex digits,
/// DATETIME as "YYYY-MM-DD HH:MM:SS.ffffff", booleans 0/1, JSON as text. Every row is written through the one
/// insert below, which leaves out the columns the era's table does not have.
/// </summary>
internal sealed class CogneeEraStore
{
    public static readonly Guid Tenant = Id(1), Role = Id(2), User1 = Id(3), User2 = Id(4), Read = Id(5), Write = Id(6);
    public static readonly Guid Dataset1 = Id(10), Dataset2 = Id(11);
    public static readonly Guid Data1 = Id(20), Data2 = Id(21), Data3 = Id(22), Data2Split = Id(23);
    public static readonly Guid Entity = Id(30);

    /// <summary>Secrets dataset_database can hold; nothing may print, log or copy them.</summary>
    public static readonly string[] Secrets = ["sk-era-vector-key-5f1", "era-graph-key-9c2", "era-kuzu-password-7d3", "era-pg-password-1e8"];

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, HashSet<string>> _columns = new(StringComparer.Ordinal);

    private CogneeEraStore(SqliteConnection connection) => _connection = connection;

    public required CogneeEra Era { get; init; }

    /// <summary>The datasets each data row should land in (v1.5's split copy included).</summary>
    public Dictionary<Guid, Guid> ExpectedDatasets { get; } = [];

    public int Principals => 4;

    public int Datasets => 2;

    public int Acls => 3;

    public int DataRows => ExpectedDatasets.Count;

    /// <summary>Writes databases/cognee_db under <paramref name="systemRoot"/>; <paramref name="omit"/> drops "table.column"s from the DDL.</summary>
    public static async Task<CogneeEraStore> CreateAsync(string systemRoot, CogneeEra era, params string[] omit)
    {
        var path = Path.Combine(systemRoot, "databases", "cognee_db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadWriteCreate;Pooling=False");
        await connection.OpenAsync();
        var store = new CogneeEraStore(connection) { Era = era };
        foreach (var sql in CogneeEraSchema.Statements(era, omit.ToHashSet()))
        {
            store.Execute(sql);
        }

        store.WriteRows();
        return store;
    }

    private void WriteRows()
    {
        var t0 = new DateTime(2025, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        Principal(Tenant, "tenant", t0);
        Insert("tenants", ("id", Tenant), ("name", "acme"), ("owner_id", User1));
        Principal(Role, "role", t0);
        Insert("roles", ("id", Role), ("name", "editors"), ("tenant_id", Tenant));
        foreach (var (user, email, tenant) in new[] { (User1, "ada@example.org", (Guid?)Tenant), (User2, "bob@example.org", null) })
        {
            Principal(user, "user", t0);
            Insert("users", ("id", user), ("tenant_id", tenant), ("parent_user_id", user == User2 ? User1 : null), ("email", email),
                ("hashed_password", "$argon2id$never-copied"), ("is_active", true), ("is_superuser", user == User1), ("is_verified", true));
        }

        Insert("user_roles", ("created_at", t0), ("user_id", User1), ("role_id", Role));
        Insert("user_tenants", ("created_at", t0), ("user_id", User1), ("tenant_id", Tenant));
        Insert("permissions", ("id", Read), ("created_at", t0), ("name", "read"));
        Insert("permissions", ("id", Write), ("created_at", t0), ("name", "write"));
        Insert("role_default_permissions", ("created_at", t0), ("role_id", Role), ("permission_id", Read));
        Insert("tenant_default_permissions", ("created_at", t0), ("tenant_id", Tenant), ("permission_id", Read));
        Insert("tenant_default_permissions", ("created_at", t0), ("tenant_id", Tenant), ("permission_id", Write));
        Insert("user_default_permissions", ("created_at", t0), ("user_id", User2), ("permission_id", Write));
        Insert("datasets", ("id", Dataset1), ("name", "research"), ("created_at", t0), ("owner_id", User1), ("tenant_id", Tenant));
        Insert("datasets", ("id", Dataset2), ("name", "notes"), ("created_at", t0), ("owner_id", User2));

        // Data2 is in both datasets; its earliest link (Dataset1) makes its dataset. v1.5 split it: Data2Split is Dataset2's copy.
        var v15 = Era == CogneeEra.V1_5_2;
        Data(Data1, User1, Dataset1, t0, datasetColumn: true);
        Data(Data2, User1, Dataset1, t0.AddMinutes(1), datasetColumn: v15);
        Data(Data3, User2, Dataset2, t0.AddMinutes(2), datasetColumn: v15);
        if (v15)
        {
            Data(Data2Split, User1, Dataset2, t0.AddMinutes(3), datasetColumn: true, legacy: Data2);
        }

        Insert("dataset_data", ("created_at", t0), ("dataset_id", Dataset1), ("data_id", Data1));
        Insert("dataset_data", ("created_at", t0.AddMinutes(1)), ("dataset_id", Dataset1), ("data_id", Data2));
        Insert("dataset_data", ("created_at", t0.AddMinutes(5)), ("dataset_id", Dataset2), ("data_id", Data2));
        Insert("dataset_data", ("created_at", t0.AddMinutes(2)), ("dataset_id", Dataset2), ("data_id", Data3));

        // Up to v0.1.44 an ACL names a data row; it takes that row's dataset.
        foreach (var (acl, principal, permission, dataset, data) in new[] { (Id(40), User1, Read, Dataset1, Data1), (Id(41), User2, Write, Dataset2, Data3), (Id(42), Role, Read, Dataset1, Data2) })
        {
            Insert("acls", ("id", acl), ("created_at", t0), ("principal_id", principal), ("permission_id", permission), ("dataset_id", dataset), ("data_id", data));
        }

        foreach (var dataset in new[] { Dataset1, Dataset2 })
        {
            Insert("dataset_database", ("owner_id", dataset == Dataset1 ? User1 : User2), ("dataset_id", dataset),
                ("vector_database_name", $"{dataset}.lance.db"), ("graph_database_name", $"{dataset}.pkl"),
                ("vector_database_provider", "pgvector"), ("graph_database_provider", "kuzu"),
                ("graph_dataset_database_handler", "kuzu"), ("vector_dataset_database_handler", "pgvector_shared"),
                ("vector_database_key", Secrets[0]), ("graph_database_key", Secrets[1]),
                ("graph_database_connection_info", $"{{\"graph_database_password\": \"{Secrets[2]}\"}}"),
                ("vector_database_connection_info", $"{{\"password\": \"{Secrets[3]}\"}}"), ("created_at", t0));
        }

        Ledger(t0);
        Insert("alembic_version", ("version_num", CogneeEraSchema.AlembicRevision(Era)));
    }

    /// <summary>Ledger rows (v0.5.3+): per data row a document node, a chunk node is_part_of it, and one entity every chunk contains.</summary>
    private void Ledger(DateTime t0)
    {
        if (!CogneeEraSchema.HasLedger(Era))
        {
            return;
        }

        var row = 100;
        foreach (var (data, dataset) in ExpectedDatasets)
        {
            var chunk = Id(200 + row);
            foreach (var (slug, type) in new[] { (data, "TextDocument"), (chunk, "DocumentChunk"), (Entity, "Entity") })
            {
                Insert("nodes", ("id", Id(row++)), ("slug", slug), ("user_id", User1), ("data_id", data), ("dataset_id", dataset), ("label", type + " " + slug.ToString()[..8]),
                    ("type", type), ("indexed_fields", "[\"text\"]"), ("attributes", "{\"ontology_valid\": false}"), ("created_at", t0));
            }

            foreach (var (source, relationship, target) in new[] { (chunk, "is_part_of", data), (chunk, "contains", Entity) })
            {
                Insert("edges", ("id", Id(row++)), ("slug", Id(row++)), ("user_id", User1), ("data_id", data), ("dataset_id", dataset), ("source_node_id", source),
                    ("destination_node_id", target), ("relationship_name", relationship), ("attributes", "{}"), ("created_at", t0));
            }
        }
    }

    public int LedgerNodes => CogneeEraSchema.HasLedger(Era) ? DataRows * 2 + 1 : 0;

    public int LedgerEdges => CogneeEraSchema.HasLedger(Era) ? DataRows * 2 : 0;

    private void Principal(Guid id, string type, DateTime created) => Insert("principals", ("id", id), ("created_at", created), ("type", type));

    private void Data(Guid id, Guid owner, Guid dataset, DateTime created, bool datasetColumn, Guid? legacy = null)
    {
        ExpectedDatasets[id] = dataset;
        Insert("data", ("id", id), ("name", "doc-" + id.ToString()[..8]), ("extension", "txt"), ("mime_type", "text/plain"),
            ("raw_data_location", $"file:///data/{id:N}.txt"), ("owner_id", owner), ("tenant_id", owner == User1 ? Tenant : null),
            ("dataset_id", datasetColumn ? dataset : null), ("legacy_id", legacy), ("content_hash", id.ToString("N")[..16]),
            ("external_metadata", "{}"), ("node_set", "null"), ("token_count", 42), ("created_at", created), ("updated_at", created));
    }

    private void Insert(string table, params (string Column, object? Value)[] values)
    {
        var columns = Columns(table);
        if (columns.Count == 0)
        {
            return;
        }

        var present = values.Where(v => columns.Contains(v.Column)).ToArray();
        using var command = _connection.CreateCommand();
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", present.Select(v => $"\"{v.Column}\""))}) VALUES ({string.Join(", ", present.Select((_, i) => "@p" + i))})";
        for (var i = 0; i < present.Length; i++)
        {
            command.Parameters.AddWithValue("@p" + i, present[i].Value switch
            {
                null => DBNull.Value,
                Guid id => id.ToString("N"),
                DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                bool flag => flag ? 1L : 0L,
                var value => value,
            });
        }

        command.ExecuteNonQuery();
    }

    private HashSet<string> Columns(string table)
    {
        if (!_columns.TryGetValue(table, out var columns))
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT name FROM pragma_table_info(@table)";
            command.Parameters.AddWithValue("@table", table);
            using var reader = command.ExecuteReader();
            _columns[table] = columns = [];
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        return columns;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A fixed id; the leading hex letters keep SQLite's NUMERIC affinity (columns declared UUID) from turning it into a number.</summary>
    private static Guid Id(int n) => Guid.Parse($"ea000000-0000-4000-8000-{n:D12}");
}
