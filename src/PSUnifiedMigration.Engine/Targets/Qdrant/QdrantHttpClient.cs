using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// A small client for Qdrant's REST API (https://api.qdrant.tech/api-reference). Every write waits for Qdrant to
/// apply it (wait=true). Requests answered with 429 or 5xx, and connections that break mid-request, are retried
/// with exponential backoff and jitter (or Retry-After) a bounded number of times. Every failure becomes a
/// MigrationException whose message never holds the API key.
/// </summary>
public sealed partial class QdrantHttpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly QdrantClientOptions _options;

    public QdrantHttpClient(QdrantEndpoint endpoint, QdrantClientOptions? options = null)
    {
        Endpoint = endpoint;
        _options = options ?? new QdrantClientOptions();
        if (_options.MaxAttempts < 1 || _options.MaxPointsPerRequest < 1 || _options.MaxBytesPerRequest < 1)
        {
            throw new MigrationException("QdrantOptionsInvalid", MigrationErrorKind.InvalidArgument,
                "MaxAttempts, MaxPointsPerRequest and MaxBytesPerRequest must each be at least 1.");
        }

        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = endpoint.Uri,
            Timeout = _options.RequestTimeout,
        };
    }

    public QdrantEndpoint Endpoint { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>GET /collections/{name}: the collection's vectors and point count, or null when it does not exist.</summary>
    public async Task<QdrantCollectionInfo?> GetCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"collections/{Escape(name)}", null,
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
                    dense[""] = ReadVectorParams(vectors);
                }
                else
                {
                    foreach (var vector in vectors.EnumerateObject())
                    {
                        dense[vector.Name] = ReadVectorParams(vector.Value);
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
            throw Unexpected($"reading collection '{name}'", name, e);
        }
    }

    /// <summary>PUT /collections/{name} with one named dense vector and, optionally, one named sparse vector.</summary>
    public async Task CreateCollectionAsync(string name, string denseVectorName, int size, QdrantDistance distance, string? sparseVectorName,
        CancellationToken cancellationToken)
    {
        var body = WriteJson(w =>
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
        using var response = await SendAsync(HttpMethod.Put, $"collections/{Escape(name)}", body, $"creating collection '{name}'", name, cancellationToken);
    }

    /// <summary>GET /collections: the names of every collection on the server.</summary>
    public async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        const string context = "listing collections";
        using var response = await SendAsync(HttpMethod.Get, "collections", null, context, Endpoint.Display, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").GetProperty("collections").EnumerateArray()
                .Select(c => c.GetProperty("name").GetString()!).ToList();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw Unexpected(context, Endpoint.Display, e);
        }
    }

    /// <summary>DELETE /collections/{name}.</summary>
    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"collections/{Escape(name)}", null, $"deleting collection '{name}'", name, cancellationToken);
    }

    /// <summary>PUT /collections/{collection}/index?wait=true: an index on one payload field.</summary>
    public async Task CreatePayloadIndexAsync(string collection, string field, QdrantPayloadSchema schema, CancellationToken cancellationToken)
    {
        var body = WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("field_name", field);
            w.WriteString("field_schema", schema.ToString().ToLowerInvariant());
            w.WriteEndObject();
        });
        var context = $"creating the payload index on '{field}' in collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/index?wait=true", body, context, collection, cancellationToken);
        EnsureCompleted(response, context, collection);
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
            var json = WritePoint(collection, point);
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
        var body = WriteJson(w =>
        {
            w.WriteStartObject();
            if (offset is { } start)
            {
                w.WriteString("offset", start.ToString("D"));
            }

            w.WriteNumber("limit", limit);
            w.WriteBoolean("with_payload", true);
            w.WriteBoolean("with_vector", withVectors);
            WriteFilter(w, filter);
            w.WriteEndObject();
        });
        var context = $"reading points of collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/scroll", body, context, collection, cancellationToken);
        try
        {
            var result = response!.RootElement.GetProperty("result");
            var page = result.GetProperty("points").EnumerateArray().Select(ReadPoint).ToList();
            Guid? next = result.TryGetProperty("next_page_offset", out var n) && n.ValueKind != JsonValueKind.Null ? ReadId(n) : null;
            return new QdrantScrollPage(page, next);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            throw Unexpected(context, collection, e);
        }
    }

    /// <summary>POST /collections/{collection}/points/count with exact=true.</summary>
    public async Task<long> CountAsync(string collection, QdrantFilter? filter, CancellationToken cancellationToken)
    {
        var body = WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("exact", true);
            WriteFilter(w, filter);
            w.WriteEndObject();
        });
        var context = $"counting points of collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/count", body, context, collection, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").GetProperty("count").GetInt64();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unexpected(context, collection, e);
        }
    }

    /// <summary>POST /collections/{collection}/points/delete?wait=true with a filter: every point whose payload field equals the value.</summary>
    public async Task DeletePointsByFilterAsync(string collection, string key, string value, CancellationToken cancellationToken)
    {
        var body = WriteJson(w =>
        {
            w.WriteStartObject();
            WriteFilter(w, QdrantFilter.Match(key, value));
            w.WriteEndObject();
        });
        var context = $"deleting the points with {key} = '{value}' from collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/delete?wait=true", body, context, collection, cancellationToken);
        EnsureCompleted(response, context, collection);
    }

    /// <summary>POST /collections/{collection}/points/delete?wait=true with ids, in requests of at most MaxPointsPerRequest ids.</summary>
    public async Task DeletePointsAsync(string collection, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(_options.MaxPointsPerRequest))
        {
            var body = WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("points");
                foreach (var id in chunk)
                {
                    w.WriteStringValue(id.ToString("D"));
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            var context = $"deleting {chunk.Length} points from collection '{collection}', starting with point {chunk[0]}";
            using var response = await SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points/delete?wait=true", body, context, collection, cancellationToken);
            EnsureCompleted(response, context, collection);
        }
    }

    /// <summary>POST /collections/{collection}/snapshots?wait=true: a new snapshot on the server's disk.</summary>
    public async Task<QdrantSnapshot> CreateSnapshotAsync(string collection, CancellationToken cancellationToken)
    {
        var context = $"creating a snapshot of collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/snapshots?wait=true", null, context, collection, cancellationToken);
        try
        {
            return ReadSnapshot(response!.RootElement.GetProperty("result"));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unexpected(context, collection, e);
        }
    }

    /// <summary>GET /collections/{collection}/snapshots.</summary>
    public async Task<IReadOnlyList<QdrantSnapshot>> ListSnapshotsAsync(string collection, CancellationToken cancellationToken)
    {
        var context = $"listing the snapshots of collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Get, $"collections/{Escape(collection)}/snapshots", null, context, collection, cancellationToken);
        try
        {
            return response!.RootElement.GetProperty("result").EnumerateArray().Select(ReadSnapshot).ToList();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Unexpected(context, collection, e);
        }
    }

    /// <summary>
    /// PUT /collections/{collection}/snapshots/recover?wait=true: replaces the collection's data with a snapshot
    /// (creating the collection when missing). <paramref name="location"/> is a URL or a file:// path inside the server's snapshots directory.
    /// </summary>
    public async Task RecoverSnapshotAsync(string collection, string location, CancellationToken cancellationToken)
    {
        var body = WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("location", location);
            w.WriteEndObject();
        });
        var context = $"recovering collection '{collection}' from snapshot {location}";
        using var response = await SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/snapshots/recover?wait=true", body, context, collection, cancellationToken);
    }

    /// <summary>DELETE /collections/{collection}/snapshots/{name}?wait=true.</summary>
    public async Task DeleteSnapshotAsync(string collection, string name, CancellationToken cancellationToken)
    {
        var context = $"deleting snapshot '{name}' of collection '{collection}'";
        using var response = await SendAsync(HttpMethod.Delete, $"collections/{Escape(collection)}/snapshots/{Escape(name)}?wait=true", null, context, collection,
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
        using var response = await SendAsync(HttpMethod.Put, $"collections/{Escape(collection)}/points?wait=true", body[..at], context, batch[0].Id, cancellationToken);
        EnsureCompleted(response, context, batch[0].Id);
    }

    /// <summary>
    /// Sends one request, retrying what may succeed later, and returns the parsed JSON body of a 2xx answer
    /// (null for a 404 when <paramref name="notFoundIsNull"/>).
    /// </summary>
    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, byte[]? body, string context, object target,
        CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new("application/json");
            }

            if (Endpoint.RevealApiKey() is { } key)
            {
                request.Headers.TryAddWithoutValidation("api-key", key);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (SocketErrors.Find(e) is SocketError socket and (SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData))
            {
                throw new MigrationException("QdrantUnreachable", MigrationErrorKind.ConnectionError,
                    $"Cannot reach Qdrant at {Endpoint.Display} ({SocketErrors.Describe(socket)}) while {context}. " +
                    "Check that the server is running, that the address is right, and that no firewall blocks the port.", Endpoint.Redacted, e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A connection that broke mid-request, or a request that timed out: the write may or may not have landed,
                // and every request this client sends can be repeated safely.
                if (attempt < _options.MaxAttempts)
                {
                    await Task.Delay(Backoff(attempt, null), cancellationToken);
                    continue;
                }

                var timedOut = e is OperationCanceledException;
                throw new MigrationException(timedOut ? "QdrantTimeout" : "QdrantConnectionLost", MigrationErrorKind.ConnectionError,
                    $"Qdrant at {Endpoint.Display} {(timedOut ? $"did not answer within {_options.RequestTimeout.TotalSeconds:0} s" : "dropped the connection")} " +
                    $"while {context}, {attempt} times in a row. Check the server's health and load, then run again.", target, e);
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        return JsonDocument.Parse(text);
                    }
                    catch (JsonException e)
                    {
                        throw Unexpected(context, target, e);
                    }
                }

                var status = (int)response.StatusCode;
                if (status == 404 && notFoundIsNull)
                {
                    return null;
                }

                if ((status == 429 || status >= 500) && attempt < _options.MaxAttempts)
                {
                    await Task.Delay(Backoff(attempt, response.Headers.RetryAfter), cancellationToken);
                    continue;
                }

                throw Failure(status, ErrorDetail(text), context, target, attempt);
            }
        }
    }

    private TimeSpan Backoff(int attempt, System.Net.Http.Headers.RetryConditionHeaderValue? retryAfter)
    {
        var wanted = retryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        if (wanted is { } serverDelay)
        {
            return serverDelay <= TimeSpan.Zero ? TimeSpan.Zero : serverDelay < _options.MaxDelay ? serverDelay : _options.MaxDelay;
        }

        // Exponential backoff with "equal jitter": half of the step is fixed, half random, so that many writers spread out.
        var step = _options.InitialDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        step = Math.Min(step, _options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
    }

    private MigrationException Failure(int status, string detail, string context, object target, int attempts)
    {
        var tried = attempts > 1 ? $" after {attempts} attempts" : "";
        var what = $"Qdrant at {Endpoint.Display} answered {status} while {context}{tried}: {detail}";
        return status switch
        {
            401 or 403 => new MigrationException("QdrantAuthenticationFailed", MigrationErrorKind.AuthenticationError,
                $"{what}. {(Endpoint.HasApiKey ? "The API key was not accepted" : "No API key was given")}: check -QdrantApiKey.", Endpoint.Redacted),
            404 => new MigrationException("QdrantNotFound", MigrationErrorKind.ObjectNotFound, what + ".", target),
            400 or 422 => new MigrationException("QdrantRequestRejected", MigrationErrorKind.InvalidData, what + ".", target),
            429 => new MigrationException("QdrantRateLimited", MigrationErrorKind.ResourceBusy,
                $"{what}. Lower the batch size or the server's load, then run again.", target),
            >= 500 => new MigrationException("QdrantServerError", MigrationErrorKind.ConnectionError,
                $"{what}. Check the server's health and log, then run again.", target),
            _ => new MigrationException("QdrantRequestFailed", MigrationErrorKind.InvalidOperation, what + ".", target),
        };
    }

    private MigrationException Unexpected(string context, object target, Exception e) =>
        new("QdrantUnexpectedResponse", MigrationErrorKind.InvalidData,
            $"Qdrant at {Endpoint.Display} sent an answer this tool does not understand while {context} ({e.Message}). " +
            "Check that the address points to a Qdrant server's REST port (6333 by default).", target, e);

    /// <summary>With wait=true a write answers 'completed'; anything else means it is not applied yet.</summary>
    private void EnsureCompleted(JsonDocument? response, string context, object target)
    {
        var status = response is not null
                     && response.RootElement.TryGetProperty("result", out var result)
                     && result.ValueKind == JsonValueKind.Object
                     && result.TryGetProperty("status", out var s)
            ? s.GetString()
            : null;
        if (status != "completed")
        {
            throw new MigrationException("QdrantWriteNotCompleted", MigrationErrorKind.InvalidOperation,
                $"Qdrant at {Endpoint.Display} did not confirm {context} as completed (status '{status ?? "none"}'). " +
                "The server may be overloaded; run again.", target);
        }
    }

    /// <summary>Qdrant's status.error, or the start of a body that is not Qdrant's JSON (401/403 answers are plain text).</summary>
    private string ErrorDetail(string body)
    {
        var detail = body.Trim();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("status", out var status)
                && status.ValueKind == JsonValueKind.Object
                && status.TryGetProperty("error", out var error))
            {
                detail = error.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
        }

        if (detail.Length > 500)
        {
            detail = detail[..500] + "...";
        }

        // A proxy in front of Qdrant might echo request headers; never let the key through.
        if (Endpoint.RevealApiKey() is { Length: > 0 } key)
        {
            detail = detail.Replace(key, "********", StringComparison.Ordinal);
        }

        return detail.Length == 0 ? "(no details)" : detail;
    }

    private static byte[] WritePoint(string collection, QdrantPoint point) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", point.Id.ToString("D"));
        w.WriteStartObject("vector");
        foreach (var (name, values) in point.DenseVectors)
        {
            w.WriteStartArray(name);
            foreach (var value in values)
            {
                WriteFinite(w, value, collection, point.Id, name);
            }

            w.WriteEndArray();
        }

        foreach (var (name, sparse) in point.SparseVectors)
        {
            if (sparse.Indices.Length != sparse.Values.Length)
            {
                throw new MigrationException("QdrantSparseVectorInvalid", MigrationErrorKind.InvalidData,
                    $"Point {point.Id} for collection '{collection}': sparse vector '{name}' has {sparse.Indices.Length} indices but {sparse.Values.Length} values.",
                    point.Id);
            }

            w.WriteStartObject(name);
            w.WriteStartArray("indices");
            foreach (var index in sparse.Indices)
            {
                w.WriteNumberValue(index);
            }

            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (var value in sparse.Values)
            {
                WriteFinite(w, value, collection, point.Id, name);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WritePropertyName("payload");
        point.Payload.WriteTo(w);
        w.WriteEndObject();
    });

    private static void WriteFinite(Utf8JsonWriter writer, float value, string collection, Guid id, string vector)
    {
        if (!float.IsFinite(value))
        {
            // JSON has no NaN or Infinity; say which point instead of failing inside the serializer.
            throw new MigrationException("QdrantVectorNotFinite", MigrationErrorKind.InvalidData,
                $"Point {id} for collection '{collection}': vector '{vector}' holds {value.ToString(CultureInfo.InvariantCulture)}, which Qdrant cannot store.", id);
        }

        writer.WriteNumberValue(value);
    }

    private static void WriteFilter(Utf8JsonWriter writer, QdrantFilter? filter)
    {
        if (filter is null)
        {
            return;
        }

        writer.WriteStartObject("filter");
        writer.WriteStartArray("must");
        foreach (var (key, value) in filter.MustMatch)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteStartObject("match");
            writer.WriteString("value", value);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static QdrantPoint ReadPoint(JsonElement element)
    {
        var dense = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var sparse = new Dictionary<string, QdrantSparseVector>(StringComparer.Ordinal);
        if (element.TryGetProperty("vector", out var vector))
        {
            switch (vector.ValueKind)
            {
                case JsonValueKind.Array:
                    dense[""] = ReadFloats(vector);
                    break;
                case JsonValueKind.Object:
                    foreach (var named in vector.EnumerateObject())
                    {
                        if (named.Value.ValueKind == JsonValueKind.Array)
                        {
                            dense[named.Name] = ReadFloats(named.Value);
                        }
                        else
                        {
                            sparse[named.Name] = new QdrantSparseVector(
                                named.Value.GetProperty("indices").EnumerateArray().Select(i => i.GetUInt32()).ToArray(),
                                ReadFloats(named.Value.GetProperty("values")));
                        }
                    }

                    break;
            }
        }

        var payload = element.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(p.GetRawText())!.AsObject()
            : new JsonObject();
        return new QdrantPoint(ReadId(element.GetProperty("id")), dense, sparse, payload);
    }

    private static Guid ReadId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var guid)
            ? guid
            : throw new FormatException($"point id {id.GetRawText()} is not a UUID, so the point was not written by this tool");

    private static float[] ReadFloats(JsonElement array)
    {
        var values = new float[array.GetArrayLength()];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            values[i++] = value.GetSingle();
        }

        return values;
    }

    private static QdrantDenseVectorConfig ReadVectorParams(JsonElement element) =>
        new(element.GetProperty("size").GetInt32(), Enum.Parse<QdrantDistance>(element.GetProperty("distance").GetString()!));

    private static QdrantSnapshot ReadSnapshot(JsonElement element)
    {
        DateTimeOffset? created = element.TryGetProperty("creation_time", out var time) && time.ValueKind == JsonValueKind.String
            // Qdrant gives UTC without an offset (a "partial-date-time").
            ? DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
        return new QdrantSnapshot(element.GetProperty("name").GetString()!, element.GetProperty("size").GetInt64(), created);
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
