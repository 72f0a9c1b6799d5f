using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// The Milvus REST v2 fake seeded with upstream Claude-Context collections: it answers list, describe and query in
/// Milvus's envelope and refuses what Milvus refuses (no token, offset + limit over 16,384, raw BM25 output).
/// </summary>
public sealed class MilvusWireListenerTests : IDisposable
{
    private const string Token = "root:Milvus";

    private readonly MilvusWireListener _fake = MilvusWireListener.Start(Token);
    private readonly WireFakeClient _client;
    private readonly UpstreamMilvusCollection _hybrid = UpstreamMilvusCollections.Generate("/home/dev/shop", hybrid: true, count: 60, dimension: 4, seed: 3);
    private readonly UpstreamMilvusCollection _plain = UpstreamMilvusCollections.Generate("/home/dev/blog", hybrid: false, count: 5, dimension: 4, seed: 4);

    public MilvusWireListenerTests()
    {
        _client = new WireFakeClient(_fake.Uri, h => h.Authorization = new AuthenticationHeaderValue("Bearer", Token));
        _fake.AddCollection(_hybrid);
        _fake.AddCollection(_plain);
    }

    public void Dispose()
    {
        _client.Dispose();
        _fake.Dispose();
    }

    private async Task<JsonNode> OkAsync(string path, JsonObject body)
    {
        var (status, reply) = await _client.PostAsync(path, body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, reply!["code"]!.GetValue<int>());
        return reply["data"]!;
    }

    private async Task<List<JsonObject>> QueryAsync(string filter, int limit, params string[] outputFields) =>
        (await OkAsync("/v2/vectordb/entities/query", new JsonObject
        {
            ["collectionName"] = _hybrid.Name, ["filter"] = filter, ["limit"] = limit, ["outputFields"] = new JsonArray([.. outputFields.Select(f => JsonValue.Create(f))]),
        })).AsArray().Select(e => e!.AsObject()).ToList();

    [Fact]
    public async Task Collections_are_listed_and_described_with_upstream_fields_and_the_bm25_function()
    {
        var names = (await OkAsync("/v2/vectordb/collections/list", new JsonObject { ["dbName"] = "default" })).AsArray().Select(n => n!.GetValue<string>());
        var described = await OkAsync("/v2/vectordb/collections/describe", new JsonObject { ["collectionName"] = _hybrid.Name });

        Assert.Equal(new[] { _plain.Name, _hybrid.Name }.Order(StringComparer.Ordinal), names);
        Assert.Matches("^hybrid_code_chunks_[0-9a-f]{8}$", _hybrid.Name);
        Assert.Equal(["id", "content", "vector", "sparse_vector", "relativePath", "startLine", "endLine", "fileExtension", "metadata"],
            described["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
        Assert.Equal("4", described["fields"]![2]!["params"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("BM25", described["functions"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("sparse_vector", described["functions"]![0]!["outputFieldNames"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Results_are_unordered_but_id_prefix_buckets_return_every_entity_once()
    {
        var all = await QueryAsync("id like \"chunk_%\"", 100, "id");
        var ids = all.Select(e => e["id"]!.GetValue<string>()).ToList();
        var buckets = new List<string>();
        foreach (var prefix in "0123456789abcdef")
        {
            buckets.AddRange((await QueryAsync($"id like \"chunk_{prefix}%\"", 100, "id")).Select(e => e["id"]!.GetValue<string>()));
        }

        Assert.NotEqual(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(_hybrid.Entities.Select(e => e["id"]!.GetValue<string>()).Order(StringComparer.Ordinal), buckets.Order(StringComparer.Ordinal));
        var above = await QueryAsync("id > \"chunk_8\" and startLine >= 1", 100, "id");
        Assert.Equal(ids.Where(i => string.CompareOrdinal(i, "chunk_8") > 0).Order(StringComparer.Ordinal), above.Select(e => e["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Entities_carry_the_upstream_fields_and_the_metadata_as_json_text()
    {
        var entity = (await QueryAsync("id like \"chunk_%\"", 1, "*"))[0];

        Assert.Equal(["id", "content", "vector", "relativePath", "startLine", "endLine", "fileExtension", "metadata"], entity.Select(p => p.Key));
        var metadata = JsonNode.Parse(entity["metadata"]!.GetValue<string>())!;
        Assert.Equal("/home/dev/shop", metadata["codebasePath"]!.GetValue<string>());
        Assert.NotNull(metadata["language"]);
        Assert.NotNull(metadata["chunkIndex"]);
        Assert.Equal(entity["id"]!.GetValue<string>(), ClaudeContextIds.UpstreamChunkId(entity["relativePath"]!.GetValue<string>(),
            entity["startLine"]!.GetValue<int>(), entity["endLine"]!.GetValue<int>(), entity["content"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"collectionName": "C", "filter": "id like \"chunk_0%\"", "offset": 16000, "limit": 385}""", 1100, "(offset+limit) should be in range [1, 16384], but got 16385")]
    [InlineData("""{"collectionName": "C", "filter": "id like \"chunk_0%\"", "limit": 5, "outputFields": ["sparse_vector"]}""", 1100, "not allowed to retrieve raw data of field sparse_vector")]
    [InlineData("""{"collectionName": "C", "outputFields": ["id"]}""", 1100, "empty expression should be used with limit")]
    [InlineData("""{"collectionName": "C", "filter": "id ~ 3", "limit": 5}""", 1100, "cannot parse expression")]
    [InlineData("""{"collectionName": "C", "filter": "id like \"%b\"", "limit": 5}""", 1100, "prefix patterns")]
    [InlineData("""{"collectionName": "C", "limit": 5, "pageSize": 3}""", 1801, "unknown field \"pageSize\"")]
    [InlineData("""{"collectionName": "missing", "limit": 5}""", 100, "collection not found")]
    public async Task Queries_milvus_refuses_are_refused_with_its_code(string body, int code, string message)
    {
        var (status, reply) = await _client.PostAsync("/v2/vectordb/entities/query", body.Replace("\"C\"", $"\"{_hybrid.Name}\""));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(code, reply!["code"]!.GetValue<int>());
        Assert.Contains(message, reply["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_without_the_bearer_token_gets_401_and_code_1800()
    {
        using var anonymous = new WireFakeClient(_fake.Uri);

        var (status, reply) = await anonymous.PostAsync("/v2/vectordb/collections/list", "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(1800, reply!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_wildcard_leaves_the_bm25_output_out_and_count_counts()
    {
        var count = await OkAsync("/v2/vectordb/entities/query", new JsonObject { ["collectionName"] = _hybrid.Name, ["filter"] = "", ["limit"] = 10, ["outputFields"] = new JsonArray("count(*)") });

        Assert.Equal(60, count[0]!["count(*)"]!.GetValue<int>());
        Assert.DoesNotContain("sparse_vector", (await QueryAsync("id like \"chunk_%\"", 3, "*")).SelectMany(e => e.Select(p => p.Key)));
    }
}
