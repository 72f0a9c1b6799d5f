using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>
/// One column the readers name in a Cognee relational table, with the Cognee release whose SQLAlchemy model first
/// has it (cognee/modules/*/models/*.py and cognee/modules/graph/models/*.py, checked tag by tag; docs/cognee.md
/// "Relational eras"). A required column missing from a table that exists is a plan blocker; an optional one is read
/// as NULL.
/// </summary>
internal sealed record CogneeColumn(string Table, string Column, string Since, bool Required);

/// <summary>
/// The columns the relational and ledger readers name, never assumed: installations are upgrades of every era
/// since v0.1.4x, and a column a query names but the table lacks would fail the run mid-way ("no such column").
/// Columns read with <c>SELECT *</c> (data, datasets, dataset_database) need no entry unless a query names them.
/// </summary>
internal static class CogneeColumns
{
    /// <summary>The oldest tag checked: every column listed with it is in every model since then.</summary>
    private const string Oldest = "v0.1.40";

    public static IReadOnlyList<CogneeColumn> Known { get; } =
    [
        Required("principals", "id", Oldest), Required("principals", "type", Oldest),
        Optional("principals", "created_at", Oldest), Optional("principals", "updated_at", Oldest),
        // fastapi-users' SQLAlchemyBaseUserTableUUID gives users email, hashed_password (never read) and the three flags.
        Required("users", "id", Oldest), Required("users", "email", Oldest),
        Optional("users", "is_active", Oldest), Optional("users", "is_superuser", Oldest), Optional("users", "is_verified", Oldest),
        Optional("users", "tenant_id", Oldest), Optional("users", "parent_user_id", "v1.0.3"),
        Required("tenants", "id", Oldest), Required("tenants", "name", Oldest), Optional("tenants", "owner_id", "v0.2.0"),
        Required("roles", "id", Oldest), Required("roles", "name", Oldest), Optional("roles", "tenant_id", Oldest),
        Required("user_roles", "user_id", Oldest), Required("user_roles", "role_id", Oldest),
        Required("user_tenants", "user_id", "v0.5.0"), Required("user_tenants", "tenant_id", "v0.5.0"),
        Required("permissions", "id", Oldest), Required("permissions", "name", Oldest),
        Required("role_default_permissions", "role_id", Oldest), Required("role_default_permissions", "permission_id", Oldest),
        Required("tenant_default_permissions", "tenant_id", Oldest), Required("tenant_default_permissions", "permission_id", Oldest),
        Required("user_default_permissions", "user_id", Oldest), Required("user_default_permissions", "permission_id", Oldest),
        Required("datasets", "id", Oldest),
        Required("data", "id", Oldest), Optional("data", "dataset_id", "v1.5.0"),
        Required("dataset_data", "dataset_id", Oldest), Required("dataset_data", "data_id", Oldest), Optional("dataset_data", "created_at", Oldest),
        // acls name their dataset from v0.2.0 (dataset_id); up to v0.1.44 they name a data row (data_id) instead.
        Required("acls", "id", Oldest), Required("acls", "principal_id", Oldest), Required("acls", "permission_id", Oldest),
        Optional("acls", "dataset_id", "v0.2.0"), Optional("acls", "data_id", Oldest),
        // The graph ledger replaced graph_relationship_ledger in v0.5.3 (alembic 84e5d08260d6).
        Required("nodes", "slug", "v0.5.3"), Required("nodes", "type", "v0.5.3"), Required("nodes", "label", "v0.5.3"),
        Required("nodes", "attributes", "v0.5.3"), Required("nodes", "indexed_fields", "v0.5.3"), Required("nodes", "created_at", "v0.5.3"),
        Required("nodes", "dataset_id", "v0.5.3"), Required("nodes", "data_id", "v0.5.3"),
        Required("edges", "source_node_id", "v0.5.3"), Required("edges", "destination_node_id", "v0.5.3"), Required("edges", "relationship_name", "v0.5.3"),
        Required("edges", "label", "v0.5.3"), Required("edges", "attributes", "v0.5.3"), Required("edges", "created_at", "v0.5.3"),
        Required("edges", "dataset_id", "v0.5.3"),
    ];

    /// <summary>A blocker per required column missing from a table the installation has, naming table, column and the Cognee version that introduced it.</summary>
    public static IEnumerable<MigrationPlanIssue> Check(CogneeCatalog catalog, CogneeSession session)
    {
        foreach (var column in Known.Where(c => c.Required && catalog.Has(c.Table) && !catalog.HasColumn(c.Table, c.Column)))
        {
            yield return session.Blocker("CogneeColumnMissing",
                $"table {column.Table} has no column {column.Column}, which Cognee's model has had since {column.Since}; the table cannot be read without it.",
                $"Bring the database to a released Cognee schema (run Cognee {column.Since} or later once, which applies its migrations), or report the table's layout to the PSUnifiedMigration team.",
                MigrationErrorKind.InvalidData);
        }

        if (catalog.Has("acls") && !catalog.HasColumn("acls", "dataset_id") && !catalog.HasColumn("acls", "data_id"))
        {
            yield return session.Blocker("CogneeColumnMissing",
                "table acls has neither dataset_id (Cognee v0.2.0 and later) nor data_id (up to v0.1.44), so its rules name nothing to protect.",
                "Bring the database to a released Cognee schema, or report the table's layout to the PSUnifiedMigration team.", MigrationErrorKind.InvalidData);
        }

        if (catalog.Has("acls") && !catalog.Has("permissions"))
        {
            yield return session.Blocker("CogneeColumnMissing", "table acls exists but table permissions, which names each ACL's permission, does not.",
                "Restore the permissions table (every Cognee release has it), or report the layout to the PSUnifiedMigration team.", MigrationErrorKind.InvalidData);
        }
    }

    /// <summary>The column as <c>alias."column"</c> when the table has it, else NULL: an optional column another era lacks.</summary>
    public static string Or(CogneeCatalog catalog, string table, string alias, string column)
    {
        if (!Known.Any(c => c.Table == table && c.Column == column))
        {
            throw new InvalidOperationException($"{table}.{column} is not a known Cognee column; list it in CogneeColumns.Known with the version that introduced it.");
        }

        return catalog.HasColumn(table, column) ? $"{alias}.{Targets.Postgres.Sql.Quote(column)}" : "NULL";
    }

    /// <summary>
    /// Each of the columns the table has, as <c>alias."column"</c>, comma-led for a select list; absent ones are left
    /// out, so a row of an older era simply has no value for them.
    /// </summary>
    public static string Present(CogneeCatalog catalog, string table, string alias, params string[] columns) =>
        string.Concat(columns.Select(column => Or(catalog, table, alias, column)).Where(c => c != "NULL").Select(c => ", " + c));

    private static CogneeColumn Required(string table, string column, string since) => new(table, column, since, true);

    private static CogneeColumn Optional(string table, string column, string since) => new(table, column, since, false);
}
