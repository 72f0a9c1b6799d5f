using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Sources.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

public sealed class NodeLinkGraphFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"psum-graph-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_path);

    private static string Graph(string edgesKey, string description = "a node") => $$$"""
        {"directed": true, "multigraph": true, "graph": {"note": {"nested": [1, 2, {"deep": "value"}]}},
         "nodes": [{"id": "a", "name": "A", "type": "Entity", "description": "{{{description}}}"}, {"id": "b", "name": "B", "type": "EntityType"}],
         "{{{edgesKey}}}": [{"source": "a", "target": "b", "key": "is_a", "relationship_name": "is_a", "source_node_id": "a", "target_node_id": "b"}]}
        """;

    private async Task<List<JsonObject>> ReadAsync(IReadOnlyList<string> arrayNames)
    {
        var elements = new List<JsonObject>();
        await foreach (var element in NodeLinkGraphFile.ReadArrayAsync(_path, arrayNames, default))
        {
            elements.Add(element);
        }

        return elements;
    }

    [Theory]
    [InlineData("links")]
    [InlineData("edges")]
    public async Task Nodes_and_links_are_streamed_whichever_name_the_edges_array_has(string edgesKey)
    {
        await File.WriteAllTextAsync(_path, Graph(edgesKey));

        var nodes = await ReadAsync(["nodes"]);
        var links = await ReadAsync(NodeLinkGraphFile.EdgeArrayNames);

        Assert.Equal(["a", "b"], nodes.Select(n => (string)n["id"]!));
        Assert.Equal("is_a", (string)Assert.Single(links)["key"]!);
    }

    [Fact]
    public async Task An_element_larger_than_the_read_buffer_is_read_whole()
    {
        var description = new string('x', 300_000);
        await File.WriteAllTextAsync(_path, Graph("links", description));

        var nodes = await ReadAsync(["nodes"]);

        Assert.Equal(description, (string)nodes[0]["description"]!);
    }

    [Fact]
    public async Task A_truncated_file_is_malformed_with_its_position()
    {
        var text = Graph("links");
        await File.WriteAllTextAsync(_path, text[..(text.Length / 2)]);

        var error = await Assert.ThrowsAsync<MigrationException>(() => ReadAsync(NodeLinkGraphFile.EdgeArrayNames));

        Assert.Equal("GraphFileMalformed", error.ErrorId);
        Assert.Contains(_path, error.Message);
        Assert.Contains("at byte", error.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_a_json_object_is_malformed()
    {
        await File.WriteAllTextAsync(_path, "\u0080\u0004\u0095 pickled, not JSON");

        var error = await Assert.ThrowsAsync<MigrationException>(() => ReadAsync(["nodes"]));

        Assert.Equal("GraphFileMalformed", error.ErrorId);
    }
}
