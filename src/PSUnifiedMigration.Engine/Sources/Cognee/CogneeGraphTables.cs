using PSUnifiedMigration.Engine.Records;
using Npgsql;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Cognee's PostgreSQL graph store: graph_node(id, name, type, properties) and graph_edge(source_id, target_id,
/// relationship_name, properties), in the database's default schema and, with backend access control's
/// postgres_graph_shared handler, once per dataset schema. A node or edge found in several schemas is one graph
/// element: pages group them, and its properties list the schemas.
/// </summary>
internal sealed class CogneeGraphTables(IReadOnlyList<string> schemas)
{
    public IReadOnlyList<string> Schemas { get; } = schemas;

    /// <summary>The schemas holding both graph tables, or null when none does.</summary>
    public static async Task<CogneeGraphTables?> DiscoverAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var schemas = new List<string>();
        await using var command = new NpgsqlCommand("""
            SELECT n.schemaname FROM pg_tables AS n JOIN pg_tables AS e ON e.schemaname = n.schemaname AND e.tablename = 'graph_edge'
            WHERE n.tablename = 'graph_node' AND n.schemaname NOT IN ('unified', 'unified_migration') ORDER BY 1
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            schemas.Add(reader.GetString(0));
        }

        return schemas.Count == 0 ? null : new CogneeGraphTables(schemas);
    }

    public string NodeCountSql => $"SELECT count(*) FROM ({Union("SELECT \"id\" FROM {0}", "graph_node", all: false)}) AS n";

    public string EdgeCountSql => $"SELECT count(*) FROM ({Union(EdgeKeySelect, "graph_edge", all: false)}) AS e";

    /// <summary>Edges whose end is not a node of any schema: the store's foreign keys forbid them, a copy or a restore may not.</summary>
    public string OrphanEdgeCountSql => $"""
        SELECT count(*) FROM ({Union(EdgeKeySelect, "graph_edge", all: false)}) AS e
        WHERE NOT EXISTS (SELECT 1 FROM ({Union("SELECT \"id\" FROM {0}", "graph_node", all: false)}) AS n WHERE n."id" = e."source_id")
           OR NOT EXISTS (SELECT 1 FROM ({Union("SELECT \"id\" FROM {0}", "graph_node", all: false)}) AS n WHERE n."id" = e."target_id")
        """;

    /// <summary>
    /// One page of nodes after @last (by id, in the column's own order, filtered inside each schema so the primary
    /// keys serve it), at most @limit.
    /// </summary>
    public string NodePageSql => $"""
        SELECT n."id" AS "key", max(n."name") AS "name", max(n."type") AS "type", max(n."properties") AS "properties",
               min(n."created_at") AS "created_at", max(n."updated_at") AS "updated_at", string_agg(DISTINCT n."schema", ',') AS "schemas"
        FROM ({Union("SELECT {1} AS \"schema\", \"id\", \"name\", \"type\", \"properties\"::text AS \"properties\", \"created_at\", \"updated_at\" FROM {0} WHERE @last::text IS NULL OR \"id\" > @last", "graph_node", all: true)}) AS n
        GROUP BY n."id" ORDER BY n."id" LIMIT @limit
        """;

    /// <summary>One page of edges after the key @last (a JSON array [source, target, relationship]), in primary-key order.</summary>
    public string EdgePageSql => $"""
        SELECT json_build_array(e."source_id", e."target_id", e."relationship_name")::text AS "key",
               e."source_id" AS "source", e."target_id" AS "target", e."relationship_name" AS "relationship_name",
               max(e."properties") AS "properties", min(e."created_at") AS "created_at", max(e."updated_at") AS "updated_at",
               string_agg(DISTINCT e."schema", ',') AS "schemas"
        FROM ({Union(EdgeBranchSelect, "graph_edge", all: true)}) AS e
        GROUP BY e."source_id", e."target_id", e."relationship_name" ORDER BY e."source_id", e."target_id", e."relationship_name" LIMIT @limit
        """;

    private const string EdgeBranchSelect = """
        SELECT {1} AS "schema", "source_id", "target_id", "relationship_name", "properties"::text AS "properties", "created_at", "updated_at" FROM {0}
        WHERE @last::text IS NULL OR ("source_id", "target_id", "relationship_name") > (@last::json->>0, @last::json->>1, @last::json->>2)
        """;

    private const string EdgeKeySelect = "SELECT \"source_id\", \"target_id\", \"relationship_name\" FROM {0}";

    /// <summary>The select once per schema ({0}: the qualified table, {1}: the schema as a literal), joined by UNION [ALL].</summary>
    private string Union(string select, string table, bool all) =>
        string.Join(all ? " UNION ALL " : " UNION ", Schemas.Select(schema => string.Format(System.Globalization.CultureInfo.InvariantCulture, select, Sql.Qualified(schema, table), Sql.Literal(schema))));
}
