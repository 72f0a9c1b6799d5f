using System.Net.Sockets;
using System.Text.Json;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// How <see cref="QdrantHttpClient"/> talks to Qdrant: one HTTP client with the API key on every request, retries of
/// what may succeed later (429, 5xx, a broken connection, a timeout) on the shared <see cref="RetryPolicy"/>
/// schedule, and the translation of every failure into a MigrationException whose message never holds the API key.
/// Kept apart from the client so that the REST operations read as what they ask, not how they are sent.
/// </summary>
internal sealed class QdrantTransport : IDisposable
{
    private readonly HttpClient _http;
    private readonly QdrantClientOptions _options;

    public QdrantTransport(QdrantEndpoint endpoint, QdrantClientOptions options)
    {
        Endpoint = endpoint;
        _options = options;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = endpoint.Uri,
            Timeout = options.RequestTimeout,
        };
    }

    public QdrantEndpoint Endpoint { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Sends one request, retrying what may succeed later on the shared <see cref="RetryPolicy"/> schedule (after the
    /// server's Retry-After on 429 and 503), and returns the parsed JSON body of a 2xx answer (null for a 404 when
    /// <paramref name="notFoundIsNull"/>).
    /// </summary>
    public async Task<JsonDocument?> SendAsync(HttpMethod method, string path, byte[]? body, string context, object target,
        CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        var retry = _options.Retry;
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
                if (attempt <= retry.MaxRetries)
                {
                    await retry.WaitAsync(retry.DelayBefore(attempt), cancellationToken);
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

                if ((status == 429 || status >= 500) && attempt <= retry.MaxRetries)
                {
                    await retry.WaitAsync(retry.DelayBefore(attempt, RetryPolicy.RetryAfterOf(response)), cancellationToken);
                    continue;
                }

                throw Failure(status, ErrorDetail(text), context, target, attempt);
            }
        }
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

    /// <summary>An answer that is not the JSON Qdrant's API documents: the address is probably not Qdrant's REST port.</summary>
    public MigrationException Unexpected(string context, object target, Exception e) =>
        new("QdrantUnexpectedResponse", MigrationErrorKind.InvalidData,
            $"Qdrant at {Endpoint.Display} sent an answer this tool does not understand while {context} ({e.Message}). " +
            "Check that the address points to a Qdrant server's REST port (6333 by default).", target, e);

    /// <summary>With wait=true a write answers 'completed'; anything else means it is not applied yet.</summary>
    public void EnsureCompleted(JsonDocument? response, string context, object target)
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
}
