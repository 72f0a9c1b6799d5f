using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// A run's hold on the target: one connection with the target lock, and the journal and batch writer on it.
/// After a transient failure the session is broken off and opened anew; the lock went with the old connection.
/// </summary>
internal sealed class TargetSession : IAsyncDisposable
{
    private readonly MigrationTarget _target;
    private readonly TargetLock _lock;
    private BatchWriter? _writer;
    private bool _broken;

    private TargetSession(MigrationTarget target, NpgsqlConnection connection, TargetLock targetLock, VectorStorage? storage, DeletedRecordFinder deletions)
    {
        _target = target;
        Connection = connection;
        _lock = targetLock;
        Storage = storage;
        Journal = new RunJournal(connection);
        Deletions = deletions;
    }

    public NpgsqlConnection Connection { get; }

    public RunJournal Journal { get; }

    /// <summary>The keys this session has read, to find what the source deleted.</summary>
    public DeletedRecordFinder Deletions { get; }

    /// <summary>How the target stores vectors; known once the unified schema is installed.</summary>
    public VectorStorage? Storage { get; set; }

    public BatchWriter Writer => _writer ??= new BatchWriter(Connection, Storage ?? throw new InvalidOperationException("The unified schema is not prepared."));

    public static async Task<TargetSession> OpenAsync(MigrationTarget target, VectorStorage? storage, CancellationToken cancellationToken)
    {
        var connection = await target.Endpoint.OpenAsync(cancellationToken);
        TargetLock? targetLock = null;
        try
        {
            targetLock = await TargetLock.AcquireAsync(connection, target, cancellationToken);
            return new TargetSession(target, connection, targetLock, storage, await DeletedRecordFinder.CreateAsync(connection, cancellationToken));
        }
        catch
        {
            // A pooled connection would keep the session lock: release it before the connection goes back.
            if (targetLock is not null)
            {
                await targetLock.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>This session, or a new one when a failure broke it off.</summary>
    public async Task<TargetSession> ReopenIfBrokenAsync(CancellationToken cancellationToken) =>
        _broken ? await OpenAsync(_target, Storage, cancellationToken) : this;

    /// <summary>Gives up the connection (and the lock with it) after a failure; the next attempt opens a new session.</summary>
    public async Task BreakAsync()
    {
        _broken = true;
        await DisposeAsync();
        // After a restart every idle pooled connection is dead too: the next attempt must connect afresh.
        NpgsqlConnection.ClearPool(Connection);
    }

    public async ValueTask DisposeAsync()
    {
        await _lock.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
