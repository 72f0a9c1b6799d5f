using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using static PSUnifiedMigration.Engine.Sources.Cognee.CogneeGraphRecords;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>Cognee's PostgreSQL graph store (graph_node, graph_edge in one or more schemas), read in the graph database's snapshot.</summary>
internal sealed class CogneeGraphTableReader(CogneeSession session, CogneeGraphTables tables) : ICogneeStoreReader
{
    private static readonly IReadOnlySet<string> JsonColumns = new HashSet<string>(StringComparer.Ordinal) { "properties" };

    public IReadOnlyList<string> Schemas => tables.Schemas;

    public void Analyze(CogneeAnalysis analysis)
    {
        var nodes = Scalar(tables.NodeCountSql);
        var edges = Scalar(tables.EdgeCountSql);
        var orphans = Scalar(tables.OrphanEdgeCountSql);
        if (orphans > 0)
        {
            analysis.Issues.Add(session.Warning("GraphOrphanEdges", $"{orphans} graph_edge row(s) point at a node no graph_node table holds; they will be rejected (ReferenceDangling).", null));
        }

        AddSteps(session, analysis, new SourceTableAnalysis(NodesTable, nodes, 0, "id", "node id", true, []),
            new SourceTableAnalysis(EdgesTable, edges, 0, "source_id|target_id|relationship_name", "edge key", true, []));
    }

    public bool Reads(string sourceTable) => IsGraphStep(sourceTable);

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken)
    {
        var nodes = step.SourceTable == NodesTable;
        var sql = nodes ? tables.NodePageSql : tables.EdgePageSql;
        return CogneeRowPages.BatchesAsync(step, after, batchSize, (last, limit) =>
        {
            var command = new NpgsqlCommand(sql, session.Graph, session.GraphSnapshot);
            command.Parameters.Add(new NpgsqlParameter("last", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)last ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("limit", limit));
            return command;
        }, "key", JsonColumns, nodes ? TransformNode : TransformEdge, cancellationToken);
    }

    private long Scalar(string sql)
    {
        using var command = new NpgsqlCommand(sql, session.Graph, session.GraphSnapshot);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A graph_node row: its properties object, with the row's timestamps and, across dataset schemas, where it was found.</summary>
    private UnifiedRecord TransformNode(CogneeRow row) => Node(session, row.Text("key")!, row.Text("type"), row.Text("name"), Properties(row));

    /// <summary>A graph_edge row, keyed like a ledger edge (source|relationship|target) so both layouts give the same ids.</summary>
    private UnifiedRecord TransformEdge(CogneeRow row) => Edge(session, row.Text("source"), row.Text("relationship_name") ?? "", row.Text("target"), Properties(row));

    private JsonObject Properties(CogneeRow row)
    {
        var properties = FieldChecks.Json(row["properties"], "properties") switch
        {
            null => [],
            JsonObject value => Checked(value, "properties"),
            _ => throw new RecordRejectedException("properties", "is not a JSON object. Fix the row in Cognee's graph tables.", "InvalidJson"),
        };
        properties["created_at"] = CogneeValues.AsJson(row["created_at"], "created_at", false);
        properties["updated_at"] = CogneeValues.AsJson(row["updated_at"], "updated_at", false);
        if (tables.Schemas.Count > 1)
        {
            properties["graph_schemas"] = new JsonArray(row.Text("schemas")!.Split(',').Select(schema => (JsonNode?)JsonValue.Create(schema)).ToArray());
        }

        return properties;
    }
}
