using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>
/// -RollbackOnFailure: the savepoint of every store a run takes before it starts, restored when the run fails and
/// removed when it succeeds, so that nothing of it is left behind either way.
/// </summary>
internal static class RunRollback
{
    /// <summary>The savepoint -RollbackOnFailure returns to, taken on the run's session, which holds the target lock.</summary>
    public static async Task<string> TakeSavepointAsync(TargetSession session, MigrationTarget target, CancellationToken cancellationToken)
    {
        var name = $"rollback-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..8]}";
        await MigrationSavepoints.CreateUnderLockAsync(session.Connection, target, name, replace: false, cancellationToken);
        return name;
    }

    /// <summary>
    /// Restores the savepoint taken at the start, after a failure: on the run's own session while it still works, so that
    /// the target lock is held from the run's start to the end of its rollback; otherwise on a new connection. The run
    /// then reads RolledBack and cannot be resumed (its checkpoints went with the restore). A rollback that fails keeps
    /// the savepoint and says what state each store is in.
    /// </summary>
    public static async Task RollBackAsync(TargetSession session, MigrationTarget target, string savepoint, MigrationResult result)
    {
        try
        {
            result.Rollback = session.Connection.FullState == System.Data.ConnectionState.Open
                ? await MigrationSavepoints.RestoreUnderLockAsync(session.Connection, target, savepoint, CancellationToken.None)
                : await MigrationSavepoints.RestoreAsync(target, savepoint, CancellationToken.None);
            result.Status = MigrationStatus.RolledBack;
            result.FailureMessage += $" The target was rolled back to savepoint '{savepoint}', taken when the run started, in {result.Rollback.Duration.TotalSeconds:0.#} s.";
        }
        catch (SavepointRestoreException e)
        {
            result.Rollback = e.Result;
            result.FailureMessage += $" Rolling back to savepoint '{savepoint}' failed: {e.Message} " +
                                     $"Store by store: {string.Join("; ", e.Result.Stores.Select(s => s.ToString()))}. " +
                                     $"The savepoint is kept: Restore-MigrationSavepoint -Target <target> -Name '{savepoint}' tries again.";
        }
        catch (Exception e) when (e is MigrationException or NpgsqlException or IOException or TimeoutException)
        {
            result.FailureMessage += $" Rolling back to savepoint '{savepoint}' failed before it changed anything ({e.Message}). " +
                                     $"The savepoint is kept: Restore-MigrationSavepoint -Target <target> -Name '{savepoint}' tries again.";
        }
    }

    /// <summary>Removes the savepoint once the run no longer needs it (it succeeded or was rolled back); a failure to do so is a warning.</summary>
    public static async Task RemoveSavepointAsync(MigrationTarget target, string savepoint, MigrationResult result)
    {
        if (await TryRemoveSavepointAsync(target, savepoint))
        {
            result.RollbackSavepoint = null;
        }
        else
        {
            result.Warnings.Add($"The rollback savepoint '{savepoint}' could not be removed; Remove-MigrationSavepoint -Target <target> -Name '{savepoint}' removes it.");
        }
    }

    /// <summary>Removes the rollback savepoint from every store; false when that failed (the savepoint, or part of it, is left).</summary>
    public static async Task<bool> TryRemoveSavepointAsync(MigrationTarget target, string savepoint)
    {
        try
        {
            await MigrationSavepoints.RemoveAsync(target, savepoint, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is MigrationException or NpgsqlException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
