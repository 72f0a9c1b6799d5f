using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Graph nodes and edges as every Cognee graph store gives them (file, graph tables, ledger): the same steps, the same
/// keys, so the three layouts give the same unified ids.
/// </summary>
internal static class CogneeGraphRecords
{
    public const string NodesTable = "graph_nodes";
    public const string EdgesTable = "graph_edges";

    public static UnifiedRecord Node(CogneeSession session, string id, string? type, string? name, JsonObject properties)
    {
        var record = session.NewRecord(UnifiedSchema.GraphNodes, NodesTable, id);
        record["node_type"] = type;
        record["name"] = name;
        record["properties"] = properties.ToJsonString();
        return record;
    }

    /// <summary>An edge keyed by its ends and relationship (or networkx's key): source|key|target.</summary>
    public static UnifiedRecord Edge(CogneeSession session, string? source, string relationship, string? target, JsonObject properties, string? key = null)
    {
        var record = session.NewRecord(UnifiedSchema.GraphEdges, EdgesTable, $"{source}|{key ?? relationship}|{target}");
        record.SetReference("source_node_id", NodesTable, source);
        record.SetReference("target_node_id", NodesTable, target);
        record["relationship_name"] = relationship;
        record["properties"] = properties.ToJsonString();
        return record;
    }

    /// <summary>The nodes and edges steps with their analysis rows.</summary>
    public static void AddSteps(CogneeSession session, CogneeAnalysis analysis, SourceTableAnalysis nodes, SourceTableAnalysis edges)
    {
        analysis.Tables.Add(nodes);
        analysis.Tables.Add(edges);
        analysis.Steps.Add(new SourceStep(session.Source.Name, NodesTable, UnifiedSchema.GraphNodes, nodes.Rows, nodes.Bytes));
        analysis.Steps.Add(new SourceStep(session.Source.Name, EdgesTable, UnifiedSchema.GraphEdges, edges.Rows, 0));
    }

    public static bool IsGraphStep(string sourceTable) => sourceTable is NodesTable or EdgesTable;

    /// <summary>A JSON object with no text the target cannot hold (NUL), or a reject naming the field.</summary>
    public static JsonObject Checked(JsonObject element, string field) =>
        RecordChecks.JsonProblem(element) is { } problem ? throw new RecordRejectedException(field, problem, "TextContainsNul") : element;
}
