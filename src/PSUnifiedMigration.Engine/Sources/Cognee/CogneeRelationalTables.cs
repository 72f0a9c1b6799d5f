using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>One row read from Cognee's relational store: column values by name, and which columns hold JSON.</summary>
public sealed class CogneeRow(IReadOnlyDictionary<string, object?> values, IReadOnlySet<string> jsonColumns)
{
    /// <summary>The reader's current row, every column by name.</summary>
    public static CogneeRow Read(System.Data.Common.DbDataReader reader, IReadOnlySet<string> jsonColumns)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            values[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return new CogneeRow(values, jsonColumns);
    }

    public object? this[string column] => values.GetValueOrDefault(column);

    public string? Uuid(string column) => CogneeValues.Uuid(this[column], column);

    public string? Text(string column) => FieldChecks.Text(this[column], column);

    public DateTime? Timestamp(string column) => CogneeValues.Timestamp(this[column], column);

    /// <summary>Every column not in <paramref name="mapped"/> (and not internal), so nothing the tool does not know is dropped.</summary>
    public JsonObject Carried(HashSet<string> mapped)
    {
        var carried = new JsonObject();
        foreach (var (column, value) in values)
        {
            if (!mapped.Contains(column) && !column.StartsWith("__", StringComparison.Ordinal))
            {
                carried[column] = CogneeValues.AsJson(value, column, jsonColumns.Contains(column));
            }
        }

        return carried;
    }
}

/// <summary>How one Cognee relational table maps onto a unified table.</summary>
/// <param name="PageKey">The column pages are keyed on; it also fixes the reading order.</param>
internal sealed record CogneeTableSpec(string SourceTable, UnifiedTable Target, Func<CogneeCatalog, CogneeDatabase, string> Select, Action<CogneeRow, UnifiedRecord> Map, string PageKey = "id");

/// <summary>
/// Cognee's relational tables (source-systems.md §3) and their transforms. A user's hashed_password is never
/// read: credentials do not travel. Columns without a unified home go to metadata.source_columns.
/// </summary>
internal static class CogneeRelationalTables
{
    public static readonly CogneeTableSpec Principals = new("principals", UnifiedSchema.Principals, (catalog, database) =>
    {
        var users = catalog.Has("users");
        var tenants = catalog.Has("tenants");
        var roles = catalog.Has("roles");
        // Every column but the keys is introspected (CogneeColumns): older eras lack some, e.g. users.parent_user_id before v1.0.3.
        return $"""
            SELECT p."id", p."type"{CogneeColumns.Present(catalog, "principals", "p", "created_at", "updated_at")},
                   -- Tenants first: users and roles refer to their tenant, which must be migrated before them.
                   (CASE WHEN p."type" = 'tenant' THEN '0' ELSE '1' END) || p."id" AS "__page_key",
                   {(catalog.Has("user_roles") ? $"(SELECT {database.ListAggregate("ur.\"role_id\"")} FROM \"user_roles\" AS ur WHERE ur.\"user_id\" = p.\"id\")" : "NULL")} AS "__role_ids",
                   {(catalog.Has("user_tenants") ? $"(SELECT {database.ListAggregate("ut.\"tenant_id\"")} FROM \"user_tenants\" AS ut WHERE ut.\"user_id\" = p.\"id\")" : "NULL")} AS "__tenant_ids",
                   {CogneeDefaultPermissions.Select(catalog, database, "p")} AS "__default_permissions"
                   {CogneeColumns.Present(catalog, "users", "u", "email", "is_active", "is_superuser", "is_verified", "parent_user_id")},
                   coalesce({CogneeColumns.Or(catalog, "users", "u", "tenant_id")}, {CogneeColumns.Or(catalog, "roles", "r", "tenant_id")}) AS "__tenant_id",
                   {CogneeColumns.Or(catalog, "tenants", "t", "name")} AS "__tenant_name"{(catalog.HasColumn("tenants", "owner_id") ? ", t.\"owner_id\" AS \"tenant_owner_id\"" : "")},
                   {CogneeColumns.Or(catalog, "roles", "r", "name")} AS "__role_name"
            FROM "principals" AS p
            {(users ? "LEFT JOIN \"users\" AS u ON u.\"id\" = p.\"id\"" : "")}
            {(tenants ? "LEFT JOIN \"tenants\" AS t ON t.\"id\" = p.\"id\"" : "")}
            {(roles ? "LEFT JOIN \"roles\" AS r ON r.\"id\" = p.\"id\"" : "")}
            """;
    }, (row, record) =>
    {
        var email = row.Text("email");
        record["principal_type"] = row.Text("type");
        record["name"] = row.Text("__tenant_name") ?? row.Text("__role_name") ?? email;
        record["email"] = email;
        record["is_active"] = CogneeValues.Boolean(row["is_active"]);
        record.SetReference("tenant_id", "principals", row.Uuid("__tenant_id"));
        var metadata = Metadata(row, ["id", "type", "created_at", "updated_at", "email", "is_active"]);
        // Role and tenant memberships (user_roles, user_tenants) travel with the user, standing grants with their principal.
        var memberships = new JsonObject();
        foreach (var (column, key) in new[] { ("__role_ids", "role_ids"), ("__tenant_ids", "tenant_ids") })
        {
            if (row.Text(column) is { } ids)
            {
                memberships[key] = UuidArray(ids, key);
            }
        }

        if (row.Text("__default_permissions") is { } defaults)
        {
            memberships["default_permissions"] = CogneeDefaultPermissions.Names(defaults);
        }

        if (memberships.Count > 0)
        {
            metadata["cognee"] = memberships;
        }

        record["metadata"] = metadata.ToJsonString();
        record["created_at"] = row.Timestamp("created_at");
        record["updated_at"] = row.Timestamp("updated_at");
    }, PageKey: "__page_key");

    public static readonly CogneeTableSpec Datasets = new("datasets", UnifiedSchema.Datasets,
        (_, _) => "SELECT d.* FROM \"datasets\" AS d", (row, record) =>
    {
        record["name"] = row.Text("name");
        record.SetReference("owner_id", "principals", row.Uuid("owner_id"));
        record.SetReference("tenant_id", "principals", row.Uuid("tenant_id"));
        record["metadata"] = Metadata(row, ["id", "name", "owner_id", "tenant_id", "created_at", "updated_at"]).ToJsonString();
        record["created_at"] = row.Timestamp("created_at");
        record["updated_at"] = row.Timestamp("updated_at");
    });

    /// <summary>
    /// Data rows (documents). Up to v1.4 a row reaches its datasets through dataset_data: it takes the first
    /// link's dataset, and all links are kept in metadata.cognee.dataset_ids. From v1.5 data.dataset_id says it
    /// (and where a half-finished upgrade left it NULL, the link table does: <see cref="CogneeDataDatasets"/>).
    /// </summary>
    public static readonly CogneeTableSpec Data = new("data", UnifiedSchema.Documents, (catalog, database) => $"""
        SELECT d.*, {CogneeDataDatasets.First(catalog, "d")} AS "__dataset_id", {CogneeDataDatasets.Links(catalog, database, "d")} AS "__dataset_ids"
        FROM "data" AS d
        """, (row, record) =>
    {
        var dataset = row.Uuid("__dataset_id") ?? throw new RecordRejectedException("dataset_id",
            "belongs to no dataset (no dataset_id and no dataset_data link). Add the data to a dataset in Cognee, or delete it.", "DatasetMissing");
        record.SetReference("dataset_id", "datasets", dataset);
        record.SetReference("owner_id", "principals", row.Uuid("owner_id"));
        record.SetReference("tenant_id", "principals", row.Uuid("tenant_id"));
        record["document_type"] = "cognee_data";
        record["path"] = row.Text("raw_data_location");
        record["title"] = row.Text("name");
        record["content_hash"] = row.Text("content_hash");
        record["file_extension"] = row.Text("extension");
        var metadata = Metadata(row, ["id", "name", "raw_data_location", "content_hash", "extension", "owner_id", "tenant_id", "dataset_id", "created_at", "updated_at"]);
        if (row.Text("__dataset_ids") is { } links)
        {
            metadata["cognee"] = new JsonObject { ["dataset_ids"] = UuidArray(links, "dataset_id") };
        }

        record["metadata"] = metadata.ToJsonString();
        record["created_at"] = row.Timestamp("created_at");
        record["updated_at"] = row.Timestamp("updated_at");
    });

    /// <summary>
    /// Access rules. From v0.2.0 an ACL names its dataset; up to v0.1.44 it names a data row (acls.data_id), and takes
    /// that row's dataset (the data_id stays in metadata.source_columns).
    /// </summary>
    public static readonly CogneeTableSpec Acls = new("acls", UnifiedSchema.Acls, (catalog, _) => $"""
        SELECT a.*, pm."name" AS "__permission",
               {(catalog.HasColumn("acls", "dataset_id") ? "a.\"dataset_id\"" : $"(SELECT {CogneeDataDatasets.First(catalog, "ad")} FROM \"data\" AS ad WHERE ad.\"id\" = a.\"data_id\")")} AS "__dataset_id"
        FROM "acls" AS a LEFT JOIN "permissions" AS pm ON pm."id" = a."permission_id"
        """,
        (row, record) =>
    {
        record["permission"] = row.Text("__permission") ?? throw new RecordRejectedException("permission_id",
            $"refers to permission {row.Uuid("permission_id") ?? "(none)"}, which does not exist. Fix the ACL in Cognee, or delete it.", "PermissionMissing");
        record.SetReference("principal_id", "principals", row.Uuid("principal_id"));
        record.SetReference("dataset_id", "datasets", row.Uuid("__dataset_id"));
        record["metadata"] = Metadata(row, ["id", "principal_id", "permission_id", "dataset_id", "created_at"]).ToJsonString();
        record["created_at"] = row.Timestamp("created_at");
    });

    public static IReadOnlyList<CogneeTableSpec> All { get; } = [Principals, Datasets, Data, Acls];

    /// <summary>A group_concat list of UUIDs as a JSON array of canonical UUIDs.</summary>
    public static JsonArray UuidArray(string ids, string field) =>
        new(ids.Split(',').Select(id => (JsonNode?)JsonValue.Create(CogneeValues.Uuid(id, field))).ToArray());

    /// <summary>The record's metadata: every column the transform did not map, under source_columns.</summary>
    private static JsonObject Metadata(CogneeRow row, HashSet<string> mapped)
    {
        var carried = row.Carried(mapped);
        return carried.Count == 0 ? [] : new JsonObject { ["source_columns"] = carried };
    }
}
