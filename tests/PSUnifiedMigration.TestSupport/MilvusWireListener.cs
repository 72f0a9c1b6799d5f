using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.TestSupport;

/// <summary>One request the Milvus fake received, with the HTTP status and the body code it answered.</summary>
public sealed record MilvusWireRequest(string Path, string? Authorization, string Body, int HttpStatus, int Code);

/// <summary>
/// A checking fake of Milvus's REST API v2 (https://milvus.io/api-reference/restful/v2.5.x) on 127.0.0.1, seeded
/// with upstream Claude-Context collections, because no Milvus runs on the test machines. It serves the three
/// routes an exporter needs (POST /v2/vectordb/collections/list, /collections/describe, /entities/query) in
/// Milvus's envelope {code: 0, data: ...}, checks the Bearer token (401, code 1800 without it), and behaves as
/// Milvus does where it matters to a reader: query results come in no particular order (a fixed shuffle here),
/// offset + limit may not exceed 16,384, a filter-less query needs a limit, and the raw data of a BM25 function's
/// output field cannot be retrieved (named: refused; "*": left out). It is stricter than Milvus in one way: an
/// unknown request key is refused (code 1801) instead of ignored, so a misspelt key fails loudly.
/// </summary>
public sealed class MilvusWireListener : IDisposable
{
    public const int MaxQueryResultWindow = 16384;

    private readonly object _gate = new();
    private readonly List<MilvusWireRequest> _requests = [];
    private readonly SortedDictionary<string, UpstreamMilvusCollection> _collections = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _server;

    private MilvusWireListener(string? token)
    {
        Token = token;
        _server = LoopbackHttpServer.Start(HandleAsync);
    }

    public Uri Uri => _server.Uri;

    /// <summary>The token every request must carry as "Authorization: Bearer &lt;token&gt;"; null when none is needed.</summary>
    public string? Token { get; }

    public IReadOnlyList<MilvusWireRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToList();
            }
        }
    }

    public static MilvusWireListener Start(string? token = null) => new(token);

    /// <summary>
    /// Adds a collection after checking every entity against its schema (lengths, dimension, types), as an insert would.
    /// Entities go through JSON text, so the fake holds exactly what the wire would carry.
    /// </summary>
    public void AddCollection(UpstreamMilvusCollection collection)
    {
        collection = collection with { Entities = [.. collection.Entities.Select(e => JsonNode.Parse(e.ToJsonString())!.AsObject())] };
        foreach (var entity in collection.Entities)
        {
            foreach (var field in collection.Fields.Where(f => f.DataType != "SparseFloatVector"))
            {
                var value = entity[field.Name] ?? throw new ArgumentException($"entity {entity["id"]} lacks field {field.Name}");
                var fits = field.DataType switch
                {
                    "VarChar" => value.GetValueKind() == JsonValueKind.String && Encoding.UTF8.GetByteCount(value.GetValue<string>()) <= field.MaxLength,
                    "Int64" => value.GetValueKind() == JsonValueKind.Number,
                    _ => value is JsonArray array && array.Count == field.Dim,
                };
                if (!fits)
                {
                    throw new ArgumentException($"entity {entity["id"]}: {field.Name} does not fit {field.DataType}");
                }
            }
        }

        lock (_gate)
        {
            _collections[collection.Name] = collection;
        }
    }

    public void Dispose() => _server.Dispose();

    private async Task HandleAsync(HttpListenerContext context, string body)
    {
        var request = context.Request;
        var authorization = request.Headers["Authorization"];
        var path = request.Url!.AbsolutePath;
        int status;
        JsonObject reply;
        lock (_gate)
        {
            try
            {
                (status, reply) = (200, Route(request.HttpMethod, path, authorization, request.ContentType, body));
            }
            catch (MilvusError e)
            {
                (status, reply) = (e.HttpStatus, new JsonObject { ["code"] = e.Code, ["message"] = e.Message });
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                // A fault of the fake itself: answer at once instead of leaving the client to time out.
                (status, reply) = (500, new JsonObject { ["code"] = 65535, ["message"] = "fake fault: " + e.Message });
            }

            _requests.Add(new MilvusWireRequest(path, authorization, body, status, reply["code"]!.GetValue<int>()));
        }

        var bytes = Encoding.UTF8.GetBytes(reply.ToJsonString());
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private JsonObject Route(string method, string path, string? authorization, string? contentType, string body)
    {
        if (Token is not null && authorization != "Bearer " + Token)
        {
            throw new MilvusError(1800, "user hasn't authenticated", 401);
        }

        if (method != "POST")
        {
            throw new MilvusError(405, $"method {method} not allowed on {path}", 405);
        }

        if (contentType is null || !contentType.StartsWith("application/json", StringComparison.Ordinal))
        {
            throw new MilvusError(1801, $"can only accept json format request, got content type '{contentType}'");
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject ?? throw new MilvusError(1801, "can only accept json format request, error: expected an object");
        }
        catch (JsonException e)
        {
            throw new MilvusError(1801, $"can only accept json format request, error: {e.Message}");
        }

        if (json["dbName"] is { } db && (db.GetValueKind() != JsonValueKind.String || db.GetValue<string>() != "default"))
        {
            throw new MilvusError(800, $"database not found[database={db.ToJsonString()}]");
        }

        return path.TrimEnd('/') switch
        {
            "/v2/vectordb/collections/list" => Envelope(ListCollections(json)),
            "/v2/vectordb/collections/describe" => Envelope(Describe(json)),
            "/v2/vectordb/entities/query" => Envelope(Query(json)),
            _ => throw new MilvusError(404, $"path not found: {path}", 404),
        };
    }

    private JsonArray ListCollections(JsonObject json)
    {
        AllowOnly(json, "dbName");
        return [.. _collections.Keys.Select(n => JsonValue.Create(n))];
    }

    private JsonObject Describe(JsonObject json)
    {
        AllowOnly(json, "dbName", "collectionName");
        var collection = Find(json);
        var fields = new JsonArray();
        foreach (var (field, i) in collection.Fields.Select((f, i) => (f, i)))
        {
            var parameters = new JsonArray();
            if (field.MaxLength is { } length)
            {
                parameters.Add(new JsonObject { ["key"] = "max_length", ["value"] = length.ToString() });
            }

            if (field.Dim is { } dim)
            {
                parameters.Add(new JsonObject { ["key"] = "dim", ["value"] = dim.ToString() });
            }

            if (field.EnableAnalyzer)
            {
                parameters.Add(new JsonObject { ["key"] = "enable_analyzer", ["value"] = "true" });
            }

            fields.Add(new JsonObject
            {
                ["id"] = 100 + i, ["name"] = field.Name, ["type"] = field.DataType, ["primaryKey"] = field.IsPrimary, ["autoId"] = false,
                ["partitionKey"] = false, ["clusteringKey"] = false, ["nullable"] = false, ["description"] = "", ["params"] = parameters,
            });
        }

        var functions = new JsonArray();
        if (collection.IsHybrid)
        {
            functions.Add(new JsonObject
            {
                ["name"] = UpstreamMilvusCollections.Bm25Function, ["type"] = "BM25", ["description"] = "content bm25 function",
                ["inputFieldNames"] = new JsonArray("content"), ["outputFieldNames"] = new JsonArray(UpstreamMilvusCollections.SparseField), ["params"] = new JsonArray(),
            });
        }

        return new JsonObject
        {
            ["collectionName"] = collection.Name, ["collectionID"] = 450000000000000000L + _collections.Keys.ToList().IndexOf(collection.Name),
            ["description"] = $"Claude Context collection: {collection.Name}", ["autoId"] = false, ["consistencyLevel"] = "Bounded",
            ["enableDynamicField"] = false, ["fields"] = fields, ["functions"] = functions, ["load"] = "LoadStateLoaded",
            ["partitionsNum"] = 1, ["shardsNum"] = 1, ["properties"] = new JsonArray(),
        };
    }

    private JsonArray Query(JsonObject json)
    {
        AllowOnly(json, "dbName", "collectionName", "filter", "outputFields", "limit", "offset");
        var collection = Find(json);
        var filter = json["filter"] is { } f ? f.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : throw new MilvusError(1801, "filter: expected a string") : "";
        var offset = ReadCount(json, "offset") ?? 0;
        var limit = ReadCount(json, "limit") ?? (filter.Trim().Length == 0 ? throw new MilvusError(1100, "empty expression should be used with limit: invalid parameter") : 100);
        if (offset + limit > MaxQueryResultWindow)
        {
            throw new MilvusError(1100, $"invalid max query result window, (offset+limit) should be in range [1, {MaxQueryResultWindow}], but got {offset + limit}: invalid parameter");
        }

        var test = filter.Trim().Length == 0 ? (_ => true) : MilvusFilter.Parse(filter, collection.Fields);
        var matching = collection.Entities.Where(test);
        var requested = ReadOutputFields(json, collection);
        if (requested is ["count(*)"])
        {
            return [new JsonObject { ["count(*)"] = matching.Count() }];
        }

        // Milvus promises no order: a fixed pseudo-random one, so only a reader that partitions by filter sees every entity once.
        return [.. matching
            .OrderBy(e => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(e["id"]!.GetValue<string>()))), Comparer<ulong>.Default)
            .Skip(offset).Take(limit)
            .Select(e => new JsonObject(requested.Select(name => KeyValuePair.Create(name, e[name]?.DeepClone()))))];
    }

    /// <summary>The fields to return: the primary key always; "*" means every field a query may return; count(*) alone counts.</summary>
    private static IReadOnlyList<string> ReadOutputFields(JsonObject json, UpstreamMilvusCollection collection)
    {
        var names = json["outputFields"] switch
        {
            null => [],
            JsonArray array when array.All(n => n?.GetValueKind() == JsonValueKind.String) => array.Select(n => n!.GetValue<string>()).ToList(),
            _ => throw new MilvusError(1801, "outputFields: expected an array of strings"),
        };
        if (names is ["count(*)"])
        {
            return names;
        }

        var result = new List<string> { "id" };
        foreach (var name in names)
        {
            var fields = name == "*"
                ? collection.Fields.Where(f => !(collection.IsHybrid && f.Name == UpstreamMilvusCollections.SparseField)).Select(f => f.Name)
                : collection.Fields.Any(f => f.Name == name) ? [name] : throw new MilvusError(1100, $"field {name} not exist: invalid parameter");
            if (collection.IsHybrid && name == UpstreamMilvusCollections.SparseField)
            {
                throw new MilvusError(1100, $"not allowed to retrieve raw data of field {name}: invalid parameter");
            }

            result.AddRange(fields.Where(f => !result.Contains(f)));
        }

        return result;
    }

    private UpstreamMilvusCollection Find(JsonObject json)
    {
        var name = json["collectionName"] is { } n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>()
            : throw new MilvusError(1802, "missing required parameters, error: Key: 'collectionName' Error:Field validation for 'collectionName' failed on the 'required' tag");
        return _collections.TryGetValue(name, out var collection) ? collection : throw new MilvusError(100, $"collection not found[database=default][collection={name}]");
    }

    private static int? ReadCount(JsonObject json, string key) => json[key] switch
    {
        null => null,
        var node when node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<int>(out var value) && value >= 0 => value,
        _ => throw new MilvusError(1801, $"{key}: expected a non-negative integer"),
    };

    private static void AllowOnly(JsonObject json, params string[] keys)
    {
        foreach (var (key, _) in json)
        {
            if (!keys.Contains(key))
            {
                throw new MilvusError(1801, $"can only accept json format request, error: unknown field \"{key}\" (this fake refuses what Milvus would ignore)");
            }
        }
    }

    private static JsonObject Envelope(JsonNode data) => new() { ["code"] = 0, ["cost"] = 0, ["data"] = data };
}
