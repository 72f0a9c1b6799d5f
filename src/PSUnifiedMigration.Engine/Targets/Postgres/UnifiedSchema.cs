namespace PSUnifiedMigration.Engine.Targets.Postgres;

public enum ColumnKind
{
    Text,
    Boolean,
    Integer,
    Timestamp,
    Json,
    Uuid,
    Vector,
}

/// <summary>A data column of a unified table (not the id, reference or run columns).</summary>
public sealed record UnifiedColumn(string Name, ColumnKind Kind);

/// <summary>A uuid column that points at another unified table through the id map.</summary>
public sealed record UnifiedReference(string Column, string ParentTable);

public sealed record UnifiedTable(string Name, IReadOnlyList<UnifiedColumn> Columns, IReadOnlyList<UnifiedReference> References)
{
    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"Unified table {Name} has no column {name}.", nameof(name));
    }
}

/// <summary>
/// The unified store's tables, in dependency order. DDL, staging, upserts, validation and savepoints
/// are all derived from this one description, so a column is added in exactly one place.
/// </summary>
public static class UnifiedSchema
{
    public const string DataSchema = "unified";
    public const string BookkeepingSchema = "unified_migration";
    public const string IdMapTable = "id_map";

    /// <summary>Version of the DDL below; bump it and add an upgrade step when the tables change.</summary>
    public const int CurrentVersion = 1;

    private static readonly UnifiedColumn[] Provenance =
    [
        new("legacy_id", ColumnKind.Text),
        new("system_origin", ColumnKind.Text),
        new("source_name", ColumnKind.Text),
    ];

    public static readonly UnifiedTable Projects = new("projects",
    [
        .. Provenance,
        new("name", ColumnKind.Text),
        new("description", ColumnKind.Text),
        new("is_active", ColumnKind.Boolean),
        new("is_global", ColumnKind.Boolean),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], []);

    public static readonly UnifiedTable Datasets = new("datasets",
    [
        .. Provenance,
        new("name", ColumnKind.Text),
        new("description", ColumnKind.Text),
        new("status", ColumnKind.Text),
        new("is_global", ColumnKind.Boolean),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], [new("project_id", "projects")]);

    public static readonly UnifiedTable Documents = new("documents",
    [
        .. Provenance,
        new("document_type", ColumnKind.Text),
        new("path", ColumnKind.Text),
        new("url", ColumnKind.Text),
        new("title", ColumnKind.Text),
        new("content", ColumnKind.Text),
        new("content_hash", ColumnKind.Text),
        new("file_extension", ColumnKind.Text),
        new("status", ColumnKind.Text),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], [new("dataset_id", "datasets")]);

    public static readonly UnifiedTable Chunks = new("chunks",
    [
        .. Provenance,
        new("content", ColumnKind.Text),
        new("content_hash", ColumnKind.Text),
        new("dense_vector", ColumnKind.Vector),
        new("sparse_vector", ColumnKind.Json),
        new("chunk_type", ColumnKind.Text),
        new("source_type", ColumnKind.Text),
        new("relative_path", ColumnKind.Text),
        new("start_line", ColumnKind.Integer),
        new("end_line", ColumnKind.Integer),
        new("chunk_index", ColumnKind.Integer),
        new("language", ColumnKind.Text),
        new("is_code", ColumnKind.Boolean),
        new("file_extension", ColumnKind.Text),
        new("owner_id", ColumnKind.Uuid),
        new("tenant_id", ColumnKind.Uuid),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], [new("project_id", "projects"), new("dataset_id", "datasets"), new("document_id", "documents")]);

    public static IReadOnlyList<UnifiedTable> Tables { get; } = [Projects, Datasets, Documents, Chunks];

    /// <summary>Every table of the data schema, parents first: what savepoints copy and restore.</summary>
    public static IReadOnlyList<string> AllDataTables { get; } = [.. Tables.Select(t => t.Name), IdMapTable];

    public static UnifiedTable Get(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No unified table {name}.", nameof(name));
}
