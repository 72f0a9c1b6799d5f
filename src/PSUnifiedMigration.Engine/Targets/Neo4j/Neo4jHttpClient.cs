using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>One Cypher statement and its parameters. Values always travel as parameters, never in the text.</summary>
public sealed record CypherStatement(string Text, JsonObject? Parameters = null);

/// <summary>What one statement returned: its column names and one JSON array per row.</summary>
public sealed record CypherResult(IReadOnlyList<string> Columns, IReadOnlyList<JsonArray> Rows);

/// <summary>How the client retries transient failures and how long one request may take.</summary>
public sealed record Neo4jClientOptions
{
    public static Neo4jClientOptions Default { get; } = new();

    /// <summary>Attempts per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The backoff step before the second attempt; it doubles for each further attempt, with jitter.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Ceiling of one wait between attempts, Retry-After included.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>These settings as the engine's shared retry schedule.</summary>
    internal RetryPolicy Retry => new(MaxAttempts - 1, FirstRetryDelay, MaxRetryDelay);
}

/// <summary>
/// A client of Neo4j's HTTP transaction API (3.x /db/data/transaction, 4.x and 5.x /db/{database}/tx). Each
/// <see cref="RunAsync"/> posts its statements to the commit endpoint, so they run in one transaction that
/// commits or rolls back as a whole. Transient failures are retried, which is safe only for idempotent
/// statements (the graph store writes with MERGE).
/// </summary>
public sealed class Neo4jHttpClient : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");
    private readonly HttpClient _http;
    private readonly Neo4jClientOptions _options;
    private readonly AuthenticationHeaderValue? _authorization;

    private Neo4jHttpClient(Neo4jEndpoint endpoint, Neo4jClientOptions options, HttpClient http)
    {
        Endpoint = endpoint;
        _options = options;
        _http = http;
        _authorization = endpoint.CreateAuthorization();
    }

    public Neo4jEndpoint Endpoint { get; }

    /// <summary>The server's version as reported by discovery (neo4j_version).</summary>
    public Version ServerVersion { get; private set; } = new(0, 0);

    /// <summary>The endpoint that runs statements in one transaction and commits it.</summary>
    public Uri CommitEndpoint { get; private set; } = null!;

    /// <summary>
    /// Discovers the server's transaction endpoint and version from GET on the endpoint's URI, then checks the
    /// credentials and the database with an empty transaction.
    /// </summary>
    public static async Task<Neo4jHttpClient> ConnectAsync(Neo4jEndpoint endpoint, CancellationToken cancellationToken, Neo4jClientOptions? options = null)
    {
        options ??= Neo4jClientOptions.Default;
        var http = new HttpClient { Timeout = options.RequestTimeout };
        var client = new Neo4jHttpClient(endpoint, options, http);
        try
        {
            await client.DiscoverAsync(cancellationToken);
            await client.RunAsync([], cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs the statements in one transaction and returns one result per statement, in order.</summary>
    public async Task<IReadOnlyList<CypherResult>> RunAsync(IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        var body = SerializeStatements(statements);
        var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, CommitEndpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return request;
        }, statements, cancellationToken);

        var results = new List<CypherResult>(statements.Count);
        foreach (var result in response["results"]?.AsArray() ?? [])
        {
            var columns = (result?["columns"]?.AsArray() ?? []).Select(c => c!.GetValue<string>()).ToList();
            var rows = (result?["data"]?.AsArray() ?? []).Select(d => d!["row"]!.AsArray()).ToList();
            results.Add(new CypherResult(columns, rows));
        }

        return results;
    }

    public void Dispose() => _http.Dispose();

    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        var root = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Endpoint.Uri), [], cancellationToken);
        var service = root;
        // Neo4j 3.x lists the data service at the root and the transaction endpoint and version inside it.
        if (root["transaction"] is null && root["data"]?.GetValueKind() == JsonValueKind.String)
        {
            var data = OnEndpointAuthority(root["data"]!.GetValue<string>());
            service = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, data), [], cancellationToken);
        }

        if (service["transaction"]?.GetValueKind() != JsonValueKind.String || service["neo4j_version"]?.GetValueKind() != JsonValueKind.String)
        {
            throw new MigrationException("Neo4jDiscoveryFailed", MigrationErrorKind.ConnectionError,
                $"The server at {Endpoint.Redacted} does not answer like Neo4j's HTTP API: its discovery document names no transaction endpoint " +
                "or version. Check that the URI is Neo4j's HTTP connector (port 7474 by default, not Bolt's 7687).", Endpoint.Redacted);
        }

        ServerVersion = ParseVersion(service["neo4j_version"]!.GetValue<string>());
        // 4.x and 5.x name a template such as .../db/{databaseName}/tx; 3.x has one database and a fixed path.
        var transaction = service["transaction"]!.GetValue<string>()
            .Replace("{databaseName}", Uri.EscapeDataString(Endpoint.Database), StringComparison.Ordinal)
            .TrimEnd('/');
        CommitEndpoint = OnEndpointAuthority(transaction + "/commit");
    }

    /// <summary>
    /// Keeps the path of a URL the server advertised but uses the scheme, host and port this client reached it
    /// on: behind Docker port mappings and proxies the server names addresses the client cannot use.
    /// </summary>
    private Uri OnEndpointAuthority(string advertised)
    {
        var path = Uri.TryCreate(advertised, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : advertised;
        return new UriBuilder(Endpoint.Uri) { Path = path }.Uri;
    }

    private static Version ParseVersion(string text)
    {
        var match = Regex.Match(text, @"^(\d+)\.(\d+)(?:\.(\d+))?");
        return match.Success
            ? new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0)
            : new Version(0, 0);
    }

    private static byte[] SerializeStatements(IReadOnlyList<CypherStatement> statements)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("statements");
            foreach (var statement in statements)
            {
                writer.WriteStartObject();
                writer.WriteString("statement", statement.Text);
                writer.WritePropertyName("parameters");
                if (statement.Parameters is null)
                {
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                }
                else
                {
                    statement.Parameters.WriteTo(writer);
                }

                writer.WriteStartArray("resultDataContents");
                writer.WriteStringValue("row");
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Sends a request, retrying transient failures on the shared <see cref="RetryPolicy"/> schedule (honouring
    /// Retry-After on 429 and 503), and returns the JSON body of a success.
    /// </summary>
    private async Task<JsonObject> SendAsync(Func<HttpRequestMessage> createRequest, IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        var retry = _options.Retry;
        for (var attempt = 1; ; attempt++)
        {
            var (body, failure, transient, retryAfter) = await AttemptAsync(createRequest, statements, cancellationToken);
            if (failure is null)
            {
                return body!;
            }

            if (!transient || attempt > retry.MaxRetries)
            {
                throw failure;
            }

            await retry.WaitAsync(retry.DelayBefore(attempt, retryAfter), cancellationToken);
        }
    }

    private async Task<(JsonObject? Body, MigrationException? Failure, bool Transient, RetryConditionHeaderValue? RetryAfter)> AttemptAsync(
        Func<HttpRequestMessage> createRequest, IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        try
        {
            using var request = createRequest();
            request.Headers.Accept.Add(JsonMediaType);
            request.Headers.Authorization = _authorization;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var body = await ReadJsonObjectAsync(response, cancellationToken);
            var errors = body?["errors"] as JsonArray;
            if (response.IsSuccessStatusCode && body is not null && (errors is null || errors.Count == 0))
            {
                return (body, null, false, null);
            }

            var (failure, transient) = TranslateFailure(response.StatusCode, body, errors, statements);
            return (null, failure, transient, RetryPolicy.RetryAfterOf(response));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException e)
        {
            return (null, new MigrationException("Neo4jTimeout", MigrationErrorKind.ConnectionError,
                $"Neo4j at {Endpoint.Redacted} did not answer within {_options.RequestTimeout.TotalSeconds:0} s. Check that the server is healthy, " +
                "or use smaller batches.", Endpoint.Redacted, e), false, null);
        }
        catch (HttpRequestException e)
        {
            var (failure, transient) = TranslateTransportFailure(e);
            return (null, failure, transient, null);
        }
        catch (IOException e)
        {
            // The answer broke off while its body was read.
            return (null, ConnectionLost(e), true, null);
        }
    }

    private MigrationException ConnectionLost(Exception e) => new("Neo4jConnectionLost", MigrationErrorKind.ConnectionError,
        $"The connection to Neo4j at {Endpoint.Redacted} was closed while a request was under way. Check the server's log " +
        "(it may have restarted or run out of memory).", Endpoint.Redacted, e);

    private static async Task<JsonObject?> ReadJsonObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException)
        {
            // A proxy's HTML error page or an empty body; the status code then says what happened.
            return null;
        }
    }

    private (MigrationException Failure, bool Transient) TranslateFailure(HttpStatusCode status, JsonObject? body, JsonArray? errors, IReadOnlyList<CypherStatement> statements)
    {
        var error = errors?.FirstOrDefault() as JsonObject;
        var code = error?["code"]?.GetValue<string>();
        var message = Shorten(error?["message"]?.GetValue<string>() ?? "");
        var where = $"Neo4j at {Endpoint.Redacted}";

        if (code is null)
        {
            var transientStatus = status is HttpStatusCode.TooManyRequests || (int)status >= 500;
            var kind = status switch
            {
                HttpStatusCode.Unauthorized => MigrationErrorKind.AuthenticationError,
                HttpStatusCode.Forbidden => MigrationErrorKind.PermissionDenied,
                HttpStatusCode.NotFound => MigrationErrorKind.ObjectNotFound,
                _ => MigrationErrorKind.ConnectionError,
            };
            return (new MigrationException("Neo4jHttpError", kind,
                $"{where} answered HTTP {(int)status} ({status}) without a Neo4j error. Check that the URI is Neo4j's HTTP API " +
                "and that any proxy in between forwards it.", Endpoint.Redacted), transientStatus);
        }

        if (code.StartsWith("Neo.TransientError.", StringComparison.Ordinal))
        {
            return (new Neo4jException("Neo4jTransientFailure", MigrationErrorKind.ResourceBusy, code,
                $"{where} kept failing with a transient error ({code}): {message} Try again when the server is less busy.", Endpoint.Redacted), true);
        }

        if (code is "Neo.ClientError.Security.Unauthorized" or "Neo.ClientError.Security.AuthenticationRateLimit")
        {
            var who = Endpoint.UserName is null ? "without credentials" : $"as user '{Endpoint.UserName}'";
            return (new Neo4jException("Neo4jAuthenticationFailed", MigrationErrorKind.AuthenticationError, code,
                $"{where} rejected the login {who} ({code}): {message} Check the user name and password (pass them with -Credential).",
                Endpoint.Redacted), false);
        }

        if (code == "Neo.ClientError.Security.Forbidden" && body?["password_change"] is not null)
        {
            return (new Neo4jException("Neo4jPasswordChangeRequired", MigrationErrorKind.AuthenticationError, code,
                $"{where} requires user '{Endpoint.UserName}' to change the initial password before it can be used. " +
                "Change it once with neo4j-admin, cypher-shell or the browser, then pass the new one with -Credential.", Endpoint.Redacted), false);
        }

        if (code.StartsWith("Neo.ClientError.Security.", StringComparison.Ordinal))
        {
            return (new Neo4jException("Neo4jPermissionDenied", MigrationErrorKind.PermissionDenied, code,
                $"{where} denied the request ({code}): {message} Grant the user the rights to write the graph.", Endpoint.Redacted), false);
        }

        if (code == "Neo.ClientError.Database.DatabaseNotFound")
        {
            return (new Neo4jException("Neo4jDatabaseNotFound", MigrationErrorKind.ObjectNotFound, code,
                $"The database '{Endpoint.Database}' does not exist on Neo4j at {Endpoint.Redacted} ({code}). Create it, or name an existing one.",
                Endpoint.Redacted), false);
        }

        // Statements before the failing one have results; so the failing one is the next.
        var failed = body?["results"] is JsonArray done ? done.Count : 0;
        var which = statements.Count > 1 && failed < statements.Count ? $"statement {failed + 1} of {statements.Count}" : "the statement";
        var statementKind = code.StartsWith("Neo.ClientError.Statement.TypeError", StringComparison.Ordinal)
            || code.StartsWith("Neo.ClientError.Statement.ArgumentError", StringComparison.Ordinal)
            || code.StartsWith("Neo.ClientError.Schema.ConstraintValidationFailed", StringComparison.Ordinal)
                ? MigrationErrorKind.InvalidData
                : MigrationErrorKind.InvalidOperation;
        return (new Neo4jException("Neo4jStatementFailed", statementKind, code,
            $"{where} rejected {which} ({code}): {message} The transaction was rolled back.", Endpoint.Redacted), false);
    }

    private (MigrationException Failure, bool Transient) TranslateTransportFailure(HttpRequestException e)
    {
        var socket = SocketErrors.Find(e);
        if (socket is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown
            || e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            return (ConnectionLost(e), true);
        }

        var reason = socket is { } error ? SocketErrors.Describe(error) : e.Message;
        return (new MigrationException("Neo4jUnreachable", MigrationErrorKind.ConnectionError,
            $"Cannot reach Neo4j at {Endpoint.Redacted} ({reason}). Check that the server is running, that host and port are its " +
            "HTTP connector (7474 by default, 7473 for https; Bolt's 7687 does not speak HTTP), and that no firewall blocks the port.",
            Endpoint.Redacted, e), false);
    }

    /// <summary>Neo4j's messages can quote a whole statement; the first lines say enough.</summary>
    private static string Shorten(string message) => message.Length <= 600 ? message : message[..600] + " ...";
}
