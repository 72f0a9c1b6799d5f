using System.Net;
using System.Net.Sockets;

namespace PSUnifiedMigration.TestSupport;

/// <summary>
/// An HttpListener on a free 127.0.0.1 port that hands every request, with its body read as UTF-8, to one handler,
/// one request at a time (so a fake's record of requests is in arrival order), for the wire fakes of services no
/// test machine can run. Binding retries on a fresh port when another process wins the race.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    private LoopbackHttpServer(HttpListener listener, Uri uri, Func<HttpListenerContext, string, Task> handle)
    {
        _listener = listener;
        Uri = uri;
        _loop = Task.Run(() => AcceptLoopAsync(handle));
    }

    public Uri Uri { get; }

    public static LoopbackHttpServer Start(Func<HttpListenerContext, string, Task> handle)
    {
        for (var attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, new Uri($"http://127.0.0.1:{port}/"), handle);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
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

    private async Task AcceptLoopAsync(Func<HttpListenerContext, string, Task> handle)
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

            try
            {
                string body;
                using (var reader = new StreamReader(context.Request.InputStream, System.Text.Encoding.UTF8))
                {
                    body = await reader.ReadToEndAsync();
                }

                await handle(context, body);
            }
            catch (HttpListenerException)
            {
                // The client went away; nothing to answer.
            }
        }
    }
}
