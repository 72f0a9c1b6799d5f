using System.Runtime.InteropServices;
using Npgsql;

namespace PSUnifiedMigration.Sandbox;

/// <summary>
/// A PostgreSQL server for tests and the demo: either the one named by PSUM_TEST_POSTGRES,
/// or a private throwaway cluster started from this machine's PostgreSQL binaries.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    public const string ExternalServerVariable = "PSUM_TEST_POSTGRES";

    private readonly string? _clusterDirectory;
    private readonly string? _binDirectory;
    private readonly string? _serverOptions;

    private LocalPostgresServer(string adminConnectionString, string? clusterDirectory, string? binDirectory, string? serverOptions)
    {
        AdminConnectionString = adminConnectionString;
        _clusterDirectory = clusterDirectory;
        _binDirectory = binDirectory;
        _serverOptions = serverOptions;
    }

    /// <summary>Superuser connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; }

    public bool IsPrivateCluster => _clusterDirectory is not null;

    /// <summary>Starts a private cluster, or uses the server named by PSUM_TEST_POSTGRES unless <paramref name="privateCluster"/> is set.</summary>
    public static async Task<LocalPostgresServer> StartAsync(CancellationToken cancellationToken = default, bool privateCluster = false)
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!privateCluster && !string.IsNullOrWhiteSpace(external))
        {
            return new LocalPostgresServer(external, null, null, null);
        }

        var bin = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), "psum-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        var socket = Path.Combine(root, "socket");
        Directory.CreateDirectory(socket);
        var runAs = IsRoot() ? "postgres" : null;
        if (runAs is not null)
        {
            // initdb refuses to run as root, so the cluster belongs to the postgres account.
            await ExternalProcess.RunAsync("chown", ["-R", runAs, root], null, cancellationToken);
        }

        await ExternalProcess.RunAsync(Path.Combine(bin, "initdb"),
            ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], runAs, cancellationToken);
        var port = ExternalProcess.FreePort();
        // A test suite shares one cluster between test classes that run in parallel, each with its own databases, and
        // every database keeps its own connection pool (a source and a target about five idle connections between them,
        // pruned only after five idle minutes): the slots are sized for a whole suite, not for one run.
        var options = $"-p {port} -k {socket} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000";
        await PgCtlStartAsync(bin, root, options, runAs, cancellationToken);

        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false,
        }.ConnectionString;
        return new LocalPostgresServer(admin, root, bin, options);
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// Restarts the private cluster as an operator would (fast shutdown: open sessions end with SQLSTATE 57P01), and
    /// keeps it down for <paramref name="downtime"/> before starting it again.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime, CancellationToken cancellationToken = default)
    {
        if (_clusterDirectory is null || _binDirectory is null || _serverOptions is null)
        {
            throw new InvalidOperationException("Only a private cluster can be restarted.");
        }

        var runAs = IsRoot() ? "postgres" : null;
        await ExternalProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", Path.Combine(_clusterDirectory, "data"), "-m", "fast", "-w", "stop"], runAs, cancellationToken);
        await Task.Delay(downtime, cancellationToken);
        await PgCtlStartAsync(_binDirectory, _clusterDirectory, _serverOptions, runAs, cancellationToken);
        // Pooled connections of this process died with the old server.
        NpgsqlConnection.ClearAllPools();
    }

    private static Task PgCtlStartAsync(string bin, string root, string options, string? runAs, CancellationToken cancellationToken) =>
        ExternalProcess.RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", Path.Combine(root, "data"), "-o", options, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"], runAs, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_clusterDirectory is null || _binDirectory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await ExternalProcess.RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
                ["-D", Path.Combine(_clusterDirectory, "data"), "-m", "immediate", "-w", "stop"], IsRoot() ? "postgres" : null, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(_clusterDirectory, recursive: true);
        }
    }

    private static string FindBinDirectory()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return onPath ?? throw new InvalidOperationException(
            $"No PostgreSQL server binaries (initdb, pg_ctl) were found under {debianRoot} or on PATH. " +
            $"Install them (Debian: apt-get install -y postgresql) or set {ExternalServerVariable} to a superuser connection string.");
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static bool IsRoot() => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;
}
