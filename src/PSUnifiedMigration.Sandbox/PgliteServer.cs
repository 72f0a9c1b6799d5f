using System.Diagnostics;
using Npgsql;

namespace PSUnifiedMigration.Sandbox;

/// <summary>
/// A PGlite server (PostgreSQL compiled to WebAssembly) with the real pgvector extension, for tests that
/// need pgvector where the machine's PostgreSQL has none. PGlite serves one database, and all its
/// connections share one backend session, so use one server per database and no pooling.
/// </summary>
public sealed class PgliteServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;

    private PgliteServer(Process process, string dataDirectory, int port)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Password = "postgres", Database = "postgres",
            Pooling = false, Timeout = 30, CommandTimeout = 300,
        }.ConnectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Starts a server from the npm packages in <paramref name="packageDirectory"/>, installing them first when missing.</summary>
    public static async Task<PgliteServer> StartAsync(string packageDirectory, CancellationToken cancellationToken = default)
    {
        var server = Path.Combine(packageDirectory, "node_modules", ".bin", "pglite-server");
        if (!File.Exists(server))
        {
            await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", packageDirectory], null, cancellationToken);
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "psum-pglite-" + Guid.NewGuid().ToString("N")[..12]);
        var port = ExternalProcess.FreePort();
        var start = new ProcessStartInfo(server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--port={port}", $"--db={dataDirectory}", "--extensions=@electric-sql/pglite-pgvector:vector", "--max-connections=4" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start pglite-server.");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => Observe(e.Data);
        process.ErrorDataReceived += (_, e) => Observe(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        void Observe(string? line)
        {
            if (line is null)
            {
                return;
            }

            log.Enqueue(line);
            if (line.Contains("listening", StringComparison.OrdinalIgnoreCase))
            {
                listening.TrySetResult();
            }
        }

        var instance = new PgliteServer(process, dataDirectory, port);
        var ready = await Task.WhenAny(listening.Task, process.WaitForExitAsync(cancellationToken), Task.Delay(TimeSpan.FromSeconds(90), cancellationToken));
        if (ready != listening.Task)
        {
            await instance.DisposeAsync();
            throw new InvalidOperationException("pglite-server did not start listening: " + string.Join(Environment.NewLine, log));
        }

        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
