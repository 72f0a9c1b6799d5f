using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Cognee's standing grants: role_default_permissions, tenant_default_permissions and user_default_permissions
/// (cognee/modules/users/models/*DefaultPermissions.py, every tag since v0.1.40) give a principal permissions on every
/// dataset created later. They have no dataset, so they are no unified ACL; they travel with their principal as
/// metadata.cognee.default_permissions, the permission names sorted.
/// </summary>
internal static class CogneeDefaultPermissions
{
    private static readonly (string Table, string PrincipalColumn)[] Tables =
        [("role_default_permissions", "role_id"), ("tenant_default_permissions", "tenant_id"), ("user_default_permissions", "user_id")];

    /// <summary>A correlated subquery: the permission names granted by default to the principal <paramref name="alias"/>, or NULL.</summary>
    public static string Select(CogneeCatalog catalog, Relational.CogneeDatabase database, string alias)
    {
        var present = Tables.Where(t => catalog.Has(t.Table)).ToList();
        if (present.Count == 0 || !catalog.Has("permissions"))
        {
            return "NULL";
        }

        // The permission_id foreign keys cascade on delete, so every grant names an existing permission.
        var grants = string.Join(" UNION ALL ", present.Select(t =>
            $"SELECT g.\"{t.PrincipalColumn}\" AS \"principal_id\", g.\"permission_id\" AS \"permission_id\" FROM \"{t.Table}\" AS g"));
        return $"""
            (SELECT {database.ListAggregate("pm.\"name\"")} FROM ({grants}) AS dp
             JOIN "permissions" AS pm ON pm."id" = dp."permission_id" WHERE dp."principal_id" = {alias}."id")
            """;
    }

    /// <summary>The aggregated names as a sorted JSON array (the aggregate's order is the database's choice).</summary>
    public static JsonArray Names(string names) =>
        new(names.Split(',').Order(StringComparer.Ordinal).Select(name => (JsonNode?)JsonValue.Create(name)).ToArray());
}
