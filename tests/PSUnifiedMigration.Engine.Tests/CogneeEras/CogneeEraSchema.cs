namespace PSUnifiedMigration.Engine.Tests.CogneeEras;

/// <summary>The Cognee releases whose relational schema the era fixtures reproduce.</summary>
public enum CogneeEra
{
    /// <summary>v0.1.43 (networkx era): ACLs name a data row (acls.data_id); no user_tenants, no tenants.owner_id, no dataset_database.</summary>
    V0_1_43,

    /// <summary>v1.0.2 (Kuzu era): the graph ledger nodes/edges, dataset_database, but no users.parent_user_id (added in v1.0.3).</summary>
    V1_0_2,

    /// <summary>v1.1.3 (pgvector payloads without document_id): users.parent_user_id, data.last_accessed/importance_weight.</summary>
    V1_1_3,

    /// <summary>v1.5.2 (default today): data.dataset_id and legacy_id, no dataset_data; dataset_database's version columns.</summary>
    V1_5_2,

    /// <summary>
    /// A v1.5 upgrade stopped after alembic revision c5d7e9f1a3b5 (add_dataset_id_to_data) and before d6e8f0a2b4c6
    /// (backfill, drop dataset_data): data.dataset_id exists but is NULL on the old rows, dataset_data still links them.
    /// </summary>
    V1_5_Unfinished,
}

/// <summary>
/// The CREATE TABLE statements SQLAlchemy's create_all emits on SQLite for each era, transcribed column by column from
/// topoteretes/cognee at the tag: cognee/modules/users/models/{Principal,User,Tenant,Role,UserRole,UserTenant,Permission,
/// ACL,RoleDefaultPermissions,TenantDefaultPermissions,UserDefaultPermissions,DatasetDatabase}.py,
/// cognee/modules/data/models/{Data,Dataset,DatasetData,graph_relationship_ledger}.py and
/// cognee/modules/graph/models/{Node,Edge}.py; the v1.5 migration steps from cognee/alembic/versions/c5d7e9f1a3b5_*.py
/// and d6e8f0a2b4c6_*.py. fastapi-users' SQLAlchemyBaseUserTableUUID gives users email, hashed_password and the flags.
/// </summary>
internal static class CogneeEraSchema
{
    public static bool HasTenantOwner(CogneeEra era) => era != CogneeEra.V0_1_43;

    public static bool HasUserTenants(CogneeEra era) => era != CogneeEra.V0_1_43;

    public static bool HasParentUser(CogneeEra era) => era is CogneeEra.V1_1_3 or CogneeEra.V1_5_2 or CogneeEra.V1_5_Unfinished;

    public static bool AclsOnData(CogneeEra era) => era == CogneeEra.V0_1_43;

    public static bool HasLedger(CogneeEra era) => era != CogneeEra.V0_1_43;

    public static bool HasDataDatasetId(CogneeEra era) => era is CogneeEra.V1_5_2 or CogneeEra.V1_5_Unfinished;

    public static bool HasDatasetData(CogneeEra era) => era != CogneeEra.V1_5_2;

    public static bool HasDatasetDatabase(CogneeEra era) => era != CogneeEra.V0_1_43;

    /// <summary>Alembic's head at the tag: the revision no other revision names as down_revision (v0.1.43 shipped no alembic migrations).</summary>
    public static string? AlembicRevision(CogneeEra era) => era switch
    {
        CogneeEra.V0_1_43 => null,
        CogneeEra.V1_5_Unfinished => "c5d7e9f1a3b5",
        CogneeEra.V1_5_2 => "c7e2a9b4d1f3",
        CogneeEra.V1_1_3 => "760ef4f08ef0",
        _ => "d4e5f6a7b8c9",
    };

    public static IEnumerable<string> Statements(CogneeEra era, ISet<string> omit)
    {
        // An omitted column takes the key naming it along (the bad-input tests' tables without a required column).
        bool Omitted(string name, string line) => omit.Any(o => o.StartsWith(name + ".", StringComparison.Ordinal)
            && (line.Split(' ')[0] == o[(name.Length + 1)..] || (line.StartsWith("PRIMARY KEY", StringComparison.Ordinal) && line.Contains(o[(name.Length + 1)..], StringComparison.Ordinal))));
        string Table(string name, params string?[] lines) =>
            $"CREATE TABLE {name} (\n\t{string.Join(", \n\t", lines.Where(l => l is not null && !Omitted(name, l)))}\n)";
        string? If(bool condition, string line) => condition ? line : null;

        yield return Table("principals", "id UUID NOT NULL", "created_at DATETIME", "updated_at DATETIME", "type VARCHAR NOT NULL", "PRIMARY KEY (id)");
        yield return Table("tenants", "id UUID NOT NULL", "name VARCHAR NOT NULL", If(HasTenantOwner(era), "owner_id UUID"), "PRIMARY KEY (id)",
            "FOREIGN KEY(id) REFERENCES principals (id)");
        yield return Table("users", "id UUID NOT NULL", "tenant_id UUID", If(HasParentUser(era), "parent_user_id UUID"), "email VARCHAR(320) NOT NULL",
            "hashed_password VARCHAR(1024) NOT NULL", "is_active BOOLEAN NOT NULL", "is_superuser BOOLEAN NOT NULL", "is_verified BOOLEAN NOT NULL",
            "PRIMARY KEY (id)", "FOREIGN KEY(id) REFERENCES principals (id) ON DELETE CASCADE", "FOREIGN KEY(tenant_id) REFERENCES tenants (id)");
        yield return Table("roles", "id UUID NOT NULL", "name VARCHAR NOT NULL", "tenant_id UUID NOT NULL", "PRIMARY KEY (id)",
            "FOREIGN KEY(id) REFERENCES principals (id) ON DELETE CASCADE", "FOREIGN KEY(tenant_id) REFERENCES tenants (id)");
        yield return Table("user_roles", "created_at DATETIME", "user_id UUID NOT NULL", "role_id UUID NOT NULL", "PRIMARY KEY (user_id, role_id)");
        if (HasUserTenants(era))
        {
            yield return Table("user_tenants", "created_at DATETIME", "user_id UUID NOT NULL", "tenant_id UUID NOT NULL", "PRIMARY KEY (user_id, tenant_id)");
        }

        yield return Table("permissions", "id UUID NOT NULL", "created_at DATETIME", "updated_at DATETIME", "name VARCHAR NOT NULL", "PRIMARY KEY (id)");
        foreach (var (table, principal) in new[] { ("role_default_permissions", "role_id"), ("tenant_default_permissions", "tenant_id"), ("user_default_permissions", "user_id") })
        {
            yield return Table(table, "created_at DATETIME", $"{principal} UUID NOT NULL", "permission_id UUID NOT NULL", $"PRIMARY KEY ({principal}, permission_id)");
        }

        yield return Table("datasets", "id UUID NOT NULL", "name TEXT", "created_at DATETIME", "updated_at DATETIME", "owner_id UUID",
            If(era != CogneeEra.V0_1_43, "tenant_id UUID"), "PRIMARY KEY (id)");
        var modern = era != CogneeEra.V0_1_43;
        yield return Table("data", "id UUID NOT NULL", If(modern, "label VARCHAR"), "name VARCHAR", "extension VARCHAR", "mime_type VARCHAR",
            If(modern, "original_extension VARCHAR"), If(modern, "original_mime_type VARCHAR"), If(modern, "loader_engine VARCHAR"),
            "raw_data_location VARCHAR", If(modern, "original_data_location VARCHAR"), "owner_id UUID", If(modern, "tenant_id UUID"),
            If(HasDataDatasetId(era), "dataset_id UUID"), If(era == CogneeEra.V1_5_2, "legacy_id UUID"),
            "content_hash VARCHAR", If(modern, "raw_content_hash VARCHAR"), "external_metadata JSON", If(era == CogneeEra.V1_5_2, "system_metadata JSON"),
            "node_set JSON", If(modern, "pipeline_status JSON"), "token_count INTEGER", If(modern, "data_size INTEGER"),
            "created_at DATETIME", "updated_at DATETIME", If(modern, "last_accessed DATETIME"), If(modern, "importance_weight FLOAT"), "PRIMARY KEY (id)");
        if (HasDatasetData(era))
        {
            yield return Table("dataset_data", "created_at DATETIME", "dataset_id UUID NOT NULL", "data_id UUID NOT NULL", "PRIMARY KEY (dataset_id, data_id)");
        }

        yield return Table("acls", "id UUID NOT NULL", "created_at DATETIME", "updated_at DATETIME", "principal_id UUID", "permission_id UUID",
            AclsOnData(era) ? "data_id UUID" : "dataset_id UUID", "PRIMARY KEY (id)");
        if (HasDatasetDatabase(era))
        {
            var v15 = era is CogneeEra.V1_5_2 or CogneeEra.V1_5_Unfinished;
            yield return Table("dataset_database", "owner_id UUID", "dataset_id UUID NOT NULL", "vector_database_name VARCHAR NOT NULL",
                "graph_database_name VARCHAR NOT NULL", "vector_database_provider VARCHAR NOT NULL", "graph_database_provider VARCHAR NOT NULL",
                "graph_dataset_database_handler VARCHAR NOT NULL", "vector_dataset_database_handler VARCHAR NOT NULL", "vector_database_url VARCHAR",
                "graph_database_url VARCHAR", "vector_database_key VARCHAR", "graph_database_key VARCHAR", If(v15, "cognee_version VARCHAR"),
                If(v15, "migration_revision VARCHAR"), If(v15, "migration_last_error VARCHAR"), "graph_database_connection_info JSON DEFAULT '{}' NOT NULL",
                "vector_database_connection_info JSON DEFAULT '{}' NOT NULL", "created_at DATETIME", "updated_at DATETIME", "PRIMARY KEY (dataset_id)");
        }

        if (HasLedger(era))
        {
            yield return Table("nodes", "id UUID NOT NULL", "slug UUID NOT NULL", "user_id UUID NOT NULL", "data_id UUID NOT NULL", "dataset_id UUID NOT NULL",
                "pipeline_run_id UUID", "label TEXT", "type TEXT NOT NULL", "indexed_fields JSON NOT NULL", "attributes JSON", "created_at DATETIME NOT NULL", "PRIMARY KEY (id)");
            yield return Table("edges", "id UUID NOT NULL", "slug UUID NOT NULL", "user_id UUID NOT NULL", "data_id UUID NOT NULL", "dataset_id UUID NOT NULL",
                If(era is CogneeEra.V1_5_2 or CogneeEra.V1_5_Unfinished, "pipeline_run_id UUID"), "source_node_id UUID NOT NULL", "destination_node_id UUID NOT NULL",
                "relationship_name TEXT NOT NULL", "label TEXT", "attributes JSON", "created_at DATETIME NOT NULL", "PRIMARY KEY (id)");
        }
        else
        {
            // v0.1.43's relationship audit log, which the graph ledger replaced in v0.5.3; it is not the graph and is not read.
            yield return Table("graph_relationship_ledger", "id UUID NOT NULL", "source_node_id UUID NOT NULL", "destination_node_id UUID NOT NULL",
                "creator_function VARCHAR NOT NULL", "node_label VARCHAR", "created_at DATETIME", "deleted_at DATETIME", "user_id UUID", "PRIMARY KEY (id)");
        }

        if (AlembicRevision(era) is not null)
        {
            yield return Table("alembic_version", "version_num VARCHAR(32) NOT NULL", "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)");
        }
    }
}
