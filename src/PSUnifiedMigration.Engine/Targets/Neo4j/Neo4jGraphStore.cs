using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// The unified graph in Neo4j. Every node carries the label UnifiedNode, a unique <c>id</c> (the unified id) and
/// its type as a second label; every node and relationship carries <c>system_origin</c> and <c>run_id</c>.
/// All writes are MERGEs by id, so a batch written twice (a retry) changes nothing the second time.
/// Nodes also carry Cognee's base label <c>__Node__</c> and relationships the <c>source_node_id</c>,
/// <c>target_node_id</c> and <c>relationship_name</c> properties, because Cognee's Neo4j adapter
/// (cognee/infrastructure/databases/graph/neo4j_driver/adapter.py) matches only <c>:__Node__</c> and takes an
/// edge's ends from those properties: the projection stays a graph Cognee can open.
/// </summary>
public sealed class Neo4jGraphStore
{
    public const string CommonLabel = "UnifiedNode";

    /// <summary>The label Cognee's Neo4j adapter (BASE_LABEL) gives every node and matches in every query.</summary>
    public const string CogneeLabel = "__Node__";

    /// <summary>The most records one request carries; a larger batch is written as several transactions (safe, as writes are idempotent).</summary>
    public const int MaxRecordsPerRequest = 1000;

    /// <summary>The most parameter text (about bytes) one request carries, for batches of large properties.</summary>
    public const int MaxParameterCharsPerRequest = 8 * 1024 * 1024;

    /// <summary>Rows deleted per statement, so that deleting a large run never builds one huge transaction.</summary>
    public const int DeleteBatchSize = 10_000;

    private static readonly string Common = CypherNames.Quote(CommonLabel);

    private static readonly string Cognee = CypherNames.Quote(CogneeLabel);

    private static readonly IReadOnlySet<string> NodeKeys = new HashSet<string>(StringComparer.Ordinal)
        { "id", "type", "name", "legacy_id", "system_origin", "run_id" };

    private static readonly IReadOnlySet<string> EdgeKeys = new HashSet<string>(StringComparer.Ordinal)
        { "id", "relationship_name", "source_node_id", "target_node_id", "system_origin", "run_id" };

    private readonly Neo4jHttpClient _client;

    public Neo4jGraphStore(Neo4jHttpClient client)
    {
        _client = client;
    }

    /// <summary>
    /// Creates the uniqueness constraints on UnifiedNode.id and on __Node__.id (which also index them; Cognee's
    /// adapter creates the second itself) and an index on UnifiedNode.run_id, in the DDL the server's version
    /// understands. Running it again changes nothing.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        foreach (var statement in SchemaStatements(_client.ServerVersion))
        {
            try
            {
                // Some versions refuse a schema change in a transaction with other statements, so one request each.
                await _client.RunAsync([new CypherStatement(statement)], cancellationToken);
            }
            catch (Neo4jException e) when (e.Neo4jCode is "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"
                                               or "Neo.ClientError.Schema.ConstraintAlreadyExists"
                                               or "Neo.ClientError.Schema.IndexAlreadyExists")
            {
                // 4.0 has no IF NOT EXISTS: the rule being there already is the outcome wanted.
            }
        }
    }

    internal static IReadOnlyList<string> SchemaStatements(Version version) => version.Major switch
    {
        >= 5 =>
        [
            $"CREATE CONSTRAINT unified_node_id IF NOT EXISTS FOR (n:{Common}) REQUIRE n.id IS UNIQUE",
            $"CREATE INDEX unified_node_run_id IF NOT EXISTS FOR (n:{Common}) ON (n.run_id)",
            $"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{Cognee}) REQUIRE n.id IS UNIQUE",
        ],
        4 when version.Minor >= 1 =>
        [
            $"CREATE CONSTRAINT unified_node_id IF NOT EXISTS ON (n:{Common}) ASSERT n.id IS UNIQUE",
            $"CREATE INDEX unified_node_run_id IF NOT EXISTS FOR (n:{Common}) ON (n.run_id)",
            $"CREATE CONSTRAINT cognee_node_id IF NOT EXISTS ON (n:{Cognee}) ASSERT n.id IS UNIQUE",
        ],
        4 =>
        [
            $"CREATE CONSTRAINT unified_node_id ON (n:{Common}) ASSERT n.id IS UNIQUE",
            $"CREATE INDEX unified_node_run_id FOR (n:{Common}) ON (n.run_id)",
            $"CREATE CONSTRAINT cognee_node_id ON (n:{Cognee}) ASSERT n.id IS UNIQUE",
        ],
        // 3.x: unnamed rules; creating one that exists is a no-op.
        _ =>
        [
            $"CREATE CONSTRAINT ON (n:{Common}) ASSERT n.id IS UNIQUE",
            $"CREATE INDEX ON :{Common}(run_id)",
            $"CREATE CONSTRAINT ON (n:{Cognee}) ASSERT n.id IS UNIQUE",
        ],
    };

    /// <summary>
    /// Writes nodes: MERGE by id under UnifiedNode, then the node's properties are replaced by the record's and
    /// its type label added. Labels cannot be parameters, so there is one UNWIND statement per label, all in one
    /// transaction per request. Returns the number of nodes written.
    /// </summary>
    public async Task<int> UpsertNodesAsync(IReadOnlyList<GraphNodeRecord> nodes, CancellationToken cancellationToken)
    {
        var rows = nodes.Select(node => (Group: CypherNames.Quote(CypherNames.Label(node.Type)), Row: new JsonObject
        {
            ["id"] = node.Id,
            ["props"] = Neo4jProperties.Build(node.Properties, new Dictionary<string, JsonNode?>
            {
                ["id"] = node.Id,
                ["type"] = node.Type,
                ["name"] = node.Name,
                ["legacy_id"] = node.LegacyId,
                ["system_origin"] = node.SystemOrigin,
                ["run_id"] = node.RunId.ToString("D"),
            }, NodeKeys),
        }));

        return await WriteNodesAsync(rows, cancellationToken);
    }

    /// <summary>
    /// Writes nodes exactly as a savepoint exported them: MERGE by id, properties replaced, the exported labels added.
    /// </summary>
    public Task<int> RestoreNodesAsync(IReadOnlyList<StoredGraphNode> nodes, CancellationToken cancellationToken) =>
        WriteNodesAsync(nodes.Select(node => (
            Group: string.Join(":", node.Labels.Where(l => l != CommonLabel).Order(StringComparer.Ordinal).Select(CypherNames.Quote)),
            Row: new JsonObject { ["id"] = node.Id, ["props"] = node.Properties.DeepClone() })), cancellationToken);

    /// <summary>Writes rows {id, props} grouped by their label expression (quoted labels joined by ':', or empty): one UNWIND per group.</summary>
    private async Task<int> WriteNodesAsync(IEnumerable<(string Group, JsonObject Row)> rows, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var request in Requests(rows))
        {
            var statements = request.Select(group => new CypherStatement(
                $"UNWIND $rows AS row MERGE (n:{Common} {{id: row.id}}) SET n = row.props, n:{Cognee}{(group.Key.Length == 0 ? "" : ":" + group.Key)} RETURN count(n)",
                new JsonObject { ["rows"] = new JsonArray([.. group.Value]) })).ToList();
            var results = await _client.RunAsync(statements, cancellationToken);
            written += results.Sum(r => r.Rows[0][0]!.GetValue<int>());
        }

        return written;
    }

    /// <summary>
    /// Writes edges: both ends are matched by id, then MERGE (a)-[r:TYPE {id}]->(b) and the relationship's
    /// properties are replaced by the record's. An edge whose end does not exist is not written and is reported.
    /// </summary>
    public async Task<EdgeUpsertResult> UpsertEdgesAsync(IReadOnlyList<GraphEdgeRecord> edges, CancellationToken cancellationToken)
    {
        var rows = edges.Select(edge => (Group: CypherNames.RelationshipType(edge.RelationshipName), Row: new JsonObject
        {
            ["id"] = edge.Id,
            ["source"] = edge.SourceId,
            ["target"] = edge.TargetId,
            ["props"] = Neo4jProperties.Build(edge.Properties, new Dictionary<string, JsonNode?>
            {
                ["id"] = edge.Id,
                ["relationship_name"] = edge.RelationshipName,
                ["source_node_id"] = edge.SourceId,
                ["target_node_id"] = edge.TargetId,
                ["system_origin"] = edge.SystemOrigin,
                ["run_id"] = edge.RunId.ToString("D"),
            }, EdgeKeys),
        }));

        var written = await WriteEdgesAsync(rows, cancellationToken);
        var missing = edges.Where(e => !written.Contains(e.Id)).Select(e => e.Id).Distinct().ToList();
        return new EdgeUpsertResult(edges.Count(e => written.Contains(e.Id)), missing);
    }

    /// <summary>Writes relationships exactly as a savepoint exported them; returns how many were written (both ends existed).</summary>
    public async Task<int> RestoreEdgesAsync(IReadOnlyList<StoredGraphEdge> edges, CancellationToken cancellationToken) =>
        (await WriteEdgesAsync(edges.Select(edge => (Group: edge.Type, Row: new JsonObject
        {
            ["id"] = edge.Id, ["source"] = edge.SourceId, ["target"] = edge.TargetId, ["props"] = edge.Properties.DeepClone(),
        })), cancellationToken)).Count;

    /// <summary>Writes rows {id, source, target, props} grouped by relationship type; returns the ids written.</summary>
    private async Task<HashSet<string>> WriteEdgesAsync(IEnumerable<(string Group, JsonObject Row)> rows, CancellationToken cancellationToken)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in Requests(rows))
        {
            var statements = request.Select(group => new CypherStatement(
                $"UNWIND $rows AS row MATCH (a:{Common} {{id: row.source}}), (b:{Common} {{id: row.target}}) " +
                $"MERGE (a)-[r:{CypherNames.Quote(group.Key)} {{id: row.id}}]->(b) SET r = row.props RETURN row.id",
                new JsonObject { ["rows"] = new JsonArray([.. group.Value]) })).ToList();
            foreach (var result in await _client.RunAsync(statements, cancellationToken))
            {
                written.UnionWith(result.Rows.Select(row => row[0]!.GetValue<string>()));
            }
        }

        return written;
    }

    /// <summary>Nodes under UnifiedNode and relationships between them, of one system or of all.</summary>
    public async Task<GraphCounts> CountAsync(string? systemOrigin, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject { ["origin"] = systemOrigin };
        var results = await _client.RunAsync(
        [
            new CypherStatement($"MATCH (n:{Common}) WHERE $origin IS NULL OR n.system_origin = $origin RETURN count(n)", parameters),
            new CypherStatement($"MATCH (:{Common})-[r]->(:{Common}) WHERE $origin IS NULL OR r.system_origin = $origin RETURN count(r)",
                (JsonObject)parameters.DeepClone()),
        ], cancellationToken);
        return new GraphCounts(results[0].Rows[0][0]!.GetValue<long>(), results[1].Rows[0][0]!.GetValue<long>());
    }

    /// <summary>
    /// Of one system's nodes and relationships, those Cognee's adapter could not read: nodes without the __Node__
    /// label, relationships whose source_node_id/target_node_id are not the ids of their ends.
    /// </summary>
    public async Task<GraphCounts> CountUnreadableByCogneeAsync(string systemOrigin, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject { ["origin"] = systemOrigin };
        var results = await _client.RunAsync(
        [
            new CypherStatement($"MATCH (n:{Common}) WHERE n.system_origin = $origin AND NOT n:{Cognee} RETURN count(n)", parameters),
            new CypherStatement($"MATCH (a:{Common})-[r]->(b:{Common}) WHERE r.system_origin = $origin " +
                "AND (r.source_node_id IS NULL OR r.source_node_id <> a.id OR r.target_node_id IS NULL OR r.target_node_id <> b.id) RETURN count(r)",
                (JsonObject)parameters.DeepClone()),
        ], cancellationToken);
        return new GraphCounts(results[0].Rows[0][0]!.GetValue<long>(), results[1].Rows[0][0]!.GetValue<long>());
    }

    /// <summary>
    /// Removes what one run wrote: its relationships first, then its nodes, each in transactions of at most
    /// <see cref="DeleteBatchSize"/> rows (Neo4j 3.x has no CALL {} IN TRANSACTIONS). A node of this run that another
    /// run's relationship still uses is kept and counted, so other runs' data stays whole.
    /// </summary>
    public async Task<RunDeletion> DeleteRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        var parameters = new JsonObject { ["run"] = runId.ToString("D"), ["limit"] = DeleteBatchSize };
        var edges = await DeleteInBatchesAsync(
            $"MATCH (:{Common})-[r]->(:{Common}) WHERE r.run_id = $run WITH r LIMIT $limit DELETE r RETURN count(*)", parameters, cancellationToken);
        var nodes = await DeleteInBatchesAsync(
            $"MATCH (n:{Common}) WHERE n.run_id = $run AND NOT (n)--() WITH n LIMIT $limit DELETE n RETURN count(*)", parameters, cancellationToken);
        var kept = await _client.RunAsync([new CypherStatement($"MATCH (n:{Common}) WHERE n.run_id = $run RETURN count(n)", parameters)], cancellationToken);
        return new RunDeletion(edges, nodes, kept[0].Rows[0][0]!.GetValue<long>());
    }

    /// <summary>
    /// Removes the tool's whole subgraph, in batches: every relationship between UnifiedNodes, then every UnifiedNode
    /// left without relationships. Other nodes and relationships are never touched; a UnifiedNode that another graph's
    /// relationship uses is kept and counted.
    /// </summary>
    public async Task<RunDeletion> DeleteAllAsync(CancellationToken cancellationToken)
    {
        var parameters = new JsonObject { ["limit"] = DeleteBatchSize };
        var edges = await DeleteInBatchesAsync(
            $"MATCH (:{Common})-[r]->(:{Common}) WITH r LIMIT $limit DELETE r RETURN count(*)", parameters, cancellationToken);
        var nodes = await DeleteInBatchesAsync(
            $"MATCH (n:{Common}) WHERE NOT (n)--() WITH n LIMIT $limit DELETE n RETURN count(*)", parameters, cancellationToken);
        return new RunDeletion(edges, nodes, (await CountAsync(null, cancellationToken)).Nodes);
    }

    /// <summary>Up to <paramref name="limit"/> nodes with ids after <paramref name="afterId"/> (all when null), in id order.</summary>
    public async Task<IReadOnlyList<StoredGraphNode>> ReadNodesAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        var results = await _client.RunAsync([new CypherStatement(
            $"MATCH (n:{Common}) WHERE n.id > $after RETURN n.id, labels(n), n ORDER BY n.id LIMIT $limit",
            new JsonObject { ["after"] = afterId ?? "", ["limit"] = limit })], cancellationToken);
        return results[0].Rows.Select(row => new StoredGraphNode(
            row[0]!.GetValue<string>(),
            row[1]!.AsArray().Select(label => label!.GetValue<string>()).ToList(),
            (JsonObject)row[2]!.DeepClone())).ToList();
    }

    /// <summary>Up to <paramref name="limit"/> relationships between UnifiedNodes with ids after <paramref name="afterId"/>, in id order.</summary>
    public async Task<IReadOnlyList<StoredGraphEdge>> ReadEdgesAsync(string? afterId, int limit, CancellationToken cancellationToken)
    {
        var results = await _client.RunAsync([new CypherStatement(
            $"MATCH (a:{Common})-[r]->(b:{Common}) WHERE r.id > $after RETURN r.id, type(r), a.id, b.id, r ORDER BY r.id LIMIT $limit",
            new JsonObject { ["after"] = afterId ?? "", ["limit"] = limit })], cancellationToken);
        return results[0].Rows.Select(row => new StoredGraphEdge(
            row[0]!.GetValue<string>(),
            row[1]!.GetValue<string>(),
            row[2]!.GetValue<string>(),
            row[3]!.GetValue<string>(),
            (JsonObject)row[4]!.DeepClone())).ToList();
    }

    private async Task<long> DeleteInBatchesAsync(string statement, JsonObject parameters, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var results = await _client.RunAsync([new CypherStatement(statement, (JsonObject)parameters.DeepClone())], cancellationToken);
            var deleted = results[0].Rows[0][0]!.GetValue<long>();
            total += deleted;
            if (deleted < DeleteBatchSize)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Splits rows into requests of at most <see cref="MaxRecordsPerRequest"/> rows and about
    /// <see cref="MaxParameterCharsPerRequest"/> characters, each grouped by label or relationship type in first-seen order.
    /// </summary>
    private static IEnumerable<List<KeyValuePair<string, List<JsonObject>>>> Requests(IEnumerable<(string Group, JsonObject Row)> rows)
    {
        var groups = new List<KeyValuePair<string, List<JsonObject>>>();
        var byName = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        var count = 0;
        long chars = 0;
        foreach (var (group, row) in rows)
        {
            var size = row.ToJsonString().Length;
            if (count > 0 && (count == MaxRecordsPerRequest || chars + size > MaxParameterCharsPerRequest))
            {
                yield return groups;
                groups = [];
                byName.Clear();
                count = 0;
                chars = 0;
            }

            if (!byName.TryGetValue(group, out var list))
            {
                list = [];
                byName[group] = list;
                groups.Add(new(group, list));
            }

            list.Add(row);
            count++;
            chars += size;
        }

        if (count > 0)
        {
            yield return groups;
        }
    }
}
