using System.Net;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Targets.Neo4j;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>
/// The graph store against a real Neo4j (3.1.1 from npm, or PSUM_TEST_NEO4J). The server is shared, so every test
/// writes its own ids, system origin and run ids.
/// </summary>
[Collection(Neo4jCollection.Name)]
public class Neo4jGraphStoreTests(Neo4jFixture fixture)
{
    private readonly string _origin = "test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly Guid _run = Guid.NewGuid();

    private string Id(string name) => $"{_origin}-{name}";

    private GraphNodeRecord Node(string name, string? type = "Entity", JsonObject? properties = null, Guid? run = null) =>
        new(Id(name), type, name, properties, _origin, run ?? _run, "legacy-" + name);

    private GraphEdgeRecord Edge(string from, string to, string? relationship = "relates_to", Guid? run = null, JsonObject? properties = null) =>
        new(Id($"{from}>{to}"), Id(from), Id(to), relationship, properties, _origin, run ?? _run);

    private async Task<List<StoredGraphNode>> OwnNodesAsync(Neo4jGraphStore store) =>
        [.. (await store.ReadNodesAsync(_origin, 1000, default)).Where(n => n.Id.StartsWith(_origin + "-", StringComparison.Ordinal))];

    private async Task<List<StoredGraphEdge>> OwnEdgesAsync(Neo4jGraphStore store) =>
        [.. (await store.ReadEdgesAsync(_origin, 1000, default)).Where(e => e.Id.StartsWith(_origin + "-", StringComparison.Ordinal))];

    [Fact]
    public async Task Discovery_finds_the_commit_endpoint_and_the_server_version()
    {
        using var client = await Neo4jHttpClient.ConnectAsync(fixture.Endpoint, default);

        if (fixture.IsSandbox)
        {
            Assert.Equal(new Version(3, 1, 1), client.ServerVersion);
        }

        var expectedPath = client.ServerVersion.Major >= 4 ? $"/db/{fixture.Endpoint.Database}/tx/commit" : "/db/data/transaction/commit";
        Assert.Equal(new Uri(fixture.Endpoint.Uri, expectedPath), client.CommitEndpoint);
    }

    [Fact]
    public async Task A_repeated_batch_leaves_one_node_per_id_and_one_relationship_per_edge_id()
    {
        var store = fixture.Store;
        GraphNodeRecord[] nodes = [Node("a"), Node("b", "Person"), Node("c", "Person")];
        GraphEdgeRecord[] edges = [Edge("a", "b"), Edge("b", "c", "knows"), Edge("a", "c", "knows")];

        for (var attempt = 0; attempt < 2; attempt++)
        {
            Assert.Equal(3, await store.UpsertNodesAsync(nodes, default));
            Assert.Equal(3, (await store.UpsertEdgesAsync(edges, default)).Written);
        }

        Assert.Equal(new GraphCounts(3, 3), await store.CountAsync(_origin, default));
        Assert.Equal(nodes.Select(n => n.Id).Order(StringComparer.Ordinal), (await OwnNodesAsync(store)).Select(n => n.Id));
        Assert.Equal(edges.Select(e => e.Id).Order(StringComparer.Ordinal), (await OwnEdgesAsync(store)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_node_written_again_with_changed_data_is_updated_in_place()
    {
        var store = fixture.Store;
        await store.UpsertNodesAsync([Node("a", properties: new JsonObject { ["colour"] = "red", ["size"] = 1 })], default);
        var laterRun = Guid.NewGuid();

        await store.UpsertNodesAsync([Node("a", properties: new JsonObject { ["colour"] = "blue" }, run: laterRun)], default);

        var node = Assert.Single(await OwnNodesAsync(store));
        Assert.Equal("blue", node.Properties["colour"]!.GetValue<string>());
        Assert.False(node.Properties.ContainsKey("size"));
        Assert.Equal(laterRun.ToString("D"), node.Properties["run_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_node_and_relationship_carries_its_system_origin_run_id_and_original_names()
    {
        var store = fixture.Store;
        await store.UpsertNodesAsync([Node("a", "Person"), Node("b")], default);
        await store.UpsertEdgesAsync([Edge("a", "b", "works at")], default);

        var node = (await OwnNodesAsync(store))[0];
        var edge = Assert.Single(await OwnEdgesAsync(store));

        Assert.Equal(["Person", Neo4jGraphStore.CommonLabel, Neo4jGraphStore.CogneeLabel], node.Labels.Order(StringComparer.Ordinal));
        Assert.Equal((_origin, _run.ToString("D"), "Person", "a", "legacy-a"), (node.Properties["system_origin"]!.GetValue<string>(),
            node.Properties["run_id"]!.GetValue<string>(), node.Properties["type"]!.GetValue<string>(),
            node.Properties["name"]!.GetValue<string>(), node.Properties["legacy_id"]!.GetValue<string>()));
        Assert.Equal(("works_at", Id("a"), Id("b")), (edge.Type, edge.SourceId, edge.TargetId));
        Assert.Equal((_origin, _run.ToString("D"), "works at"), (edge.Properties["system_origin"]!.GetValue<string>(),
            edge.Properties["run_id"]!.GetValue<string>(), edge.Properties["relationship_name"]!.GetValue<string>()));
    }

    /// <summary>
    /// Cognee's Neo4j adapter (get_graph_data) runs "MATCH (n) RETURN properties(n)" and "MATCH (n)-[r]->(m) RETURN
    /// TYPE(r), properties(r)", takes a node's id from n.id and an edge's ends from r.source_node_id/r.target_node_id,
    /// and matches every node it looks up as (:`__Node__` {id}). The same queries on the projection give back the graph.
    /// </summary>
    [Fact]
    public async Task Cognees_own_queries_read_the_projected_graph_back()
    {
        var store = fixture.Store;
        await store.UpsertNodesAsync([Node("a", "Entity"), Node("b", "DocumentChunk")], default);
        await store.UpsertEdgesAsync([Edge("b", "a", "contains", properties: new JsonObject { ["source_node_id"] = "cognee-original", ["updated_at"] = 1700000000000 })], default);
        using var client = await Neo4jHttpClient.ConnectAsync(fixture.Endpoint, default);

        var results = await client.RunAsync(
        [
            new CypherStatement("MATCH (n:`__Node__`) WHERE n.system_origin = $origin RETURN n.id, n.type ORDER BY n.id", new JsonObject { ["origin"] = _origin }),
            new CypherStatement("MATCH (n:`__Node__`)-[r]->(m:`__Node__`) WHERE r.system_origin = $origin RETURN TYPE(r), properties(r)", new JsonObject { ["origin"] = _origin }),
            new CypherStatement("MATCH (n:`__Node__` {id: $id}) RETURN count(n)", new JsonObject { ["id"] = Id("a") }),
        ], default);

        Assert.Equal([(Id("a"), "Entity"), (Id("b"), "DocumentChunk")], results[0].Rows.Select(r => (r[0]!.GetValue<string>(), r[1]!.GetValue<string>())));
        var edge = Assert.Single(results[1].Rows);
        var properties = edge[1]!.AsObject();
        Assert.Equal(("contains", Id("b"), Id("a"), "contains", 1700000000000L), (edge[0]!.GetValue<string>(), properties["source_node_id"]!.GetValue<string>(),
            properties["target_node_id"]!.GetValue<string>(), properties["relationship_name"]!.GetValue<string>(), properties["updated_at"]!.GetValue<long>()));
        Assert.Equal("cognee-original", properties["_source_node_id"]!.GetValue<string>());
        Assert.Equal(1, results[2].Rows[0][0]!.GetValue<int>());
        Assert.Equal(default, await store.CountUnreadableByCogneeAsync(_origin, default));
    }

    [Fact]
    public async Task A_node_without_the_cognee_label_or_a_relationship_without_its_ends_is_counted_as_unreadable_by_cognee()
    {
        var store = fixture.Store;
        await store.UpsertNodesAsync([Node("a"), Node("b"), Node("c")], default);
        await store.UpsertEdgesAsync([Edge("a", "b"), Edge("b", "c")], default);
        using var client = await Neo4jHttpClient.ConnectAsync(fixture.Endpoint, default);

        await client.RunAsync(
        [
            new CypherStatement("MATCH (n:`__Node__` {id: $id}) REMOVE n:`__Node__`", new JsonObject { ["id"] = Id("c") }),
            new CypherStatement("MATCH ()-[r]->() WHERE r.id = $id REMOVE r.target_node_id", new JsonObject { ["id"] = Id("a>b") }),
        ], default);

        Assert.Equal(new GraphCounts(1, 1), await store.CountUnreadableByCogneeAsync(_origin, default));
    }

    [Fact]
    public async Task Labels_and_relationship_types_that_try_to_inject_Cypher_become_harmless_names_and_keep_their_text()
    {
        var store = fixture.Store;
        var bystander = new GraphNodeRecord(Id("bystander"), "Entity", "bystander", new JsonObject { ["keep"] = "me" }, _origin + "-other", _run, null);
        await store.UpsertNodesAsync([bystander, Node("plain")], default);
        var before = await store.CountAsync(null, default);
        string?[] hostileTypes = ["Entity`) DETACH DELETE n //", "a-b c", "", "`"];

        var written = await store.UpsertNodesAsync([.. hostileTypes.Select((type, i) => Node($"hostile{i}", type))], default);
        var edges = await store.UpsertEdgesAsync(
        [
            Edge("hostile0", "plain", "REL`]->() DETACH DELETE a //"),
            Edge("hostile1", "plain", "a-b c"),
            Edge("hostile2", "plain", ""),
        ], default);

        Assert.Equal((4, 3), (written, edges.Written));
        Assert.Equal(new GraphCounts(before.Nodes + 4, before.Edges + 3), await store.CountAsync(null, default));
        var stored = (await OwnNodesAsync(store)).ToDictionary(n => n.Id);
        Assert.Equal("me", stored[bystander.Id].Properties["keep"]!.GetValue<string>());
        Assert.Equal(["Entity___DETACH_DELETE_n___", Neo4jGraphStore.CommonLabel, Neo4jGraphStore.CogneeLabel], stored[Id("hostile0")].Labels.Order(StringComparer.Ordinal));
        Assert.Equal("Entity`) DETACH DELETE n //", stored[Id("hostile0")].Properties["type"]!.GetValue<string>());
        Assert.Contains("a_b_c", stored[Id("hostile1")].Labels);
        Assert.Contains(CypherNames.FallbackLabel, stored[Id("hostile2")].Labels);
        Assert.Contains("_", stored[Id("hostile3")].Labels);
        var types = (await OwnEdgesAsync(store)).ToDictionary(e => e.Id);
        Assert.Equal("REL_______DETACH_DELETE_a___", types[Id("hostile0>plain")].Type);
        Assert.Equal("REL`]->() DETACH DELETE a //", types[Id("hostile0>plain")].Properties["relationship_name"]!.GetValue<string>());
        Assert.Equal(CypherNames.FallbackRelationshipType, types[Id("hostile2>plain")].Type);
    }

    [Fact]
    public async Task Properties_Neo4j_cannot_hold_are_stored_as_JSON_text_and_data_keys_never_overwrite_the_stores_own()
    {
        var store = fixture.Store;
        var properties = JsonNode.Parse("""
            {"nested":{"a":[1,{"b":2}]},"objects":[{"x":1}],"mixed":[1,"one"],"holes":[1,null],"huge":123456789012345678901,
             "words":["x","y"],"numbers":[1,2.5],"flag":true,"nothing":null,"id":"data's own id","":"empty key"}
            """)!.AsObject();

        await store.UpsertNodesAsync([Node("a", properties: properties)], default);

        var stored = Assert.Single(await OwnNodesAsync(store)).Properties;
        Assert.Equal("""{"a":[1,{"b":2}]}""", stored["nested"]!.GetValue<string>());
        Assert.Equal("""[{"x":1}]""", stored["objects"]!.GetValue<string>());
        Assert.Equal("""[1,"one"]""", stored["mixed"]!.GetValue<string>());
        Assert.Equal("[1,null]", stored["holes"]!.GetValue<string>());
        Assert.Equal("123456789012345678901", stored["huge"]!.GetValue<string>());
        Assert.Equal(["x", "y"], stored["words"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal([1.0, 2.5], stored["numbers"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.True(stored["flag"]!.GetValue<bool>());
        Assert.False(stored.ContainsKey("nothing"));
        Assert.Equal((Id("a"), "data's own id", "empty key"), (stored["id"]!.GetValue<string>(), stored["_id"]!.GetValue<string>(), stored["_"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Deleting_a_run_removes_exactly_its_nodes_and_relationships()
    {
        var store = fixture.Store;
        var other = Guid.NewGuid();
        await store.UpsertNodesAsync([Node("mine1"), Node("mine2"), Node("shared"), Node("theirs1", run: other), Node("theirs2", run: other)], default);
        await store.UpsertEdgesAsync(
        [
            Edge("mine1", "mine2"), Edge("mine2", "theirs1"),
            Edge("theirs1", "theirs2", run: other), Edge("theirs2", "shared", run: other),
        ], default);

        var deletion = await store.DeleteRunAsync(_run, default);

        Assert.Equal(new RunDeletion(EdgesDeleted: 2, NodesDeleted: 2, NodesKept: 1), deletion);
        Assert.Equal([Id("shared"), Id("theirs1"), Id("theirs2")], (await OwnNodesAsync(store)).Select(n => n.Id));
        Assert.Equal([Id("theirs1>theirs2"), Id("theirs2>shared")], (await OwnEdgesAsync(store)).Select(e => e.Id));
    }

    [Fact]
    public async Task An_edge_whose_end_node_does_not_exist_is_reported_and_not_written()
    {
        var store = fixture.Store;
        await store.UpsertNodesAsync([Node("a"), Node("b")], default);

        var result = await store.UpsertEdgesAsync([Edge("a", "b"), Edge("a", "ghost")], default);

        Assert.Equal(1, result.Written);
        Assert.Equal([Id("a>ghost")], result.MissingEndpointEdgeIds);
        Assert.Equal(new GraphCounts(2, 1), await store.CountAsync(_origin, default));
    }

    [Fact]
    public async Task Nodes_are_read_in_id_order_one_bounded_page_after_another()
    {
        var store = fixture.Store;
        var names = Enumerable.Range(0, 7).Select(i => $"n{i}").ToList();
        await store.UpsertNodesAsync([.. names.AsEnumerable().Reverse().Select(n => Node(n))], default);

        var pages = new List<IReadOnlyList<StoredGraphNode>>();
        for (var after = _origin; ;)
        {
            var page = (await store.ReadNodesAsync(after, 3, default)).Where(n => n.Id.StartsWith(_origin + "-", StringComparison.Ordinal)).ToList();
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page);
            after = page[^1].Id;
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(names.Select(Id), pages.SelectMany(p => p).Select(n => n.Id));
    }

    [Fact]
    public async Task A_batch_larger_than_one_request_is_written_completely()
    {
        var store = fixture.Store;
        var count = Neo4jGraphStore.MaxRecordsPerRequest + 234;

        var written = await store.UpsertNodesAsync([.. Enumerable.Range(0, count).Select(i => Node($"bulk{i:D5}", i % 2 == 0 ? "Even" : "Odd"))], default);

        Assert.Equal(count, written);
        Assert.Equal(new GraphCounts(count, 0), await store.CountAsync(_origin, default));
    }

    [Fact]
    public async Task The_schema_can_be_ensured_again_and_makes_node_ids_unique()
    {
        var store = fixture.Store;
        await store.EnsureSchemaAsync(default);
        await store.UpsertNodesAsync([Node("a")], default);
        using var client = await Neo4jHttpClient.ConnectAsync(fixture.Endpoint, default);

        var error = await Assert.ThrowsAsync<Neo4jException>(() => client.RunAsync(
            [new CypherStatement("CREATE (n:UnifiedNode {id: $id})", new JsonObject { ["id"] = Id("a") })], default));

        Assert.Equal(("Neo.ClientError.Schema.ConstraintValidationFailed", MigrationErrorKind.InvalidData), (error.Neo4jCode, error.Kind));
    }

    [Fact]
    public async Task A_Cypher_syntax_error_is_a_migration_exception_with_the_Neo4j_code_and_rolls_back_the_transaction()
    {
        using var client = await Neo4jHttpClient.ConnectAsync(fixture.Endpoint, default);
        var store = new Neo4jGraphStore(client);

        var error = await Assert.ThrowsAsync<Neo4jException>(() => client.RunAsync(
        [
            new CypherStatement("CREATE (n:UnifiedNode {id: $id, system_origin: $origin})", new JsonObject { ["id"] = Id("x"), ["origin"] = _origin }),
            new CypherStatement("MATCH (n) RETURN nonsense("),
        ], default));

        Assert.Equal(("Neo4jStatementFailed", "Neo.ClientError.Statement.SyntaxError"), (error.ErrorId, error.Neo4jCode));
        Assert.Contains("statement 2 of 2", error.Message);
        Assert.Equal(new GraphCounts(0, 0), await store.CountAsync(_origin, default));
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_error()
    {
        // Another user than the fixture's: Neo4j briefly locks a user out after failed logins.
        var endpoint = Neo4jEndpoint.Parse(fixture.Endpoint.Uri.ToString(), "psum-nobody", new NetworkCredential("", "wrong-password").SecurePassword);

        var error = await Assert.ThrowsAsync<Neo4jException>(() => Neo4jHttpClient.ConnectAsync(endpoint, default));

        Assert.Equal(("Neo4jAuthenticationFailed", MigrationErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.DoesNotContain("wrong-password", error.Message);
    }
}
