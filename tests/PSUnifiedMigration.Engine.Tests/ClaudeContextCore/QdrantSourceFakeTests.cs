using System.Net;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// QdrantWireListener as a Claude-Context source: seeded with claude-context-core points, it answers the documented
/// reads (GET /collections, GET /collections/{name}, POST .../points/scroll) and refuses malformed ones with 400.
/// </summary>
public sealed class QdrantSourceFakeTests : IDisposable
{
    private const string ApiKey = "source-key";

    private readonly QdrantWireListener _fake = QdrantWireListener.Start(ApiKey);
    private readonly WireFakeClient _client;
    private readonly CoreChunkTable _hybrid = ClaudeContextCoreInstallation.Describe(new ClaudeContextCoreOptions { RowsPerTable = 7 }).Table(CoreChunkTableKind.Hybrid);

    public QdrantSourceFakeTests()
    {
        _client = new WireFakeClient(_fake.Uri, h => h.Add("api-key", ApiKey));
        _fake.Seed(_hybrid.Collection, CoreQdrantPoints.CollectionConfig(8, hybrid: true, sparse: true), _hybrid.CodeRows.Select(c => CoreQdrantPoints.Point(_hybrid, c, sparse: true)));
    }

    public void Dispose()
    {
        _client.Dispose();
        _fake.Dispose();
    }

    private async Task<JsonObject> ScrollAsync(string body)
    {
        var (status, reply) = await _client.PostAsync($"/collections/{_hybrid.Collection}/points/scroll", body);
        Assert.Equal(HttpStatusCode.OK, status);
        return reply!["result"]!.AsObject();
    }

    [Fact]
    public async Task A_hybrid_collection_reports_named_dense_vectors_and_an_idf_sparse_vector()
    {
        var (_, list) = await _client.SendAsync(HttpMethod.Get, "/collections");
        var (_, info) = await _client.SendAsync(HttpMethod.Get, $"/collections/{_hybrid.Collection}");

        Assert.Equal(_hybrid.Collection, list!["result"]!["collections"]![0]!["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"vectors":{"vector":{"size":8,"distance":"Cosine"},"summary_vector":{"size":8,"distance":"Cosine"}},
             "shard_number":1,"replication_factor":1,"sparse_vectors":{"sparse":{"modifier":"idf"}}}
            """), info!["result"]!["config"]!["params"]));
        Assert.Equal(7, info["result"]!["points_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scrolling_by_next_page_offset_returns_every_point_once_in_id_order_with_the_payload_claude_context_core_writes()
    {
        var seen = new List<JsonNode>();
        JsonNode? offset = null;
        do
        {
            var page = await ScrollAsync(new JsonObject { ["limit"] = 3, ["offset"] = offset?.DeepClone(), ["with_payload"] = true, ["with_vector"] = true }.ToJsonString());
            seen.AddRange(page["points"]!.AsArray()!.Select(p => p!));
            offset = page["next_page_offset"];
        }
        while (offset is not null);

        var ids = seen.Select(p => p["id"]!.GetValue<string>()).ToList();
        Assert.Equal(_hybrid.CodeRows.Select(c => ClaudeContextIds.QdrantPointId(c.Id).ToString("D")).Order(StringComparer.Ordinal), ids);
        foreach (var point in seen)
        {
            var chunk = _hybrid.CodeRows.Single(c => ClaudeContextIds.QdrantPointId(c.Id).ToString("D") == point["id"]!.GetValue<string>());
            var payload = point["payload"]!.AsObject();
            Assert.Equal(["content", "relative_path", "start_line", "end_line", "file_extension", "project_id", "dataset_id", "source_type", "repo", "branch", "sha", "lang", "metadata"],
                payload.Select(p => p.Key));
            Assert.Equal(chunk.Content, payload["content"]!.GetValue<string>());
            Assert.Equal(["vector", "summary_vector", "sparse"], point["vector"]!.AsObject().Select(v => v.Key));
            Assert.Equal(chunk.SummaryVector ?? chunk.Vector, point["vector"]!["summary_vector"]!.AsArray().Select(v => v!.GetValue<float>()));
        }
    }

    [Fact]
    public async Task With_vector_names_returns_only_those_vectors()
    {
        var page = await ScrollAsync("""{"limit": 1, "with_payload": false, "with_vectors": ["sparse"]}""");

        var point = page["points"]![0]!.AsObject();
        Assert.False(point.ContainsKey("payload"));
        Assert.Equal(["indices", "values"], point["vector"]!["sparse"]!.AsObject().Select(p => p.Key));
        Assert.Single(point["vector"]!.AsObject());
    }

    [Theory]
    [InlineData("""{"limit": 2, "with_vector": ["nope"]}""", "Not existing vector name error: nope")]
    [InlineData("""{"limit": 2, "page": 1}""", "unknown field `page`")]
    [InlineData("""{"limit": 0}""", "limit: expected an integer of at least 1")]
    [InlineData("""{"offset": 17}""", "is not a UUID")]
    public async Task Malformed_scrolls_are_refused_with_400(string body, string message)
    {
        var (status, reply) = await _client.PostAsync($"/collections/{_hybrid.Collection}/points/scroll", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, reply!["status"]!["error"]!.GetValue<string>());
    }

    [Fact]
    public void A_seed_qdrant_would_refuse_is_refused()
    {
        var wrongSize = CoreQdrantPoints.Point(_hybrid, _hybrid.CodeRows[0], sparse: false);
        Assert.Throws<ArgumentException>(() => _fake.Seed("other", CoreQdrantPoints.CollectionConfig(4, hybrid: false, sparse: false), [wrongSize]));
    }
}
