namespace PSUnifiedMigration.Engine.Targets.Postgres;

public enum ColumnKind
{
    Text,
    Boolean,
    Integer,
    Timestamp,
    Json,
    Uuid,

    /// <summary>A dense vector of the store's one dimension (chunks).</summary>
    Vector,

    /// <summary>A dense vector whose dimension is not the store's: fixed per collection (data point vectors) or per record (chunk summary vectors).</summary>
    CollectionVector,
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

    /// <summary>
    /// Version of the tables below; bump it when they change. Upgrades are derived: missing tables are
    /// created and missing columns added (version 2 added principals, ACLs, ownership, data points and the graph;
    /// version 3 added the bookkeeping's before-images and the savepoints' graph and vector store parts;
    /// version 5 added chunks.summary and chunks.summary_vector; version 6 added the bookkeeping's runs.planned).
    /// </summary>
    public const int CurrentVersion = 6;

    /// <summary>The last version that changed the data tables: stores from this version on hold the same data tables.</summary>
    public const int DataTablesVersion = 5;

    /// <summary>The versions that changed the data tables, oldest first; the last is <see cref="DataTablesVersion"/>.</summary>
    private static readonly int[] DataTableChanges = [1, 2, DataTablesVersion];

    /// <summary>The version whose data tables a store of <paramref name="version"/> holds (versions 2 to 4 hold version 2's).</summary>
    public static int DataTablesOf(int version) => DataTableChanges.LastOrDefault(v => v <= version);

    /// <summary>The bookkeeping table of before-images: the previous version of every row a run changed, so the run can be undone.</summary>
    public const string BeforeImagesTable = "before_images";

    private static readonly UnifiedColumn[] Provenance =
    [
        new("legacy_id", ColumnKind.Text),
        new("system_origin", ColumnKind.Text),
        new("source_name", ColumnKind.Text),
    ];

    /// <summary>Users, tenants and roles that own data or hold access rights.</summary>
    public static readonly UnifiedTable Principals = new("principals",
    [
        .. Provenance,
        new("principal_type", ColumnKind.Text),
        new("name", ColumnKind.Text),
        new("email", ColumnKind.Text),
        new("is_active", ColumnKind.Boolean),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], [new("tenant_id", "principals")]);

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
    ], [new("project_id", "projects"), new("owner_id", "principals"), new("tenant_id", "principals")]);

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
    ], [new("dataset_id", "datasets"), new("owner_id", "principals"), new("tenant_id", "principals")]);

    public static readonly UnifiedTable Chunks = new("chunks",
    [
        .. Provenance,
        new("content", ColumnKind.Text),
        new("content_hash", ColumnKind.Text),
        new("dense_vector", ColumnKind.Vector),
        new("sparse_vector", ColumnKind.Json),

        // A second named vector of the chunk (claude-context-core's hybrid collections): its summary and the summary's
        // embedding, whose dimension is the summary model's, not the store's.
        new("summary", ColumnKind.Text),
        new("summary_vector", ColumnKind.CollectionVector),
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

    /// <summary>Every other data point (entities, summaries, documents as nodes, ...) with its full payload.</summary>
    public static readonly UnifiedTable DataPoints = new("data_points",
    [
        .. Provenance,
        new("data_point_type", ColumnKind.Text),
        new("payload", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
        new("updated_at", ColumnKind.Timestamp),
    ], [new("dataset_id", "datasets")]);

    /// <summary>One vector per data point and indexed field, as the source's collection held it.</summary>
    public static readonly UnifiedTable DataPointVectors = new("data_point_vectors",
    [
        .. Provenance,
        new("collection", ColumnKind.Text),
        new("field", ColumnKind.Text),
        new("vector", ColumnKind.CollectionVector),
    ], [new("data_point_id", "data_points")]);

    public static readonly UnifiedTable GraphNodes = new("graph_nodes",
    [
        .. Provenance,
        new("node_type", ColumnKind.Text),
        new("name", ColumnKind.Text),
        new("properties", ColumnKind.Json),
    ], []);

    public static readonly UnifiedTable GraphEdges = new("graph_edges",
    [
        .. Provenance,
        new("relationship_name", ColumnKind.Text),
        new("properties", ColumnKind.Json),
    ], [new("source_node_id", "graph_nodes"), new("target_node_id", "graph_nodes")]);

    /// <summary>Access rules: a principal holds a permission on a dataset.</summary>
    public static readonly UnifiedTable Acls = new("acls",
    [
        .. Provenance,
        new("permission", ColumnKind.Text),
        new("metadata", ColumnKind.Json),
        new("created_at", ColumnKind.Timestamp),
    ], [new("principal_id", "principals"), new("dataset_id", "datasets")]);

    public static IReadOnlyList<UnifiedTable> Tables { get; } =
        [Principals, Projects, Datasets, Documents, Chunks, DataPoints, DataPointVectors, GraphNodes, GraphEdges, Acls];

    /// <summary>Every table of the data schema, parents first: what savepoints copy and restore.</summary>
    public static IReadOnlyList<string> AllDataTables { get; } = [.. Tables.Select(t => t.Name), IdMapTable];

    public static UnifiedTable Get(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No unified table {name}.", nameof(name));
}
