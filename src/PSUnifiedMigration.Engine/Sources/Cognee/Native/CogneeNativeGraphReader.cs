using System.Globalization;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using static PSUnifiedMigration.Engine.Sources.Cognee.CogneeGraphRecords;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Native;

/// <summary>
/// Cognee's Kuzu and Ladybug graph databases (KuzuAdapter / LadybugAdapter: Node(id, name, type, created_at,
/// updated_at, properties JSON, and from v1.3 the source_* provenance columns), EDGE(relationship_name, ...)), read
/// through the native reader helper in keyset pages: nodes by id, edges by (source, relationship, target). Each store
/// is a step pair of its own (graph_nodes@&lt;label&gt;), and its records are the ones every graph layout gives, so a
/// node keeps the same unified id whichever store holds it; a per-dataset store adds its dataset to the properties.
/// </summary>
internal sealed class CogneeNativeGraphReader(CogneeSession session, NativeReaderHelper helper, IReadOnlyList<(CogneeNativeStore Store, long Nodes, long Edges)> stores)
    : ICogneeStoreReader
{
    public IReadOnlyList<(CogneeNativeStore Store, long Nodes, long Edges)> Stores => stores;

    /// <summary>Opens a graph store with its engine and counts it; a store the engine cannot open throws a <see cref="MigrationException"/>.</summary>
    public static async Task<(long Nodes, long Edges)> ProbeAsync(NativeReaderHelper helper, CogneeNativeStore store, CancellationToken cancellationToken)
    {
        var counts = (await helper.RunAsync(["graph-probe", store.Package, store.Path], frame => frame, cancellationToken)).Single();
        return (counts["nodes"]!.GetValue<long>(), counts["edges"]!.GetValue<long>());
    }

    public static string NodesStep(CogneeNativeStore store) => $"{NodesTable}@{store.Label}";

    public static string EdgesStep(CogneeNativeStore store) => $"{EdgesTable}@{store.Label}";

    /// <summary>Every store's nodes step, then every store's edges step, so edges find their nodes already written.</summary>
    public void Analyze(CogneeAnalysis analysis)
    {
        foreach (var (store, nodes, _) in stores)
        {
            analysis.Tables.Add(new SourceTableAnalysis(NodesStep(store), nodes, 0, "id", "node id", true, []));
            analysis.Steps.Add(new SourceStep(session.Source.Name, NodesStep(store), Targets.Postgres.UnifiedSchema.GraphNodes, nodes, 0));
        }

        foreach (var (store, _, edges) in stores)
        {
            analysis.Tables.Add(new SourceTableAnalysis(EdgesStep(store), edges, 0, "source|relationship_name|target", "edge key", true, []));
            analysis.Steps.Add(new SourceStep(session.Source.Name, EdgesStep(store), Targets.Postgres.UnifiedSchema.GraphEdges, edges, 0));
        }
    }

    public bool Reads(string sourceTable) => stores.Any(s => NodesStep(s.Store) == sourceTable || EdgesStep(s.Store) == sourceTable);

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken)
    {
        var store = stores.First(s => NodesStep(s.Store) == step.SourceTable || EdgesStep(s.Store) == step.SourceTable).Store;
        var nodes = NodesStep(store) == step.SourceTable;
        return KeysetPager.BatchesAsync(step, KeysetPager.LastKey(after), batchSize,
            (last, limit, token) => helper.RunAsync([nodes ? "graph-nodes" : "graph-edges", store.Package, store.Path, last ?? "-", limit.ToString(CultureInfo.InvariantCulture)], frame => frame, token),
            frame => nodes ? frame["id"]!.GetValue<string>() : new JsonArray(frame["source"]!.DeepClone(), frame["relationship"]!.DeepClone(), frame["target"]!.DeepClone()).ToJsonString(),
            KeysetPager.KeyPosition,
            frame => nodes ? TransformNode(store, frame) : TransformEdge(store, frame),
            frame => nodes ? frame["id"]!.GetValue<string>() : $"{frame["source"]}|{frame["relationship"]}|{frame["target"]}",
            cancellationToken);
    }

    private UnifiedRecord TransformNode(CogneeNativeStore store, JsonObject frame)
    {
        var columns = (JsonObject)frame["properties"]!;
        return Node(session, frame["id"]!.GetValue<string>(), Text(columns, "type"), Text(columns, "name"), Properties(store, columns, "id", "name", "type"));
    }

    /// <summary>An edge of the usual key, whose ends are the nodes of its own store's step (references resolve per step).</summary>
    private UnifiedRecord TransformEdge(CogneeNativeStore store, JsonObject frame)
    {
        var (source, target) = (frame["source"]?.GetValue<string>(), frame["target"]?.GetValue<string>());
        var record = Edge(session, source, frame["relationship"]?.GetValue<string>() ?? "", target, Properties(store, (JsonObject)frame["properties"]!, "relationship_name"));
        record.SetReference("source_node_id", NodesStep(store), source);
        record.SetReference("target_node_id", NodesStep(store), target);
        return record;
    }

    /// <summary>
    /// The properties JSON column as an object, with every other column the table has (timestamps, v1.3 provenance)
    /// beside it and, for a per-dataset store, its dataset.
    /// </summary>
    private static JsonObject Properties(CogneeNativeStore store, JsonObject columns, params string[] promoted)
    {
        var properties = Text(columns, "properties") is { } text
            ? FieldChecks.Json(text, "properties") as JsonObject ?? throw new RecordRejectedException("properties", "is not a JSON object. Fix the element in Cognee's graph store.", "InvalidJson")
            : [];
        foreach (var (name, value) in columns)
        {
            if (name != "properties" && !promoted.Contains(name) && value is not null)
            {
                properties[name] = value.DeepClone();
            }
        }

        if (store.DatasetId is { } dataset)
        {
            properties["cognee_dataset_id"] = dataset;
        }

        return Checked(properties, "properties");
    }

    private static string? Text(JsonObject columns, string name) => columns[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
