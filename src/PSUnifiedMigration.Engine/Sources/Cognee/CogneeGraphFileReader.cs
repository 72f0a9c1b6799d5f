using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using static PSUnifiedMigration.Engine.Sources.Cognee.CogneeGraphRecords;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// The graph from a networkx node-link file or a <c>cognee.export(dataset, format="json")</c> file, streamed element by
/// element (the file is never held whole). An export (cognee/modules/migration/formats.py, write_json) is node-link's
/// shape without the graph attributes: nodes {id, ...}, edges {source, target, relationship_name, ...} under "edges",
/// and no networkx "key", so the same reader serves both and both give an edge the key source|relationship|target.
/// A file has no keys to page on: the position is how many elements of the array earlier batches consumed.
/// </summary>
internal sealed class CogneeGraphFileReader(CogneeSession session, string path) : ICogneeStoreReader
{
    /// <summary>What the file is, for the plan: known once analysed from whether its edges carry networkx's key.</summary>
    public string Format { get; private set; } = "graph file";

    public async Task AnalyzeAsync(CogneeAnalysis analysis, CancellationToken cancellationToken)
    {
        var bytes = new FileInfo(path).Length;
        var (nodes, duplicateNodes) = await CountElementsAsync(["nodes"], NodeKey, cancellationToken);
        var keyed = false;
        var (edges, duplicateEdges) = await CountElementsAsync(NodeLinkGraphFile.EdgeArrayNames, edge =>
        {
            keyed |= edge.ContainsKey("key");
            return EdgeKey(edge);
        }, cancellationToken);
        Format = edges == 0 ? "graph file" : keyed ? "networkx node-link file" : "cognee.export JSON file";
        if (duplicateNodes + duplicateEdges > 0)
        {
            analysis.Issues.Add(session.Warning("GraphDuplicateIds", $"the graph file repeats {duplicateNodes} node id(s) and {duplicateEdges} edge(s); each repeat will be rejected (RecordIdDuplicate).",
                "Re-export the graph from Cognee, or accept the repeats as rejects with -ContinueOnError."));
        }

        AddSteps(session, analysis, new SourceTableAnalysis(NodesTable, nodes, bytes, "id", "node id", duplicateNodes == 0, []) { DuplicateIds = duplicateNodes },
            new SourceTableAnalysis(EdgesTable, edges, 0, "source|key|target", "edge key", duplicateEdges == 0, []) { DuplicateIds = duplicateEdges });
    }

    public bool Reads(string sourceTable) => IsGraphStep(sourceTable);

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken) =>
        step.SourceTable == NodesTable
            ? ReadArrayAsync(step, ["nodes"], TransformNode, after, batchSize, cancellationToken)
            : ReadArrayAsync(step, NodeLinkGraphFile.EdgeArrayNames, TransformEdge, after, batchSize, cancellationToken);

    /// <summary>Streams a graph array; elements the position says were consumed are skipped (their keys still count for repeats).</summary>
    private async IAsyncEnumerable<SourceBatch> ReadArrayAsync(SourceStep step, IReadOnlyList<string> arrayNames, Func<JsonObject, UnifiedRecord> transform,
        SourcePosition? after, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var skip = KeysetPager.LastKey(after) is { } consumed ? long.Parse(consumed, CultureInfo.InvariantCulture) : 0;
        long index = 0;
        var records = new List<UnifiedRecord>();
        var rejects = new List<RejectedRecord>();
        // A file can list an id twice; the first occurrence wins and each repeat is rejected. Only the keys are held.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(path, arrayNames, cancellationToken))
        {
            // The file is read from a buffer, which need not touch the token; a cancelled run stops at the next element.
            cancellationToken.ThrowIfCancellationRequested();
            index++;
            try
            {
                var record = transform(element);
                if (!seen.Add(record.LegacyId))
                {
                    throw new RecordRejectedException("id", $"repeats the id of an earlier element of the graph file (element #{index - 1}). Remove the repeat from the graph.", "RecordIdDuplicate");
                }

                if (index > skip)
                {
                    records.Add(record);
                }
            }
            catch (RecordRejectedException rejected) when (index > skip)
            {
                rejects.Add(new RejectedRecord(step.SourceTable, $"#{index - 1}", rejected.Field, rejected.Message, rejected.ErrorId));
            }
            catch (RecordRejectedException)
            {
                // Rejected by the run that read up to the checkpoint already.
            }

            if (records.Count + rejects.Count == batchSize)
            {
                yield return new SourceBatch(step, records, rejects, Consumed(index));
                records = [];
                rejects = [];
            }
        }

        if (records.Count + rejects.Count > 0)
        {
            yield return new SourceBatch(step, records, rejects, Consumed(index));
        }
    }

    private static SourcePosition Consumed(long index) => KeysetPager.KeyPosition(index.ToString(CultureInfo.InvariantCulture));

    /// <summary>A graph node: its id (a UUID, or a name such as COGNITIVE_LAYER__SYNTAX), type, name, and every other attribute.</summary>
    private UnifiedRecord TransformNode(JsonObject node)
    {
        var id = Text(node, "id") ?? throw new RecordRejectedException("id", "is missing: a node-link node needs an id. Re-export the graph.", "RecordIdNull");
        return Node(session, id, Text(node, "type"), Text(node, "name"), Checked(node, "properties"));
    }

    /// <summary>An edge, keyed by its ends and relationship (networkx's key), which a multigraph keeps unique.</summary>
    private UnifiedRecord TransformEdge(JsonObject edge)
    {
        var source = Text(edge, "source") ?? throw new RecordRejectedException("source", "is missing: a node-link edge needs a source node. Re-export the graph.", "GraphEdgeEndMissing");
        var target = Text(edge, "target") ?? throw new RecordRejectedException("target", "is missing: a node-link edge needs a target node. Re-export the graph.", "GraphEdgeEndMissing");
        var relationship = Text(edge, "relationship_name") ?? Text(edge, "key") ?? "";
        return Edge(session, source, relationship, target, Checked(edge, "properties"), Text(edge, "key") ?? relationship);
    }

    private static string? Text(JsonObject element, string key) => element[key] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => FieldChecks.Text(text, key),
        var other => FieldChecks.Text(other.ToJsonString(), key),
    };

    /// <summary>Counts a graph array's elements and the repeats of their keys (a set of keys, never the elements, is held).</summary>
    private async Task<(long Count, long Duplicates)> CountElementsAsync(IReadOnlyList<string> arrayNames, Func<JsonObject, string?> key, CancellationToken cancellationToken)
    {
        long count = 0;
        long duplicates = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(path, arrayNames, cancellationToken))
        {
            count++;
            if (key(element) is { } id && !seen.Add(id))
            {
                duplicates++;
            }
        }

        return (count, duplicates);
    }

    private static string? NodeKey(JsonObject node) => node["id"]?.ToJsonString();

    private static string? EdgeKey(JsonObject edge) => $"{edge["source"]?.ToJsonString()}|{(edge["key"] ?? edge["relationship_name"])?.ToJsonString()}|{edge["target"]?.ToJsonString()}";
}
