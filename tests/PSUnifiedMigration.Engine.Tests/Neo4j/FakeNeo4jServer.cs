using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PSUnifiedMigration.Engine.Tests.Neo4j;

/// <summary>
/// An HTTP server on a loopback port that answers like Neo4j as the test scripts it, and records what it was sent.
/// The status <see cref="Reset"/> drops the connection in the middle of the answer.
/// </summary>
public sealed class FakeNeo4jServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ReceivedRequest, (int Status, string Body)> _answer;
    private readonly Task _loop;

    public FakeNeo4jServer(Func<ReceivedRequest, (int Status, string Body)> answer)
    {
        _answer = answer;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Uri => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>A discovery document of Neo4j 4.x and 5.x, with the database left as a template.</summary>
    public static string Discovery(string version) =>
        $$"""{"bolt_direct":"bolt://localhost:7687","transaction":"http://localhost:7474/db/{databaseName}/tx","neo4j_version":"{{version}}","neo4j_edition":"community"}""";

    public const int Reset = -1;

    public const string EmptyResults = """{"results":[],"errors":[]}""";

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var received = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
            Requests.Enqueue(received);
            var (status, body) = _answer(received);
            if (status == Reset)
            {
                context.Response.ContentLength64 = 1000;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("{\"results\":["));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                continue;
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record ReceivedRequest(string Method, string Path, string? Authorization, string Body);
