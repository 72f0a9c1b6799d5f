using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// The three calls of Milvus's REST API v2 (https://milvus.io/api-reference/restful/v2.5.x) a reader needs:
/// collections/list, collections/describe and entities/query, each a POST of JSON answered in the envelope
/// {code, message, data}. A connection that breaks, or an answer of 429 or 5xx, is tried again on the engine's one
/// RetryPolicy (exponential, jittered, Retry-After honoured); every other failure becomes a MigrationException whose
/// message never holds the token.
/// </summary>
internal sealed class MilvusRestClient : IDisposable
{
    private static readonly RetryPolicy Retry = new(2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    private readonly HttpClient _http;
    private readonly MilvusLocation _location;

    public MilvusRestClient(MilvusLocation location)
    {
        _location = location;
        _http = new HttpClient { BaseAddress = location.Uri, Timeout = TimeSpan.FromMinutes(2) };
    }

    public void Dispose() => _http.Dispose();

    public async Task<IReadOnlyList<string>> ListCollectionsAsync(CancellationToken cancellationToken)
    {
        var data = await PostAsync("v2/vectordb/collections/list", new JsonObject { ["dbName"] = "default" }, "listing collections", cancellationToken);
        return data is JsonArray names ? [.. names.Select(n => n?.GetValue<string>() ?? "")] : [];
    }

    public async Task<JsonObject> DescribeAsync(string collection, CancellationToken cancellationToken) =>
        await PostAsync("v2/vectordb/collections/describe", new JsonObject { ["dbName"] = "default", ["collectionName"] = collection },
            $"describing collection '{collection}'", cancellationToken) as JsonObject
        ?? throw Malformed($"describing collection '{collection}'");

    /// <summary>Entities matching <paramref name="filter"/>, in no particular order, at most <paramref name="limit"/> of them (no limit: for counts).</summary>
    public async Task<IReadOnlyList<JsonObject>> QueryAsync(string collection, string filter, IReadOnlyList<string> outputFields, int? limit,
        CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["dbName"] = "default", ["collectionName"] = collection, ["filter"] = filter,
            ["outputFields"] = new JsonArray([.. outputFields.Select(f => JsonValue.Create(f))]),
        };
        if (limit is not null)
        {
            body["limit"] = limit;
        }

        var data = await PostAsync("v2/vectordb/entities/query", body, $"querying collection '{collection}'", cancellationToken);
        return data is JsonArray rows ? [.. rows.OfType<JsonObject>()] : throw Malformed($"querying collection '{collection}'");
    }

    /// <summary>How many entities match <paramref name="filter"/> (outputFields ["count(*)"]; Milvus refuses a count with a limit).</summary>
    public async Task<long> CountAsync(string collection, string filter, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(collection, filter, ["count(*)"], null, cancellationToken);
        return rows.Count == 1 && rows[0]["count(*)"] is JsonValue count && count.TryGetValue<long>(out var value) ? value
            : throw Malformed($"counting collection '{collection}'");
    }

    private async Task<JsonNode?> PostAsync(string path, JsonObject body, string doing, CancellationToken cancellationToken)
    {
        for (var retry = 1; ; retry++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            if (_location.RevealToken() is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (retry <= Retry.MaxRetries)
                {
                    await Retry.WaitAsync(Retry.DelayBefore(retry), cancellationToken);
                    continue;
                }

                throw new MigrationException("MilvusUnreachable", MigrationErrorKind.ConnectionError,
                    $"Milvus at {_location.ConnectionString} did not answer while {doing} ({e.Message}). Check -MilvusUri and that the server runs.", null, e);
            }

            using (response)
            {
                if ((response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500) && retry <= Retry.MaxRetries)
                {
                    await Retry.WaitAsync(Retry.DelayBefore(retry, RetryPolicy.RetryAfterOf(response)), cancellationToken);
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                return Data(response.StatusCode, text, doing);
            }
        }
    }

    /// <summary>The envelope's data, or the failure it reports, named for the operator.</summary>
    private JsonNode? Data(HttpStatusCode status, string text, string doing)
    {
        JsonObject? envelope = null;
        try
        {
            envelope = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var code = envelope?["code"] is JsonValue c && c.TryGetValue<int>(out var value) ? value : -1;
        var message = envelope?["message"]?.ToString() ?? $"HTTP {(int)status}";
        // 1800: "user hasn't authenticated"; Zilliz Cloud answers a wrong key with HTTP 401 or 403.
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || code == 1800)
        {
            throw new MigrationException("MilvusAuthenticationFailed", MigrationErrorKind.AuthenticationError,
                $"Milvus at {_location.ConnectionString} refused the request while {doing}: {message}. " +
                (_location.HasToken ? "Check the token given with -Token." : "The server needs a token: pass it with -Token."));
        }

        if (envelope is null || status != HttpStatusCode.OK || code is not (0 or 200))
        {
            throw new MigrationException("MilvusRequestFailed", MigrationErrorKind.InvalidOperation,
                $"Milvus at {_location.ConnectionString} failed while {doing}: {message} (HTTP {(int)status}, code {code}).");
        }

        return envelope["data"];
    }

    private MigrationException Malformed(string doing) =>
        new("MilvusRequestFailed", MigrationErrorKind.InvalidData, $"Milvus at {_location.ConnectionString} gave an answer of an unexpected shape while {doing}.");
}
