using System.Net;
using System.Text.Json.Nodes;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using static PSUnifiedMigration.Engine.Tests.Qdrant.QdrantTestData;

namespace PSUnifiedMigration.Engine.Tests.Qdrant;

/// <summary>One real Qdrant (the official image, with an API key) for the class; started only where Docker exists.</summary>
public sealed class QdrantContainerFixture : IAsyncLifetime
{
    public const string ApiKey = "container-test-key";

    private const int RestPort = 6333;

    private IContainer? _container;

    public string Uri => $"http://{_container!.Hostname}:{_container.GetMappedPublicPort(RestPort)}";

    public async Task InitializeAsync()
    {
        if (DockerAvailability.WhyNot is not null)
        {
            return;
        }

        _container = new ContainerBuilder("qdrant/qdrant:v1.18.3")
            .WithPortBinding(RestPort, true)
            .WithEnvironment("QDRANT__SERVICE__API_KEY", ApiKey)
            // /readyz needs no API key.
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(RestPort).ForPath("/readyz")))
            .Build();
        await _container.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}

/// <summary>
/// The store's operations against the real Qdrant server, the authority the wire fake imitates. Each test uses
/// its own collection. Skipped, with the reason, where no Docker engine is configured.
/// </summary>
public sealed class QdrantContainerTests(QdrantContainerFixture qdrant) : IClassFixture<QdrantContainerFixture>, IDisposable
{
    private readonly List<QdrantHttpClient> _clients = [];

    public void Dispose() => _clients.ForEach(c => c.Dispose());

    private QdrantHttpClient Client(string apiKey = QdrantContainerFixture.ApiKey, QdrantClientOptions? options = null)
    {
        var client = new QdrantHttpClient(QdrantEndpoint.Parse(qdrant.Uri, new NetworkCredential("", apiKey).SecurePassword), options ?? FastRetries);
        _clients.Add(client);
        return client;
    }

    private static QdrantCollectionSpec NewSpec() => Spec($"unified_test_{Guid.NewGuid():N}");

    [DockerFact]
    public async Task A_real_qdrant_collection_is_created_indexed_and_checked_for_mismatches()
    {
        var store = new QdrantVectorStore(Client());
        var spec = NewSpec();

        var created = await store.EnsureCollectionAsync(spec, default);
        var again = await store.EnsureCollectionAsync(spec, default);
        var other = await store.EnsureCollectionAsync(spec with { Size = 16, Distance = QdrantDistance.Cosine }, default);
        await store.EnsurePayloadIndexesAsync(spec.Name, default);
        await store.EnsurePayloadIndexesAsync(spec.Name, default);

        Assert.True(created.Created);
        Assert.Equal((false, 0), (again.Created, again.Mismatches.Count));
        Assert.Equal(["the dimension of 'dense'", "the distance of 'dense'"], other.Mismatches.Select(m => m.Aspect));
        var info = await Client().GetCollectionAsync(spec.Name, default);
        Assert.Equal(new QdrantDenseVectorConfig(8, QdrantDistance.Dot), info!.DenseVectors["dense"]);
        Assert.Equal(["sparse"], info.SparseVectors);
        Assert.Null(await Client().GetCollectionAsync(spec.Name + "_missing", default));
    }

    [DockerFact]
    public async Task A_real_qdrant_takes_bounded_upserts_without_duplicates_and_pages_counts_and_deletes_them_by_run()
    {
        var store = new QdrantVectorStore(Client(options: FastRetries with { MaxPointsPerRequest = 40 }));
        var spec = NewSpec();
        await store.EnsureCollectionAsync(spec, default);
        await store.EnsurePayloadIndexesAsync(spec.Name, default);
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        var points = Points(150, first).Concat(Points(50, second, first: 150)).ToList();

        await store.UpsertAsync(spec, points, default);
        await store.UpsertAsync(spec, points.Take(60).ToList(), default);
        var read = await ReadAllAsync(store, spec, 30);

        Assert.Equal(200, await store.CountAsync(spec.Name, null, default));
        // Every point exactly once; the order of pages is the server's business.
        Assert.Equal(points.Select(p => p.Id).Order(), read.Select(p => p.Id).Order());
        var expected = points.ToDictionary(p => p.Id);
        Assert.All(read, p =>
        {
            Assert.Equal(expected[p.Id].Dense, p.Dense);
            Assert.Equal(expected[p.Id].Sparse!.Indices, p.Sparse!.Indices);
            Assert.Equal(expected[p.Id].Sparse!.Values, p.Sparse.Values);
            Assert.True(JsonNode.DeepEquals(expected[p.Id].Payload, p.Payload), p.Payload.ToJsonString());
        });

        await store.DeleteRunAsync(spec.Name, first, default);

        Assert.Equal(0, await store.CountAsync(spec.Name, first, default));
        Assert.Equal(50, await store.CountAsync(spec.Name, null, default));
    }

    [DockerFact]
    public async Task A_real_qdrant_snapshot_recovers_the_collection_as_it_was_when_taken()
    {
        var client = Client();
        var store = new QdrantVectorStore(client);
        var spec = NewSpec();
        await store.EnsureCollectionAsync(spec, default);
        var before = Points(10, Guid.NewGuid());
        await store.UpsertAsync(spec, before, default);
        var snapshot = await store.CreateSnapshotAsync(spec.Name, default);
        await store.UpsertAsync(spec, Points(5, Guid.NewGuid(), first: 10), default);
        await client.DeletePointsAsync(spec.Name, before.Take(3).Select(p => p.Id).ToList(), default);

        await store.RestoreSnapshotAsync(spec.Name, snapshot, default);

        Assert.Equal(before.Select(p => p.Id).Order(), (await ReadAllAsync(store, spec, 4)).Select(p => p.Id).Order());
        Assert.Contains(snapshot, (await client.ListSnapshotsAsync(spec.Name, default)).Select(s => s.Name));
        await client.DeleteSnapshotAsync(spec.Name, snapshot, default);
        Assert.DoesNotContain(snapshot, (await client.ListSnapshotsAsync(spec.Name, default)).Select(s => s.Name));
        await client.DeleteCollectionAsync(spec.Name, default);
        Assert.Null(await client.GetCollectionAsync(spec.Name, default));
    }

    [DockerFact]
    public async Task A_real_qdrant_refuses_a_wrong_api_key_with_an_error_that_does_not_show_it()
    {
        const string wrong = "not-the-container-key";

        var error = await Assert.ThrowsAsync<MigrationException>(() => Client(wrong).GetCollectionAsync("unified_chunks", default));

        Assert.Equal(("QdrantAuthenticationFailed", MigrationErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.Contains("check -QdrantApiKey", error.Message);
        Assert.DoesNotContain(wrong, error.Message);
    }
}
