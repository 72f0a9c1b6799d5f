using System.Text;

namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// The little of a networkx <c>MultiDiGraph</c> that Cognee's NetworkX adapter relies on, with networkx's ordering
/// rules, so the saved file is what <c>node_link_data</c> would produce: nodes in first-insertion order with their
/// attribute dicts updated in place, and edges listed by source node, then target (first-insertion order), then key.
/// </summary>
internal sealed class NetworkxGraph
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<(string Id, PyDict Attributes)> _nodes = [];

    // Per source node: targets in insertion order, each with its keys in insertion order.
    private readonly List<List<(string Target, List<(string Key, PyDict Attributes)> Keys)>> _adjacency = [];

    public int NodeCount => _nodes.Count;

    public int EdgeCount { get; private set; }

    /// <summary>The nodes in insertion order, with their attributes.</summary>
    public IEnumerable<(string Id, PyDict Attributes)> Nodes => _nodes;

    /// <summary>The edges in networkx's order: by source node, then target, then key.</summary>
    public IEnumerable<(string Source, string Target, string Key, PyDict Attributes)> Edges =>
        _nodes.SelectMany((node, i) => _adjacency[i].SelectMany(t => t.Keys.Select(k => (node.Id, t.Target, k.Key, k.Attributes))));

    /// <summary><c>G.add_node(id, **attributes)</c>: a new node, or an update of an existing one's attributes.</summary>
    public void AddNode(string id, PyDict attributes)
    {
        if (_index.TryGetValue(id, out var position))
        {
            _nodes[position].Attributes.Update(attributes);
            return;
        }

        _index[id] = _nodes.Count;
        _nodes.Add((id, attributes.Copy()));
        _adjacency.Add([]);
    }

    /// <summary><c>G.add_edge(u, v, key=key, **attributes)</c>; endpoints that are not nodes yet become bare nodes.</summary>
    public void AddEdge(string source, string target, string key, PyDict attributes)
    {
        foreach (var end in new[] { source, target })
        {
            if (!_index.ContainsKey(end))
            {
                AddNode(end, new PyDict());
            }
        }

        var targets = _adjacency[_index[source]];
        var slot = targets.FindIndex(t => t.Target == target);
        if (slot < 0)
        {
            targets.Add((target, []));
            slot = targets.Count - 1;
        }

        var keys = targets[slot].Keys;
        var existing = keys.FindIndex(k => k.Key == key);
        if (existing >= 0)
        {
            keys[existing].Attributes.Update(attributes);
            return;
        }

        keys.Add((key, attributes.Copy()));
        EdgeCount++;
    }

    /// <summary>
    /// Writes <c>json.dumps(node_link_data(G, edges=edgesKey))</c>: keys directed, multigraph, graph, nodes and
    /// the edge list, each node <c>{**attributes, "id": id}</c> and each edge <c>{**attributes, source, target, key}</c>.
    /// </summary>
    public async Task WriteNodeLinkAsync(TextWriter writer, string edgesKey, CancellationToken ct)
    {
        var text = new StringBuilder(4096);
        text.Append("{\"directed\": true, \"multigraph\": true, \"graph\": {}, \"nodes\": [");
        for (var i = 0; i < _nodes.Count; i++)
        {
            var (id, attributes) = _nodes[i];
            var node = attributes.Copy();
            node["id"] = id;
            text.Append(i == 0 ? "" : ", ");
            PyJson.Write(text, node);
            await FlushIfLargeAsync(writer, text, ct);
        }

        text.Append("], ");
        PyJson.WriteString(text, edgesKey);
        text.Append(": [");
        var first = true;
        for (var i = 0; i < _nodes.Count; i++)
        {
            foreach (var (target, keys) in _adjacency[i])
            {
                foreach (var (key, attributes) in keys)
                {
                    var link = attributes.Copy();
                    link["source"] = _nodes[i].Id;
                    link["target"] = target;
                    link["key"] = key;
                    text.Append(first ? "" : ", ");
                    PyJson.Write(text, link);
                    first = false;
                    await FlushIfLargeAsync(writer, text, ct);
                }
            }
        }

        text.Append("]}");
        await writer.WriteAsync(text, ct);
    }

    private static async Task FlushIfLargeAsync(TextWriter writer, StringBuilder text, CancellationToken ct)
    {
        if (text.Length > 1 << 16)
        {
            await writer.WriteAsync(text, ct);
            text.Clear();
        }
    }
}
