using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.TestSupport;

/// <summary>One request the fake received, and the status it answered (0 when it dropped the connection).</summary>
public sealed record QdrantWireRequest(string Method, string Path, string Query, string? ApiKey, string? ContentType, string Body, int Status);

/// <summary>
/// A checking fake of Qdrant's REST API on 127.0.0.1, because no real Qdrant can run on the machines without
/// Docker. It implements only the routes the unified store uses, validates each request against the shapes
/// documented at https://api.qdrant.tech/api-reference (method, path, wait=true on point and index writes,
/// the api-key header, JSON bodies, vector names and dimensions, UUID point ids) and answers a malformed one
/// with 400 and Qdrant's error body. Points live in memory per collection, upserted by id. It records every
/// request and can be told to fail or drop the next upserts. The real server is exercised by QdrantContainerTests.
/// </summary>
public sealed partial class QdrantWireListener : IDisposable
{
    /// <summary>The snapshots directory this fake pretends to have; file:// recover locations must lie inside it.</summary>
    public const string SnapshotsPath = "/qdrant/snapshots";

    private static readonly string[] Distances = ["Cosine", "Euclid", "Dot", "Manhattan"];
    private static readonly string[] PayloadSchemas = ["keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"];

    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly List<QdrantWireRequest> _requests = [];
    private readonly Dictionary<string, Collection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Collection, string Name), (Collection Copy, DateTime Created, long Size)> _snapshots = [];
    private readonly Queue<UpsertFailure> _upsertFailures = new();
    private long _operationId;

    private QdrantWireListener(HttpListener listener, Uri uri, string? apiKey)
    {
        _listener = listener;
        Uri = uri;
        ApiKey = apiKey;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Uri { get; }

    /// <summary>The key every request must carry in its api-key header; null when the fake needs none.</summary>
    public string? ApiKey { get; }

    public IReadOnlyList<QdrantWireRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public static QdrantWireListener Start(string? apiKey = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new QdrantWireListener(listener, new Uri($"http://127.0.0.1:{port}/"), apiKey);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between probing and binding; try another.
                listener.Close();
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> upserts answer <paramref name="statusCode"/> (with Retry-After when given).
    /// With <paramref name="afterApplying"/>, the points are stored first, as when an answer is lost on the way back.
    /// </summary>
    public void FailNextUpserts(int count, int statusCode, int? retryAfterSeconds = null, bool afterApplying = false)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _upsertFailures.Enqueue(new UpsertFailure(statusCode, retryAfterSeconds, afterApplying));
            }
        }
    }

    /// <summary>The next <paramref name="count"/> upserts get no answer: the connection is closed mid-request.</summary>
    public void DropNextUpserts(int count, bool afterApplying = false) => FailNextUpserts(count, 0, null, afterApplying);

    /// <summary>How many points the collection holds now (for assertions that must not go through the client).</summary>
    public int PointCount(string collection)
    {
        lock (_gate)
        {
            return _collections.TryGetValue(collection, out var c) ? c.Points.Count : 0;
        }
    }

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var apiKey = request.Headers["api-key"];
        var path = request.Url!.AbsolutePath;
        Reply reply;
        lock (_gate)
        {
            reply = Route(request.HttpMethod, path, request.QueryString, apiKey, request.ContentType, body);
            _requests.Add(new QdrantWireRequest(request.HttpMethod, path, request.Url.Query, apiKey, request.ContentType, body, reply.Status));
        }

        try
        {
            if (reply.Status == 0)
            {
                // Promise a body, send part of it, then cut the connection: the client sees the answer end early.
                context.Response.ContentLength64 = 1 << 16;
                await context.Response.OutputStream.WriteAsync("{\"result\":"u8.ToArray());
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                return;
            }

            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.Json ? "application/json" : "text/plain";
            if (reply.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers["Retry-After"] = seconds.ToString();
            }

            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
            // The client went away; nothing to answer.
        }
    }

    private Reply Route(string method, string path, System.Collections.Specialized.NameValueCollection query, string? apiKey, string? contentType, string body)
    {
        // Qdrant answers authentication failures in plain text: 401 without a key, 403 with a wrong one.
        if (ApiKey is not null && apiKey is null)
        {
            return new Reply(401, "Must provide an API key or an Authorization bearer token", Json: false);
        }

        if (ApiKey is not null && apiKey != ApiKey)
        {
            return new Reply(403, "Invalid API key or JWT", Json: false);
        }

        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (method == "GET" && segments is ["collections"])
        {
            // GET /collections answers {"result": {"collections": [{"name": ...}]}}.
            return Ok(new JsonObject { ["collections"] = new JsonArray([.. _collections.Keys.Order(StringComparer.Ordinal).Select(n => new JsonObject { ["name"] = n })]) });
        }

        if (segments.Length < 2 || segments[0] != "collections")
        {
            return Error(404, $"Not found: no route {method} {path}");
        }

        JsonObject? json = null;
        if (body.Length > 0)
        {
            if (contentType is null || !contentType.StartsWith("application/json", StringComparison.Ordinal))
            {
                return Error(400, $"Content type must be application/json, got '{contentType}'");
            }

            try
            {
                json = JsonNode.Parse(body) as JsonObject;
            }
            catch (JsonException e)
            {
                return Error(400, $"Format error in JSON body: {e.Message}");
            }

            if (json is null)
            {
                return Error(400, "Format error in JSON body: expected an object");
            }
        }

        var name = segments[1];
        var route = string.Join('/', segments.Skip(2));
        var waits = query["wait"] == "true";
        try
        {
            return (method, route) switch
            {
                ("GET", "") => GetCollection(name),
                ("PUT", "") => CreateCollection(name, Require(json)),
                ("DELETE", "") => Ok(_collections.Remove(name)),
                ("PUT", "index") => RequireWait(waits) ?? CreateIndex(name, Require(json)),
                ("PUT", "points") => RequireWait(waits) ?? Upsert(name, Require(json)),
                ("POST", "points/scroll") => Scroll(name, json ?? []),
                ("POST", "points/count") => Count(name, json ?? []),
                ("POST", "points/delete") => RequireWait(waits) ?? Delete(name, Require(json)),
                ("POST", "snapshots") => CreateSnapshot(name),
                ("GET", "snapshots") => ListSnapshots(name),
                ("PUT", "snapshots/recover") => Recover(name, Require(json)),
                ("DELETE", _) when segments.Length == 4 && segments[2] == "snapshots" => DeleteSnapshot(name, segments[3]),
                _ => Error(404, $"Not found: no route {method} {path}"),
            };
        }
        catch (BadRequest e)
        {
            return Error(e.Status, e.Message);
        }
    }

    private Reply GetCollection(string name)
    {
        var collection = Find(name);
        var vectors = collection.Dense.TryGetValue("", out var unnamed)
            ? VectorParams(unnamed)
            : new JsonObject(collection.Dense.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)VectorParams(d.Value))));
        var parameters = new JsonObject { ["vectors"] = vectors, ["shard_number"] = 1, ["replication_factor"] = 1 };
        if (collection.Sparse.Count > 0)
        {
            parameters["sparse_vectors"] = new JsonObject(collection.Sparse.Select(s => KeyValuePair.Create(s, (JsonNode?)SparseParams(name, s))));
        }

        var schema = new JsonObject(collection.Indexes.Select(i => KeyValuePair.Create(i.Key,
            (JsonNode?)new JsonObject { ["data_type"] = i.Value, ["points"] = collection.Points.Count })));
        return Ok(new JsonObject
        {
            ["status"] = "green",
            ["optimizer_status"] = "ok",
            ["indexed_vectors_count"] = 0,
            ["points_count"] = collection.Points.Count,
            ["segments_count"] = 1,
            ["config"] = new JsonObject
            {
                ["params"] = parameters,
                ["hnsw_config"] = new JsonObject { ["m"] = 16, ["ef_construct"] = 100, ["full_scan_threshold"] = 10000 },
                ["optimizer_config"] = new JsonObject(),
                ["wal_config"] = new JsonObject(),
            },
            ["payload_schema"] = schema,
        });
    }

    private Reply CreateCollection(string name, JsonObject body)
    {
        if (name.Length is 0 or > 255 || name.IndexOfAny(['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\u001f']) >= 0)
        {
            return Error(422, $"Validation error in path parameters: [name: collection name '{name}' is not valid]");
        }

        AllowOnly(body, "CreateCollection", "vectors", "sparse_vectors");
        if (_collections.ContainsKey(name))
        {
            return Error(409, $"Wrong input: Collection `{name}` already exists!");
        }

        var collection = new Collection();
        if (body["vectors"] is JsonObject vectors)
        {
            if (vectors.ContainsKey("size"))
            {
                collection.Dense[""] = ReadVectorParams(vectors, "vectors");
            }
            else
            {
                foreach (var (vectorName, value) in vectors)
                {
                    collection.Dense[vectorName] = ReadVectorParams(value as JsonObject ?? throw new BadRequest($"vectors.{vectorName}: expected VectorParams"), $"vectors.{vectorName}");
                }
            }
        }
        else if (body.ContainsKey("vectors"))
        {
            throw new BadRequest("vectors: expected an object");
        }

        if (body["sparse_vectors"] is JsonObject sparse)
        {
            foreach (var (vectorName, value) in sparse)
            {
                var parameters = value as JsonObject ?? throw new BadRequest($"sparse_vectors.{vectorName}: expected SparseVectorParams");
                AllowOnly(parameters, "SparseVectorParams", "index", "modifier");
                RememberSparseModifier(name, vectorName, parameters);
                collection.Sparse.Add(vectorName);
            }
        }
        else if (body.ContainsKey("sparse_vectors"))
        {
            throw new BadRequest("sparse_vectors: expected an object");
        }

        _collections[name] = collection;
        return Ok(true);
    }

    private Reply CreateIndex(string name, JsonObject body)
    {
        var collection = Find(name);
        AllowOnly(body, "CreateFieldIndex", "field_name", "field_schema");
        var field = body["field_name"]?.GetValueKind() == JsonValueKind.String ? body["field_name"]!.GetValue<string>() : throw new BadRequest("field_name: expected a string");
        var schema = body["field_schema"]?.GetValueKind() == JsonValueKind.String ? body["field_schema"]!.GetValue<string>() : null;
        if (schema is null || !PayloadSchemas.Contains(schema))
        {
            throw new BadRequest($"field_schema: expected one of {string.Join(", ", PayloadSchemas)}");
        }

        collection.Indexes[field] = schema;
        return Completed();
    }

    private Reply Upsert(string name, JsonObject body)
    {
        var collection = Find(name);
        AllowOnly(body, "PointsList", "points");
        var points = body["points"] as JsonArray ?? throw new BadRequest("points: expected an array of PointStruct");
        var parsed = new List<(string Id, JsonObject Vector, JsonObject Payload)>();
        foreach (var node in points)
        {
            var point = node as JsonObject ?? throw new BadRequest("points: expected PointStruct objects");
            AllowOnly(point, "PointStruct", "id", "vector", "payload");
            var id = ReadPointId(point["id"]);
            var vector = point["vector"] as JsonObject ?? throw new BadRequest($"point {id}: vector must be an object of named vectors");
            foreach (var (vectorName, value) in vector)
            {
                CheckVector(collection, id, vectorName, value);
            }

            var payload = point["payload"] switch
            {
                null => new JsonObject(),
                JsonObject o => (JsonObject)o.DeepClone(),
                _ => throw new BadRequest($"point {id}: payload must be an object"),
            };
            parsed.Add((id, (JsonObject)vector.DeepClone(), payload));
        }

        var failure = _upsertFailures.Count > 0 ? _upsertFailures.Dequeue() : null;
        if (failure is null || failure.AfterApplying)
        {
            foreach (var (id, vector, payload) in parsed)
            {
                collection.Points[id] = new StoredPoint(vector, payload);
            }
        }

        return failure is null
            ? Completed()
            : failure.Status == 0
                ? new Reply(0, "")
                : Error(failure.Status, failure.Status == 429 ? "Too many requests: rate limit exceeded" : "Service internal error: injected failure",
                    failure.RetryAfterSeconds);
    }

    private Reply Scroll(string name, JsonObject body)
    {
        var collection = Find(name);
        AllowOnly(body, "ScrollRequest", "offset", "limit", "filter", "with_payload", "with_vector", "with_vectors");
        var offset = body["offset"] is null ? null : ReadPointId(body["offset"]);
        var limit = ReadLimit(body["limit"]);
        var withPayload = ReadFlag(body["with_payload"], "with_payload", true);
        var vectorNames = ReadVectorSelector(collection, body["with_vector"] ?? body["with_vectors"]);
        var filter = CompileFilter(body["filter"]);
        var matching = collection.Points.Where(p => (offset is null || string.CompareOrdinal(p.Key, offset) >= 0) && filter(p.Value.Payload)).Take(limit + 1).ToList();
        var page = new JsonArray();
        foreach (var (id, point) in matching.Take(limit))
        {
            var record = new JsonObject { ["id"] = id };
            if (withPayload)
            {
                record["payload"] = point.Payload.DeepClone();
            }

            if (vectorNames is not null)
            {
                record["vector"] = SelectVectors(collection, point, vectorNames);
            }

            page.Add(record);
        }

        return Ok(new JsonObject { ["points"] = page, ["next_page_offset"] = matching.Count > limit ? matching[limit].Key : null });
    }

    private Reply Count(string name, JsonObject body)
    {
        var collection = Find(name);
        AllowOnly(body, "CountRequest", "filter", "exact");
        if (body["exact"] is { } exact && exact.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new BadRequest("exact: expected a boolean");
        }

        var filter = CompileFilter(body["filter"]);
        return Ok(new JsonObject { ["count"] = collection.Points.Values.Count(p => filter(p.Payload)) });
    }

    private Reply Delete(string name, JsonObject body)
    {
        var collection = Find(name);
        if (body.ContainsKey("filter"))
        {
            AllowOnly(body, "FilterSelector", "filter");
            var filter = CompileFilter(body["filter"]);
            foreach (var id in collection.Points.Where(p => filter(p.Value.Payload)).Select(p => p.Key).ToList())
            {
                collection.Points.Remove(id);
            }
        }
        else
        {
            AllowOnly(body, "PointIdsList", "points");
            var ids = body["points"] as JsonArray ?? throw new BadRequest("expected a PointIdsList or a FilterSelector");
            foreach (var id in ids.Select(ReadPointId).ToList())
            {
                collection.Points.Remove(id);
            }
        }

        return Completed();
    }

    private Reply CreateSnapshot(string name)
    {
        var collection = Find(name);
        var created = DateTime.UtcNow;
        var snapshot = $"{name}-{++_operationId}-{created:yyyy-MM-dd-HH-mm-ss}.snapshot";
        var size = collection.Points.Sum(p => (long)(p.Value.Vector.ToJsonString().Length + p.Value.Payload.ToJsonString().Length));
        _snapshots[(name, snapshot)] = (collection.Clone(), created, size);
        return Ok(Describe(snapshot, created, size));
    }

    private Reply ListSnapshots(string name)
    {
        Find(name);
        return Ok(new JsonArray(_snapshots.Where(s => s.Key.Collection == name)
            .Select(s => (JsonNode?)Describe(s.Key.Name, s.Value.Created, s.Value.Size)).ToArray()));
    }

    private Reply Recover(string name, JsonObject body)
    {
        AllowOnly(body, "SnapshotRecover", "location", "priority", "checksum", "api_key");
        var location = body["location"]?.GetValueKind() == JsonValueKind.String ? body["location"]!.GetValue<string>() : throw new BadRequest("location: expected a URI");
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Scheme != "file")
        {
            throw new BadRequest($"location: this fake recovers only file:// snapshots, got '{location}'");
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var parts = path.StartsWith(SnapshotsPath + "/", StringComparison.Ordinal) ? path[(SnapshotsPath.Length + 1)..].Split('/') : [];
        if (parts.Length != 2)
        {
            throw new BadRequest($"Snapshot file path must be inside the snapshots directory \"{SnapshotsPath}\"");
        }

        if (!_snapshots.TryGetValue((parts[0], parts[1]), out var snapshot))
        {
            return Error(404, $"Not found: Snapshot file {path} does not exist");
        }

        _collections[name] = snapshot.Copy.Clone();
        return Ok(true);
    }

    private Reply DeleteSnapshot(string name, string snapshot)
    {
        Find(name);
        return _snapshots.Remove((name, snapshot)) ? Ok(true) : Error(404, $"Not found: Snapshot {snapshot} not found");
    }

    private Collection Find(string name) =>
        _collections.TryGetValue(name, out var collection) ? collection : throw new BadRequest($"Not found: Collection `{name}` doesn't exist!", 404);

    private static void CheckVector(Collection collection, string id, string vectorName, JsonNode? value)
    {
        if (collection.Dense.TryGetValue(vectorName, out var dense))
        {
            var values = value as JsonArray ?? throw new BadRequest($"point {id}: dense vector '{vectorName}' must be an array of numbers");
            if (values.Any(v => v?.GetValueKind() != JsonValueKind.Number))
            {
                throw new BadRequest($"point {id}: dense vector '{vectorName}' must hold numbers only");
            }

            if (values.Count != dense.Size)
            {
                throw new BadRequest($"Wrong input: Vector dimension error: expected dim: {dense.Size}, got {values.Count}");
            }
        }
        else if (collection.Sparse.Contains(vectorName))
        {
            var sparse = value as JsonObject ?? throw new BadRequest($"point {id}: sparse vector '{vectorName}' must be {{indices, values}}");
            AllowOnly(sparse, "SparseVector", "indices", "values");
            var indices = sparse["indices"] as JsonArray ?? throw new BadRequest($"point {id}: sparse vector '{vectorName}' needs indices");
            var numbers = sparse["values"] as JsonArray ?? throw new BadRequest($"point {id}: sparse vector '{vectorName}' needs values");
            if (indices.Count != numbers.Count)
            {
                throw new BadRequest($"Validation error in JSON body: [points[].vector.{vectorName}: must be the same length as indices]");
            }

            var seen = new HashSet<long>();
            foreach (var index in indices)
            {
                if (index?.GetValueKind() != JsonValueKind.Number || !index.AsValue().TryGetValue<long>(out var i) || i is < 0 or > uint.MaxValue || !seen.Add(i))
                {
                    throw new BadRequest($"point {id}: sparse vector '{vectorName}' indices must be distinct unsigned 32-bit integers");
                }
            }

            if (numbers.Any(v => v?.GetValueKind() != JsonValueKind.Number))
            {
                throw new BadRequest($"point {id}: sparse vector '{vectorName}' values must be numbers");
            }
        }
        else
        {
            throw new BadRequest($"Wrong input: Not existing vector name error: {vectorName}");
        }
    }

    /// <summary>The filter subset the store sends: must = [{key, match: {value}}]; anything else is refused rather than guessed.</summary>
    private static Func<JsonObject, bool> CompileFilter(JsonNode? node)
    {
        if (node is null)
        {
            return _ => true;
        }

        var filter = node as JsonObject ?? throw new BadRequest("filter: expected a Filter object");
        AllowOnly(filter, "Filter (this fake supports only 'must')", "must");
        var conditions = filter["must"] switch
        {
            JsonArray array => array.ToList(),
            JsonObject single => [single],
            _ => throw new BadRequest("filter.must: expected a condition or an array of conditions"),
        };
        var tests = new List<(string Key, JsonNode Value)>();
        foreach (var condition in conditions)
        {
            var field = condition as JsonObject ?? throw new BadRequest("filter.must: expected FieldCondition objects");
            AllowOnly(field, "FieldCondition (this fake supports only key + match)", "key", "match");
            var key = field["key"]?.GetValueKind() == JsonValueKind.String ? field["key"]!.GetValue<string>() : throw new BadRequest("FieldCondition.key: expected a string");
            var match = field["match"] as JsonObject ?? throw new BadRequest("FieldCondition.match: expected a MatchValue");
            AllowOnly(match, "Match (this fake supports only MatchValue)", "value");
            var value = match["value"];
            if (value?.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                throw new BadRequest("MatchValue.value: expected a string, integer or boolean");
            }

            tests.Add((key, value!));
        }

        return payload => tests.All(t => payload[t.Key] switch
        {
            JsonArray values => values.Any(v => JsonNode.DeepEquals(v, t.Value)),
            var v => JsonNode.DeepEquals(v, t.Value),
        });
    }

    private static string ReadPointId(JsonNode? node)
    {
        if (node?.GetValueKind() == JsonValueKind.String && Guid.TryParse(node.GetValue<string>(), out var id))
        {
            // Qdrant answers with the hyphenated lower-case form whatever form was sent.
            return id.ToString("D");
        }

        throw new BadRequest($"Format error in JSON body: point id {node?.ToJsonString() ?? "null"} is not a UUID (this fake takes UUID ids only)");
    }

    private static QdrantVector ReadVectorParams(JsonObject node, string where)
    {
        AllowOnly(node, "VectorParams", "size", "distance", "hnsw_config", "quantization_config", "on_disk", "datatype", "multivector_config");
        var size = node["size"]?.GetValueKind() == JsonValueKind.Number && node["size"]!.AsValue().TryGetValue<int>(out var s) && s >= 1
            ? s
            : throw new BadRequest($"{where}.size: expected an integer of at least 1");
        var distance = node["distance"]?.GetValueKind() == JsonValueKind.String ? node["distance"]!.GetValue<string>() : null;
        if (distance is null || !Distances.Contains(distance))
        {
            throw new BadRequest($"{where}.distance: expected one of {string.Join(", ", Distances)}");
        }

        return new QdrantVector(size, distance);
    }

    private static int ReadLimit(JsonNode? node) =>
        node is null ? 10
        : node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var limit) && limit >= 1 ? limit
        : throw new BadRequest("limit: expected an integer of at least 1");

    private static bool ReadFlag(JsonNode? node, string name, bool absent) => node?.GetValueKind() switch
    {
        null => absent,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new BadRequest($"{name}: this fake takes a boolean"),
    };

    private static void AllowOnly(JsonObject node, string type, params string[] keys)
    {
        foreach (var (key, _) in node)
        {
            if (!keys.Contains(key))
            {
                throw new BadRequest($"Format error in JSON body: unknown field `{key}` of {type}, expected one of {string.Join(", ", keys)}");
            }
        }
    }

    private static JsonObject Require(JsonObject? body) => body ?? throw new BadRequest("Format error in JSON body: EOF while parsing a value");

    private static Reply? RequireWait(bool waits) =>
        waits ? null : Error(400, "This fake requires wait=true on point and index writes: the store must not return before Qdrant applied them");

    private static JsonObject VectorParams(QdrantVector vector) => new() { ["size"] = vector.Size, ["distance"] = vector.Distance };

    private static JsonObject Describe(string name, DateTime created, long size) =>
        new() { ["name"] = name, ["creation_time"] = created.ToString("yyyy-MM-ddTHH:mm:ss"), ["size"] = size, ["checksum"] = null };

    private Reply Completed() => Ok(new JsonObject { ["operation_id"] = ++_operationId, ["status"] = "completed" });

    private static Reply Ok(JsonNode result) =>
        new(200, new JsonObject { ["result"] = result, ["status"] = "ok", ["time"] = 0.0001 }.ToJsonString());

    private static Reply Error(int status, string message, int? retryAfterSeconds = null) =>
        new(status, new JsonObject { ["status"] = new JsonObject { ["error"] = message }, ["time"] = 0.0001 }.ToJsonString(), retryAfterSeconds);

    private sealed record Reply(int Status, string Body, int? RetryAfterSeconds = null, bool Json = true);

    private sealed record UpsertFailure(int Status, int? RetryAfterSeconds, bool AfterApplying);

    private sealed record QdrantVector(int Size, string Distance);

    private sealed record StoredPoint(JsonObject Vector, JsonObject Payload);

    private sealed class BadRequest(string message, int status = 400) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private sealed class Collection
    {
        public Dictionary<string, QdrantVector> Dense { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Sparse { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Indexes { get; } = new(StringComparer.Ordinal);

        /// <summary>By id in Qdrant's scroll order: UUIDs compare as 128-bit numbers, which is ordinal order of their hex form.</summary>
        public SortedDictionary<string, StoredPoint> Points { get; } = new(StringComparer.Ordinal);

        public Collection Clone()
        {
            var copy = new Collection();
            foreach (var (name, vector) in Dense)
            {
                copy.Dense[name] = vector;
            }

            copy.Sparse.UnionWith(Sparse);
            foreach (var (field, schema) in Indexes)
            {
                copy.Indexes[field] = schema;
            }

            foreach (var (id, point) in Points)
            {
                copy.Points[id] = new StoredPoint((JsonObject)point.Vector.DeepClone(), (JsonObject)point.Payload.DeepClone());
            }

            return copy;
        }
    }
}
