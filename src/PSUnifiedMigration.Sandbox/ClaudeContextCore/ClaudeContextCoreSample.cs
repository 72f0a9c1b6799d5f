using System.Globalization;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>
/// The demo's Claude-Context installation: a PGlite server (PostgreSQL with the real pgvector, which the
/// vector(n) columns of claude-context-core's tables need) holding a <see cref="ClaudeContextCoreInstallation"/>
/// in the shapes its own code writes. One class so that the demo and the test that stands for it start the same thing.
/// </summary>
public sealed class ClaudeContextCoreSample : IAsyncDisposable
{
    private readonly PgliteServer _server;

    private ClaudeContextCoreSample(PgliteServer server, ClaudeContextCoreFacts facts)
    {
        _server = server;
        Facts = facts;
    }

    /// <summary>A superuser connection string of the PGlite database that holds the installation (no pooling: PGlite has one session).</summary>
    public string ConnectionString => _server.ConnectionString;

    public ClaudeContextCoreFacts Facts { get; }

    /// <summary>
    /// Starts PGlite from the npm packages in <paramref name="pglitePackages"/> (tests/pglite) and writes an installation
    /// of about <paramref name="chunks"/> chunks, spread evenly over its four chunk tables.
    /// </summary>
    public static async Task<ClaudeContextCoreSample> StartAsync(string pglitePackages, int chunks, int dimension, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var options = new ClaudeContextCoreOptions { Dimension = dimension, RowsPerTable = (chunks + 3) / 4 };
        var server = await PgliteServer.StartAsync(pglitePackages, ct);
        try
        {
            return new ClaudeContextCoreSample(server, await ClaudeContextCoreInstallation.CreateAsync(server.ConnectionString, options, ct));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>One line per chunk table: its name, what writes it and how many rows of which dimension it holds.</summary>
    public IEnumerable<string> Describe() => Facts.ChunkTables.Select(t => string.Create(CultureInfo.InvariantCulture,
        $"claude_context.{t.Table} ({t.Kind}, collection {t.Collection}): {t.RowCount} chunks of {t.Dimension} dimensions"));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
