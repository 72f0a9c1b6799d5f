using System.Text;
using System.Text.Json;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// A small client for Qdrant's REST API (https://api.qdrant.tech/api-reference). Every write waits for Qdrant to
/// apply it (wait=true). Each method says what it asks of Qdrant; <see cref="QdrantTransport"/> sends it (with
/// retries of 429, 5xx and broken connections) and translates failures, <see cref="QdrantJson"/> writes and reads
/// the bodies.
/// </summary>
public sealed partial class QdrantHttpClient : IDisposable
{
    private readonly QdrantTransport _transport;
    private readonly QdrantClientOptions _options;

    public QdrantHttpClient(QdrantEndpoint endpoint, QdrantClientOptions? options = null)
    {
        _options = options ?? new QdrantClientOptions();
        if (_options.MaxAttempts < 1 || _options.MaxPointsPerRequest < 1 || _options.MaxBytesPerRequest < 1)
        {
            throw new MigrationException("QdrantOptionsInvalid", MigrationErrorKind.InvalidArgument,
                "MaxAttempts, MaxPointsPerRequest and MaxBytesPerRequest must each be at least 1.");
        }

        _transport = new QdrantTransport(endpoint, _options);
    }

    public QdrantEndpoint Endpoint => _transport.Endpoint;

    public void Dispose() => _transport.Dispose();

    /// <summary>GET /collections/{name}: the collection's vectors and point count, or null when it does not exist.</summary>
    public async Task<QdrantCollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, $"collections/{Escape(name)}", null,
            $"reading collection '{name}'", name, cancellationToken, notFoundIsNull: true);
        if (response is null)
        {
            return null;
        }

        try
        {
            var result = response.RootElement.GetProperty("result");
            var parameters = result.GetProperty("config").GetProperty("params");
            var dense = new Dictionary<string, QdrantDenseVectorConfig>(StringComparer.Ordinal);
            if (parameters.TryGetProperty("vectors", out var vectors) && vectors.ValueKind == JsonValueKind.Object)
            {
                if (vectors.TryGetProperty("size", out _))
                {
                    dense[""] = QdrantJson.ReadVectorParams(vectors);
                }
                else
                {
                    foreach (var vector in vectors.EnumerateObject())
                    {
                        dense[vector.Name] = QdrantJson.ReadVectorParams(vector.Value);
                    }
                }
            }

            var sparse = new List<string>();
            if (parameters.TryGetProperty("sparse_vectors", out var sparseVectors) && sparseVectors.ValueKind == JsonValueKind.Object)
            {
                sparse.AddRange(sparseVectors.EnumerateObject().Select(p => p.Name));
            }

            var count = result.TryGetProperty("points_count", out var points) && points.ValueKind == JsonValueKind.Number ? points.GetInt64() : 0;
            return new QdrantCollectionInfo(name, dense, sparse, count);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw _transport.Unexpected($"reading collection '{name}'", name, e);
        }
    }

    /// <summary>PUT /collections/{name} with one named dense vector and, optionally, one named sparse vector.</summary>
    public async Task CreateCollectionAsync(string name, string denseVectorName, int size, QdrantDistance distance, string? sparseVectorName,
        CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("vectors");
            w.WriteStartObject(denseVectorName);
            w.WriteNumber("size", size);
            w.WriteString("distance", distance.ToString());
            w.WriteEndObject();
            w.WriteEndObject();
            if (sparseVectorName is not null)
            {
                w.WriteStartObject("sparse_vectors");
                w.WriteStartObject(sparseVectorName);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
        using var response = await _transport.SendAsync(HttpMethod.Put, $"collections/{Escape(name)}", body, $"creating collection '{name}'", name, cancellationToken);
    }

    /// <summary>GET /collections: the names of every collection on the server.</summary>
    public async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        const string context = "listing collections";
        using var response = await _transport.SendAsync(HttpMethod.Get, "collections", null, context, Endpoint.Display, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").GetProperty("collections").EnumerateArray()
                .Select(c => c.GetProperty("name").GetString()!).ToList();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw _transport.Unexpected(context, Endpoint.Display, e);
        }
    }

    /// <summary>DELETE /collections/{name}.</summary>
    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(HttpMethod.Delete, $"collections/{Escape(name)}", null, $"deleting collection '{name}'", name, cancellationToken);
    }

    /// <summary>PUT /collections/{collection}/index?wait=true: an index on one payload field.</summary>
    public async Task CreatePayloadIndexAsync(string collection, string field, QdrantPayloadSchema schema, CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("field_name", field);
            w.WriteString("field_schema", schema.ToString().ToLowerInvariant());
            w.WriteEndObject();
        });
        var context = $"creating the payload index on '{field}' in collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/index?wait=true", body, context, collection, cancellationToken);
        _transport.EnsureCompleted(response, context, collection);
    }

    /// <summary>
    /// PUT /collections/{collection}/points?wait=true, in requests bounded by point count and approximate size.
    /// Upsert replaces points by id, so a retried request never duplicates anything.
    /// </summary>
    public async Task UpsertPointsAsync(string collection, IReadOnlyList<QdrantPoint> points, CancellationToken cancellationToken)
    {
        var batch = new List<(Guid Id, byte[] Json)>();
        var batchBytes = 0L;
        foreach (var point in points)
        {
            var json = QdrantJson.WritePoint(collection, point);
            if (batch.Count > 0 && (batch.Count >= _options.MaxPointsPerRequest || batchBytes + json.Length + 1 > _options.MaxBytesPerRequest))
            {
                await SendUpsertAsync(collection, batch, cancellationToken);
                batch.Clear();
                batchBytes = 0;
            }

            batch.Add((point.Id, json));
            batchBytes += json.Length + 1;
        }

        if (batch.Count > 0)
        {
            await SendUpsertAsync(collection, batch, cancellationToken);
        }
    }

    /// <summary>POST /collections/{collection}/points/scroll: one page in id order, from <paramref name="offset"/> on (inclusive).</summary>
    public async Task<QdrantScrollPage> ScrollAsync(string collection, Guid? offset, int limit, bool withVectors, QdrantFilter? filter,
        CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            if (offset is { } start)
            {
                w.WriteString("offset", start.ToString("D"));
            }

            w.WriteNumber("limit", limit);
            w.WriteBoolean("with_payload", true);
            w.WriteBoolean("with_vector", withVectors);
            QdrantJson.WriteFilter(w, filter);
            w.WriteEndObject();
        });
        var context = $"reading points of collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/scroll", body, context, collection, cancellationToken);
        try
        {
            var result = response!.RootElement.GetProperty("result");
            var page = result.GetProperty("points").EnumerateArray().Select(QdrantJson.ReadPoint).ToList();
            Guid? next = result.TryGetProperty("next_page_offset", out var n) && n.ValueKind != JsonValueKind.Null ? QdrantJson.ReadId(n) : null;
            return new QdrantScrollPage(page, next);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            throw _transport.Unexpected(context, collection, e);
        }
    }

    /// <summary>POST /collections/{collection}/points/count with exact=true.</summary>
    public async Task<long> CountAsync(string collection, QdrantFilter? filter, CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("exact", true);
            QdrantJson.WriteFilter(w, filter);
            w.WriteEndObject();
        });
        var context = $"counting points of collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/count", body, context, collection, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").GetProperty("count").GetInt64();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw _transport.Unexpected(context, collection, e);
        }
    }

    /// <summary>POST /collections/{collection}/points/delete?wait=true with a filter: every point whose payload field equals the value.</summary>
    public async Task DeletePointsByFilterAsync(string collection, string key, string value, CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            QdrantJson.WriteFilter(w, QdrantFilter.Match(key, value));
            w.WriteEndObject();
        });
        var context = $"deleting the points with {key} = '{value}' from collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/delete?wait=true", body, context, collection, cancellationToken);
        _transport.EnsureCompleted(response, context, collection);
    }

    /// <summary>POST /collections/{collection}/points/delete?wait=true with ids, in requests of at most MaxPointsPerRequest ids.</summary>
    public async Task DeletePointsAsync(string collection, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(_options.MaxPointsPerRequest))
        {
            var body = QdrantJson.WriteJson(w =>
            {
                w.WriteStartObject();
                QdrantJson.WriteIds(w, "points", chunk);
                w.WriteEndObject();
            });
            var context = $"deleting {chunk.Length} points from collection '{collection}', starting with point {chunk[0]}";
            using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/delete?wait=true", body, context, collection, cancellationToken);
            _transport.EnsureCompleted(response, context, collection);
        }
    }

    /// <summary>POST /collections/{collection}/snapshots?wait=true: a new snapshot on the server's disk.</summary>
    public async Task<QdrantSnapshot> CreateSnapshotAsync(string collection, CancellationToken cancellationToken)
    {
        var context = $"creating a snapshot of collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/snapshots?wait=true", null, context, collection, cancellationToken);
        try
        {
            return QdrantJson.ReadSnapshot(response!.RootElement.GetProperty("result"));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw _transport.Unexpected(context, collection, e);
        }
    }

    /// <summary>GET /collections/{collection}/snapshots.</summary>
    public async Task<IReadOnlyList<QdrantSnapshot>> ListSnapshotsAsync(string collection, CancellationToken cancellationToken)
    {
        var context = $"listing the snapshots of collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Get, $"collections/{Escape(collection)}/snapshots", null, context, collection, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").EnumerateArray().Select(QdrantJson.ReadSnapshot).ToList();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw _transport.Unexpected(context, collection, e);
        }
    }

    /// <summary>
    /// PUT /collections/{collection}/snapshots/recover?wait=true: replaces the collection's data with a snapshot
    /// (creating the collection when missing). <paramref name="location"/> is a URL or a file:// path inside the server's snapshots directory.
    /// </summary>
    public async Task RecoverSnapshotAsync(string collection, string location, CancellationToken cancellationToken)
    {
        var body = QdrantJson.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("location", location);
            w.WriteEndObject();
        });
        var context = $"recovering collection '{collection}' from snapshot {location}";
        using var response = await _transport.SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/snapshots/recover?wait=true", body, context, collection, cancellationToken);
    }

    /// <summary>DELETE /collections/{collection}/snapshots/{name}?wait=true.</summary>
    public async Task DeleteSnapshotAsync(string collection, string name, CancellationToken cancellationToken)
    {
        var context = $"deleting snapshot '{name}' of collection '{collection}'";
        using var response = await _transport.SendAsync(HttpMethod.Delete, $"collections/{Escape(collection)}/snapshots/{Escape(name)}?wait=true", null, context, collection,
            cancellationToken);
    }

    private async Task SendUpsertAsync(string collection, List<(Guid Id, byte[] Json)> batch, CancellationToken cancellationToken)
    {
        var size = batch.Sum(p => p.Json.Length + 1) + 16;
        var body = new byte[size];
        var span = body.AsSpan();
        var at = Encoding.UTF8.GetBytes("{\"points\":[", span);
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }

            batch[i].Json.CopyTo(span[at..]);
            at += batch[i].Json.Length;
        }

        at += Encoding.UTF8.GetBytes("]}", span[at..]);
        var context = $"upserting {batch.Count} points into collection '{collection}' (the request starting with point {batch[0].Id})";
        using var response = await _transport.SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/points?wait=true", body[..at], context, batch[0].Id, cancellationToken);
        _transport.EnsureCompleted(response, context, batch[0].Id);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
