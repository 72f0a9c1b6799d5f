using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using static PSUnifiedMigration.Engine.Tests.Qdrant.QdrantTestData;

namespace PSUnifiedMigration.Engine.Tests.Qdrant;

/// <summary>
/// The Qdrant client and store against QdrantWireListener, a checking fake of Qdrant's REST API (no real
/// Qdrant can run without Docker; QdrantContainerTests run the same operations against the real image).
/// </summary>
public sealed class QdrantWireTests : IDisposable
{
    private const string ApiKey = "k3y-that-must-never-show";

    private readonly QdrantWireListener _fake = QdrantWireListener.Start(ApiKey);
    private readonly List<QdrantHttpClient> _clients = [];

    public void Dispose()
    {
        _clients.ForEach(c => c.Dispose());
        _fake.Dispose();
    }

    private QdrantHttpClient Client(QdrantClientOptions? options = null, string? apiKey = ApiKey)
    {
        var key = apiKey is null ? null : new NetworkCredential("", apiKey).SecurePassword;
        var client = new QdrantHttpClient(QdrantEndpoint.Parse(_fake.Uri.ToString(), key), options ?? FastRetries);
        _clients.Add(client);
        return client;
    }

    private QdrantVectorStore Store(QdrantClientOptions? options = null) => new(Client(options), QdrantWireListener.SnapshotsPath);

    private async Task<(QdrantVectorStore Store, QdrantCollectionSpec Spec)> CollectionAsync(QdrantClientOptions? options = null, int size = 8)
    {
        var store = Store(options);
        var spec = Spec("unified_chunks", size);
        Assert.True((await store.EnsureCollectionAsync(spec, default)).Created);
        return (store, spec);
    }

    private IEnumerable<QdrantWireRequest> Upserts => _fake.Requests.Where(r => r is { Method: "PUT", Path: "/collections/unified_chunks/points" });

    [Fact]
    public async Task A_missing_collection_is_created_with_a_named_dense_and_a_named_sparse_vector()
    {
        var store = Store();

        var check = await store.EnsureCollectionAsync(new QdrantCollectionSpec("unified_chunks", "dense", 768, QdrantDistance.Cosine, "sparse"), default);

        Assert.True(check.Created);
        Assert.Empty(check.Mismatches);
        var create = Assert.Single(_fake.Requests, r => r.Method == "PUT" && r.Path == "/collections/unified_chunks");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"vectors":{"dense":{"size":768,"distance":"Cosine"}},"sparse_vectors":{"sparse":{}}}"""),
            JsonNode.Parse(create.Body)));
        var info = await Client().GetCollectionAsync("unified_chunks", default);
        Assert.Equal(new QdrantDenseVectorConfig(768, QdrantDistance.Cosine), Assert.Single(info!.DenseVectors, v => v.Key == "dense").Value);
        Assert.Equal(["sparse"], info.SparseVectors);
    }

    [Fact]
    public async Task Listing_collections_names_every_collection_on_the_server()
    {
        await Client().CreateCollectionAsync("unified_chunks", "dense", 4, QdrantDistance.Cosine, null, default);
        await Client().CreateCollectionAsync("someone_elses", "dense", 4, QdrantDistance.Cosine, null, default);

        var names = await Client().ListCollectionsAsync(default);

        Assert.Equal(["someone_elses", "unified_chunks"], names.Order(StringComparer.Ordinal));
        Assert.Equal(["unified_chunks"], names.Where(QdrantCollectionNames.IsUnified));
    }

    [Fact]
    public async Task An_existing_collection_with_another_dimension_distance_or_no_sparse_vector_is_reported_and_left_alone()
    {
        await Client().CreateCollectionAsync("unified_chunks", "dense", 384, QdrantDistance.Euclid, null, default);

        var check = await Store().EnsureCollectionAsync(new QdrantCollectionSpec("unified_chunks", "dense", 768, QdrantDistance.Cosine, "sparse"), default);

        Assert.False(check.Created);
        Assert.Equal(
            ["the dimension of 'dense': 384 instead of 768", "the distance of 'dense': Euclid instead of Cosine", "the sparse vector: missing instead of a sparse vector named 'sparse'"],
            check.Mismatches.Select(m => $"{m.Aspect}: {m.Actual} instead of {m.Expected}"));
        Assert.All(check.Mismatches, m => Assert.Contains("'unified_chunks'", m.Message));
        Assert.Single(_fake.Requests, r => r.Method == "PUT" && r.Path == "/collections/unified_chunks");
    }

    [Fact]
    public async Task Upserts_wait_and_split_large_batches_into_requests_bounded_by_points_and_bytes()
    {
        var (byCount, spec) = await CollectionAsync(FastRetries with { MaxPointsPerRequest = 50 }, size: 64);
        var byBytes = Store(FastRetries with { MaxPointsPerRequest = 50, MaxBytesPerRequest = 16_000 });

        await byCount.UpsertAsync(spec, Points(120, Guid.NewGuid(), 64), default);
        var countRequests = Upserts.ToList();
        await byBytes.UpsertAsync(spec, Points(120, Guid.NewGuid(), 64, first: 1000), default);
        var byteRequests = Upserts.Skip(countRequests.Count).ToList();

        Assert.Equal([50, 50, 20], countRequests.Select(PointsIn));
        Assert.True(byteRequests.Count > 3, $"{byteRequests.Count} requests");
        Assert.All(byteRequests, r => Assert.InRange(r.Body.Length, 1, 16_000));
        Assert.All(countRequests.Concat(byteRequests), r => Assert.Equal("?wait=true", r.Query));
        Assert.Equal(120, byteRequests.Sum(PointsIn));
        Assert.Equal(240, await byCount.CountAsync(spec.Name, null, default));

        static int PointsIn(QdrantWireRequest r) => JsonNode.Parse(r.Body)!["points"]!.AsArray().Count;
    }

    [Fact]
    public async Task A_retried_batch_upserts_the_same_ids_again_and_never_duplicates_points()
    {
        var (store, spec) = await CollectionAsync();
        var points = Points(10, Guid.NewGuid());
        _fake.FailNextUpserts(1, 503, afterApplying: true);

        await store.UpsertAsync(spec, points, default);
        await store.UpsertAsync(spec, points, default);

        var upserts = Upserts.ToList();
        Assert.Equal([503, 200, 200], upserts.Select(r => r.Status));
        Assert.Equal(upserts[0].Body, upserts[1].Body);
        Assert.Equal(10, await store.CountAsync(spec.Name, null, default));
        Assert.Equal(10, _fake.PointCount(spec.Name));
    }

    [Theory]
    [InlineData(429, 1)]
    [InlineData(503, null)]
    [InlineData(0, null)]
    public async Task Rate_limited_unavailable_or_dropped_upserts_are_retried_and_then_succeed(int status, int? retryAfterSeconds)
    {
        var (store, spec) = await CollectionAsync();
        if (status == 0)
        {
            _fake.DropNextUpserts(2);
        }
        else
        {
            _fake.FailNextUpserts(2, status, retryAfterSeconds);
        }

        var clock = Stopwatch.StartNew();
        await store.UpsertAsync(spec, Points(5, Guid.NewGuid()), default);

        Assert.Equal([status, status, 200], Upserts.Select(r => r.Status));
        Assert.Equal(5, await store.CountAsync(spec.Name, null, default));
        if (retryAfterSeconds is { } seconds)
        {
            // Two waits of Retry-After each, not the 10 ms backoff.
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2 * seconds) - TimeSpan.FromMilliseconds(100), $"{clock.Elapsed}");
        }
    }

    [Fact]
    public async Task A_persistent_server_error_fails_with_an_error_naming_the_collection_and_the_first_point_of_the_request()
    {
        var (store, spec) = await CollectionAsync(FastRetries with { MaxAttempts = 3, MaxPointsPerRequest = 4 });
        var points = Points(8, Guid.NewGuid());
        _fake.FailNextUpserts(100, 500);

        var error = await Assert.ThrowsAsync<MigrationException>(() => store.UpsertAsync(spec, points, default));

        Assert.Equal("QdrantServerError", error.ErrorId);
        Assert.Equal(MigrationErrorKind.ConnectionError, error.Kind);
        Assert.Contains("collection 'unified_chunks'", error.Message);
        Assert.Contains($"starting with point {points[0].Id}", error.Message);
        Assert.Contains("after 3 attempts", error.Message);
        Assert.Equal(points[0].Id, error.Target);
        Assert.Equal(3, Upserts.Count());
        Assert.Equal(0, _fake.PointCount(spec.Name));
    }

    [Fact]
    public async Task The_api_key_goes_in_the_api_key_header_and_never_into_messages_or_ToString()
    {
        var (store, spec) = await CollectionAsync(FastRetries with { MaxAttempts = 1 });
        await store.UpsertAsync(spec, Points(3, Guid.NewGuid()), default);
        _fake.FailNextUpserts(1, 500);
        var serverError = await Assert.ThrowsAsync<MigrationException>(() => store.UpsertAsync(spec, Points(1, Guid.NewGuid()), default));
        var wrongKey = await Assert.ThrowsAsync<MigrationException>(() => Client(apiKey: "wrong-" + ApiKey).CountAsync(spec.Name, null, default));
        var noKey = await Assert.ThrowsAsync<MigrationException>(() => Client(apiKey: null).CountAsync(spec.Name, null, default));
        var endpoint = QdrantEndpoint.Parse($"http://127.0.0.1:{UnusedPort()}", new NetworkCredential("", ApiKey).SecurePassword);
        using var unreachableClient = new QdrantHttpClient(endpoint, FastRetries);
        var unreachable = await Assert.ThrowsAsync<MigrationException>(() => unreachableClient.CountAsync(spec.Name, null, default));

        Assert.All(_fake.Requests.Where(r => r.Status != 401 && r.Status != 403), r => Assert.Equal(ApiKey, r.ApiKey));
        Assert.Equal(("QdrantAuthenticationFailed", MigrationErrorKind.AuthenticationError), (wrongKey.ErrorId, wrongKey.Kind));
        Assert.Contains("check -QdrantApiKey", wrongKey.Message);
        Assert.Contains("No API key was given", noKey.Message);
        Assert.Equal("http://127.0.0.1:" + endpoint.Uri.Port + " (api-key ********)", endpoint.ToString());
        foreach (var text in new[] { endpoint.ToString(), endpoint.Redacted, endpoint.Display, serverError.Message, wrongKey.Message, noKey.Message,
                     unreachable.Message, $"{unreachable.Target}", $"{wrongKey.Target}" })
        {
            Assert.DoesNotContain(ApiKey, text);
        }
    }

    [Fact]
    public async Task Payload_indexes_are_requested_as_keyword_indexes_on_the_unified_filter_fields()
    {
        var (store, spec) = await CollectionAsync();

        await store.EnsurePayloadIndexesAsync(spec.Name, default);

        var requests = _fake.Requests.Where(r => r.Path == "/collections/unified_chunks/index").ToList();
        Assert.All(requests, r => Assert.Equal(("PUT", "?wait=true", 200), (r.Method, r.Query, r.Status)));
        Assert.Equal(
            ["dataset_id", "language", "project_id", "relative_path", "run_id", "source_type", "system_origin"],
            requests.Select(r => JsonNode.Parse(r.Body)!).Select(b => $"{b["field_name"]}").Order());
        Assert.All(requests, r => Assert.Equal("keyword", $"{JsonNode.Parse(r.Body)!["field_schema"]}"));
    }

    [Fact]
    public async Task Deleting_a_run_removes_exactly_the_points_that_run_wrote()
    {
        var (store, spec) = await CollectionAsync();
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        await store.UpsertAsync(spec, Points(30, first), default);
        await store.UpsertAsync(spec, Points(20, second, first: 30), default);

        await store.DeleteRunAsync(spec.Name, first, default);

        Assert.Equal(0, await store.CountAsync(spec.Name, first, default));
        Assert.Equal(20, await store.CountAsync(spec.Name, second, default));
        Assert.Equal(20, await store.CountAsync(spec.Name, null, default));
        var delete = Assert.Single(_fake.Requests, r => r.Path == "/collections/unified_chunks/points/delete");
        Assert.Equal("?wait=true", delete.Query);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$$"""{"filter":{"must":[{"key":"run_id","match":{"value":"{{{first}}}"}}]}}"""),
            JsonNode.Parse(delete.Body)));
    }

    [Fact]
    public async Task A_snapshot_recovers_the_collection_as_it_was_when_taken()
    {
        var (store, spec) = await CollectionAsync();
        var before = Points(10, Guid.NewGuid());
        await store.UpsertAsync(spec, before, default);
        var snapshot = await store.CreateSnapshotAsync(spec.Name, default);
        await store.UpsertAsync(spec, Points(5, Guid.NewGuid(), first: 10), default);
        await Client().DeletePointsAsync(spec.Name, before.Take(3).Select(p => p.Id).ToList(), default);

        await store.RestoreSnapshotAsync(spec.Name, snapshot, default);

        Assert.Equal(before.Select(p => p.Id).Order(), (await ReadAllAsync(store, spec, 4)).Select(p => p.Id));
        Assert.Contains(snapshot, (await Client().ListSnapshotsAsync(spec.Name, default)).Select(s => s.Name));
        var recover = Assert.Single(_fake.Requests, r => r.Path == "/collections/unified_chunks/snapshots/recover");
        Assert.Equal($"file:///qdrant/snapshots/unified_chunks/{snapshot}", $"{JsonNode.Parse(recover.Body)!["location"]}");
    }

    [Fact]
    public async Task Scroll_paging_returns_every_point_exactly_once_with_its_vectors_and_payload()
    {
        var (store, spec) = await CollectionAsync();
        var points = Points(137, Guid.NewGuid());
        await store.UpsertAsync(spec, points, default);

        var read = await ReadAllAsync(store, spec, 20);

        Assert.Equal(points.Select(p => p.Id).Order(), read.Select(p => p.Id));
        var expected = points.ToDictionary(p => p.Id);
        Assert.All(read, p =>
        {
            Assert.Equal(expected[p.Id].Dense, p.Dense);
            Assert.Equal(expected[p.Id].Sparse!.Indices, p.Sparse!.Indices);
            Assert.Equal(expected[p.Id].Sparse!.Values, p.Sparse.Values);
            Assert.True(JsonNode.DeepEquals(expected[p.Id].Payload, p.Payload));
        });
    }

    [Fact]
    public async Task A_request_qdrant_rejects_fails_at_once_with_qdrants_reason()
    {
        var (_, spec) = await CollectionAsync();
        var point = new QdrantPoint(Guid.NewGuid(), new Dictionary<string, float[]> { ["dense"] = [1f, 2f] }, new Dictionary<string, QdrantSparseVector>(), []);

        var error = await Assert.ThrowsAsync<MigrationException>(() => Client().UpsertPointsAsync(spec.Name, [point], default));

        Assert.Equal(("QdrantRequestRejected", MigrationErrorKind.InvalidData), (error.ErrorId, error.Kind));
        Assert.Contains("answered 400 while upserting 1 points into collection 'unified_chunks'", error.Message);
        Assert.Contains("Vector dimension error: expected dim: 8, got 2", error.Message);
        Assert.Single(Upserts);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_connection_error_that_names_the_address()
    {
        var endpoint = QdrantEndpoint.Parse($"http://127.0.0.1:{UnusedPort()}");
        using var client = new QdrantHttpClient(endpoint, FastRetries);

        var error = await Assert.ThrowsAsync<MigrationException>(() => client.GetCollectionAsync("unified_chunks", default));

        Assert.Equal(("QdrantUnreachable", MigrationErrorKind.ConnectionError), (error.ErrorId, error.Kind));
        Assert.Contains($"Cannot reach Qdrant at {endpoint.Display} (connection refused", error.Message);
    }

    [Theory]
    [InlineData("vectors-db:6333")]
    [InlineData("ftp://vectors-db:6333")]
    [InlineData("http://admin:s3cret@vectors-db:6333")]
    [InlineData("http://vectors-db:6333/?api-key=s3cret")]
    public void An_invalid_address_is_rejected_without_being_quoted(string uri)
    {
        var error = Assert.Throws<MigrationException>(() => QdrantEndpoint.Parse(uri));

        Assert.Equal(("QdrantUriInvalid", MigrationErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.DoesNotContain("vectors-db", error.Message);
    }

    [Fact]
    public async Task Cancelling_stops_an_upsert_that_is_waiting_to_retry()
    {
        var (store, spec) = await CollectionAsync(FastRetries with { InitialDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromSeconds(30) });
        _fake.FailNextUpserts(1, 503);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertAsync(spec, Points(3, Guid.NewGuid()), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
        Assert.Single(Upserts);
    }

    [Fact]
    public void Data_point_collections_keep_their_names_behind_the_unified_prefix_and_become_legal_qdrant_names()
    {
        Assert.Equal("unified_chunks", QdrantCollectionNames.Chunks);
        Assert.Equal("unified_Entity_name", QdrantCollectionNames.ForDataPoints("Entity_name"));

        var odd = QdrantCollectionNames.ForDataPoints("my:Type/name");
        var plain = QdrantCollectionNames.ForDataPoints("my_Type_name");

        Assert.Matches("^unified_my_Type_name_[0-9a-f]{8}$", odd);
        Assert.Equal("unified_my_Type_name", plain);
        Assert.InRange(QdrantCollectionNames.ForDataPoints(new string('x', 400)).Length, 1, 255);
    }
}
