using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using static PSUnifiedMigration.Engine.Sources.Cognee.CogneeGraphRecords;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// The graph from the relational ledger (nodes, edges), which Cognee v1.x writes when there is no graph file: a row
/// per node (or edge) and data row, grouped here into one node per slug and one edge per (source, relationship, target).
/// </summary>
internal sealed class CogneeLedgerReader(CogneeSession session, CogneeRelationalReader relational) : ICogneeStoreReader
{
    private static readonly IReadOnlySet<string> JsonColumns = new HashSet<string>(StringComparer.Ordinal) { "attributes", "indexed_fields" };

    /// <summary>Cognee v1.x keeps the graph in the ledger when there is no graph file: a row per node (or edge) and data row.</summary>
    public static bool IsUsed(CogneeSession session) =>
        session.Stores.GraphFilePath is null && session.RequireCatalog.Has("nodes") && session.Database.ScalarLong("SELECT count(*) FROM \"nodes\"") > 0;

    /// <summary>The graph the ledger describes: distinct nodes (slugs) and distinct edges (source, relationship, target).</summary>
    public static (long Nodes, long Edges) Counts(CogneeSession session)
    {
        var database = session.Database;
        var catalog = session.RequireCatalog;
        return (catalog.Has("nodes") ? database.ScalarLong("SELECT count(DISTINCT \"slug\") FROM \"nodes\"") : 0,
            catalog.Has("edges")
                ? database.ScalarLong("SELECT count(*) FROM (SELECT 1 FROM \"edges\" GROUP BY \"source_node_id\", \"relationship_name\", \"destination_node_id\") AS g")
                : 0);
    }

    public void Analyze(CogneeAnalysis analysis)
    {
        var database = session.Database;
        var hasEdges = session.RequireCatalog.Has("edges");
        var (nodes, edges) = Counts(session);
        var orphans = hasEdges
            ? database.ScalarLong("SELECT count(*) FROM \"edges\" AS e WHERE NOT EXISTS (SELECT 1 FROM \"nodes\" AS n WHERE n.\"slug\" = e.\"source_node_id\") OR NOT EXISTS (SELECT 1 FROM \"nodes\" AS n WHERE n.\"slug\" = e.\"destination_node_id\")")
            : 0;
        if (orphans > 0)
        {
            analysis.Issues.Add(session.Warning("GraphOrphanEdges", $"{orphans} ledger edge row(s) point at a node the ledger does not hold; they will be rejected (ReferenceDangling).", null));
        }

        AddSteps(session, analysis, new SourceTableAnalysis(NodesTable, nodes, 0, "slug", "node id", true, []),
            new SourceTableAnalysis(EdgesTable, edges, 0, "source|relationship|target", "edge key", true, []));
    }

    public bool Reads(string sourceTable) => IsGraphStep(sourceTable);

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken) =>
        step.SourceTable == NodesTable
            ? relational.Pages(step, NodesSql, "key", JsonColumns, TransformNode, after, batchSize, cancellationToken)
            : relational.Pages(step, EdgesSql, "key", JsonColumns, TransformEdge, after, batchSize, cancellationToken);

    /// <summary>One graph node per slug (the data point id); its data and dataset rows are listed in its properties.</summary>
    private string NodesSql => $"""
        SELECT n."slug" AS "key", {session.Database.AnyValue("n.\"type\"")} AS "type", {session.Database.AnyValue("n.\"label\"")} AS "label",
               {session.Database.AnyValue("n.\"attributes\"")} AS "attributes", {session.Database.AnyValue("n.\"indexed_fields\"")} AS "indexed_fields",
               min(n."created_at") AS "created_at",
               {session.Database.ListAggregate("n.\"dataset_id\"", distinct: true)} AS "dataset_ids", {session.Database.ListAggregate("n.\"data_id\"", distinct: true)} AS "data_ids"
        FROM "nodes" AS n GROUP BY n."slug"
        """;

    /// <summary>One graph edge per (source, relationship, target); the ledger repeats it per dataset.</summary>
    private string EdgesSql => $"""
        SELECT e."source_node_id" || '|' || e."relationship_name" || '|' || e."destination_node_id" AS "key",
               e."source_node_id" AS "source", e."destination_node_id" AS "target", e."relationship_name" AS "relationship_name",
               {session.Database.AnyValue("e.\"label\"")} AS "label", {session.Database.AnyValue("e.\"attributes\"")} AS "attributes", min(e."created_at") AS "created_at",
               {session.Database.ListAggregate("e.\"dataset_id\"", distinct: true)} AS "dataset_ids"
        FROM "edges" AS e GROUP BY e."source_node_id", e."relationship_name", e."destination_node_id"
        """;

    private UnifiedRecord TransformNode(CogneeRow row) =>
        Node(session, row.Uuid("key")!, row.Text("type"), row.Text("label"), Properties(row, "attributes", "indexed_fields", "created_at", "dataset_ids", "data_ids"));

    private UnifiedRecord TransformEdge(CogneeRow row) =>
        Edge(session, row.Uuid("source"), row.Text("relationship_name") ?? "", row.Uuid("target"), Properties(row, "label", "attributes", "created_at", "dataset_ids"));

    /// <summary>The ledger's columns as graph properties; id lists (group_concat) become arrays of UUIDs.</summary>
    private static JsonObject Properties(CogneeRow row, params string[] columns)
    {
        var properties = new JsonObject();
        foreach (var column in columns)
        {
            properties[column] = column.EndsWith("_ids", StringComparison.Ordinal)
                ? row.Text(column) is { } ids ? new JsonArray(ids.Split(',').Select(id => (JsonNode?)JsonValue.Create(CogneeValues.Uuid(id, column))).ToArray()) : null
                : CogneeValues.AsJson(row[column], column, JsonColumns.Contains(column));
        }

        return properties;
    }
}
