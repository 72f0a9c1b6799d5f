using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// One real Milvus standalone (embedded etcd, local storage, authorization on; the setup of Milvus's
/// standalone_embed.sh) for the class, seeded over REST v2 exactly as upstream Claude-Context's
/// milvus-restful-vectordb.ts creates, indexes, loads and fills its collections. Started only where Docker exists.
/// </summary>
public sealed class MilvusContainerFixture : IAsyncLifetime
{
    public const string Token = "root:Milvus";

    private const int Port = 19530;
    private const int HealthPort = 9091;

    private IContainer? _container;

    public string Uri => $"http://{_container!.Hostname}:{_container.GetMappedPublicPort(Port)}";

    public async Task InitializeAsync()
    {
        if (DockerAvailability.WhyNot is not null)
        {
            return;
        }

        _container = new ContainerBuilder("milvusdb/milvus:v2.5.14")
            .WithCommand("milvus", "run", "standalone")
            .WithEnvironment("ETCD_USE_EMBED", "true")
            .WithEnvironment("ETCD_DATA_DIR", "/var/lib/milvus/etcd")
            .WithEnvironment("ETCD_CONFIG_PATH", "/milvus/configs/embedEtcd.yaml")
            .WithEnvironment("COMMON_STORAGETYPE", "local")
            .WithResourceMapping(Encoding.UTF8.GetBytes("listen-client-urls: http://0.0.0.0:2379\nadvertise-client-urls: http://0.0.0.0:2379\n"),
                "/milvus/configs/embedEtcd.yaml")
            .WithResourceMapping(Encoding.UTF8.GetBytes("common:\n  security:\n    authorizationEnabled: true\n"), "/milvus/configs/user.yaml")
            .WithPortBinding(Port, true)
            .WithPortBinding(HealthPort, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(HealthPort).ForPath("/healthz")))
            .Build();
        await _container.StartAsync();
        foreach (var collection in MilvusSeed.All)
        {
            await CreateAsync(collection);
        }
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>collections/create (with the BM25 function for hybrid), indexes/create, collections/load, entities/insert.</summary>
    private async Task CreateAsync(UpstreamMilvusCollection collection)
    {
        var fields = new JsonArray();
        foreach (var field in collection.Fields)
        {
            var parameters = new JsonObject();
            if (field.MaxLength is { } length)
            {
                parameters["max_length"] = length;
            }

            if (field.Dim is { } dim)
            {
                parameters["dim"] = dim;
            }

            if (field.EnableAnalyzer)
            {
                parameters["enable_analyzer"] = true;
            }

            fields.Add(new JsonObject { ["fieldName"] = field.Name, ["dataType"] = field.DataType, ["isPrimary"] = field.IsPrimary, ["elementTypeParams"] = parameters });
        }

        var schema = new JsonObject { ["enableDynamicField"] = false, ["fields"] = fields };
        var indexes = new JsonArray(new JsonObject { ["fieldName"] = "vector", ["indexName"] = "vector_index", ["metricType"] = "COSINE", ["index_type"] = "AUTOINDEX" });
        if (collection.IsHybrid)
        {
            schema["functions"] = new JsonArray(new JsonObject
            {
                ["name"] = UpstreamMilvusCollections.Bm25Function, ["description"] = "content bm25 function", ["type"] = "BM25",
                ["inputFieldNames"] = new JsonArray("content"), ["outputFieldNames"] = new JsonArray(UpstreamMilvusCollections.SparseField), ["params"] = new JsonObject(),
            });
            indexes.Add(new JsonObject { ["fieldName"] = UpstreamMilvusCollections.SparseField, ["indexName"] = "sparse_vector_index", ["metricType"] = "BM25", ["index_type"] = "SPARSE_INVERTED_INDEX" });
        }

        using var http = new HttpClient { BaseAddress = new Uri(Uri + "/v2/vectordb/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await PostAsync(http, "collections/create", new JsonObject { ["collectionName"] = collection.Name, ["schema"] = schema });
        foreach (var index in indexes)
        {
            await PostAsync(http, "indexes/create", new JsonObject { ["collectionName"] = collection.Name, ["indexParams"] = new JsonArray(index!.DeepClone()) });
        }

        await PostAsync(http, "collections/load", new JsonObject { ["collectionName"] = collection.Name });
        await PostAsync(http, "entities/insert", new JsonObject { ["collectionName"] = collection.Name, ["data"] = new JsonArray([.. collection.Entities.Select(e => e.DeepClone())]) });
        // Inserted entities are visible to a Strong read; flush so the Bounded reads of the reader see them too.
        await PostAsync(http, "collections/flush", new JsonObject { ["collectionName"] = collection.Name });
    }

    private static async Task PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if (response.StatusCode != HttpStatusCode.OK || reply?["code"]?.GetValue<int>() is not (0 or 200))
        {
            throw new InvalidOperationException($"Milvus {path}: {reply}");
        }
    }
}

/// <summary>
/// The Milvus source against the real server the wire fake imitates: every entity arrives once, the sparse
/// vectors are named as not carried, validation is clean, and a wrong token is refused. Skipped, with the reason,
/// where no Docker engine is configured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MilvusContainerTests(PostgresFixture fixture, MilvusContainerFixture milvus) : IClassFixture<MilvusContainerFixture>
{
    private MigrationSource Source(string token) =>
        new(ClaudeContextReader.Kind, "upstream", MilvusLocation.Parse(milvus.Uri, new NetworkCredential("", token).SecurePassword, queryLimit: 8));

    [DockerFact]
    public async Task A_real_milvus_installation_migrates_every_entity_once_and_validates()
    {
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var plan = await MigrationPlanner.PlanAsync([Source(MilvusContainerFixture.Token)], target, 20, default);

        Assert.Empty(plan.Blockers);
        Assert.Contains(plan.Warnings, w => w.Code == "MilvusSparseVectorsNotCarried" && w.Message.Contains(MilvusSeed.Hybrid.Name));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(MilvusSeed.All.Sum(c => c.Entities.Count), result.Steps.Where(s => s.TargetTable == "chunks").Sum(s => s.Migrated));
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
    }

    [DockerFact]
    public async Task A_real_milvus_refuses_a_wrong_token_with_an_error_that_does_not_show_it()
    {
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));

        var plan = await MigrationPlanner.PlanAsync([Source("root:wrong-s3cret")], target, 20, default);

        var blocker = Assert.Single(plan.Blockers);
        Assert.Equal("MilvusAuthenticationFailed", blocker.Code);
        Assert.DoesNotContain("s3cret", blocker.ToString());
    }
}
