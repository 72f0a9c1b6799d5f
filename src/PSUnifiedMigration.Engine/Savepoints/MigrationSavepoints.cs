using System.Data;
using System.Diagnostics;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>
/// Savepoints of every store a target configures: PostgreSQL (a copy of the unified tables) and each projection store
/// (its part: say an export into the savepoint's PostgreSQL schema, or snapshots on the store's server). Every
/// operation holds the target lock, so no run writes while a savepoint is taken, restored or removed.
/// </summary>
public static class MigrationSavepoints
{
    public static async Task<MigrationSavepoint> CreateAsync(MigrationTarget target, string name, bool replace, CancellationToken cancellationToken)
    {
        PostgresSavepointStore.ValidateName(name);
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        // A savepoint taken while a run writes would hold half of it. The lock is taken before the
        // transaction, so its snapshot starts only once no run or restore can be writing.
        await using var targetLock = await TargetLock.AcquireAsync(connection, name, cancellationToken);
        return await CreateUnderLockAsync(connection, target, name, replace, cancellationToken);
    }

    /// <summary>
    /// Takes a savepoint on a connection that already holds the target lock: a run's own session takes its rollback
    /// savepoint this way, so that no other run can write between the savepoint and the run.
    /// </summary>
    internal static async Task<MigrationSavepoint> CreateUnderLockAsync(NpgsqlConnection connection, MigrationTarget target, string name, bool replace,
        CancellationToken cancellationToken)
    {
        PostgresSavepointStore.ValidateName(name);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await UnifiedSchemaInstaller.EnsureBookkeepingAsync(connection, transaction, cancellationToken);
        var existing = await PostgresSavepointStore.FindAsync(connection, transaction, target, name, cancellationToken);
        if (existing is not null)
        {
            if (!replace)
            {
                throw new MigrationException("SavepointExists", MigrationErrorKind.InvalidOperation,
                    $"A savepoint named '{name}' already exists (created {existing.CreatedAt:u}). Choose another name, or pass -Force to replace it.", name);
            }

            await PostgresSavepointStore.DropAsync(connection, transaction, existing, cancellationToken);
        }

        var storage = PostgresSavepointStore.StorageSchema(name);
        var (version, tables) = await PostgresSavepointStore.CopyAsync(connection, transaction, storage, cancellationToken);
        var parts = new List<SavepointPart>();
        var stores = OpenParts(target);
        MigrationSavepoint savepoint;
        try
        {
            foreach (var store in stores)
            {
                parts.Add(await store.SaveAsync(connection, transaction, storage, cancellationToken));
            }

            savepoint = new MigrationSavepoint(name, DateTimeOffset.UtcNow, storage, version, tables, parts, target);
            await PostgresSavepointStore.RecordAsync(connection, transaction, savepoint, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception e)
        {
            // Nothing of this savepoint is recorded: what the stores keep outside PostgreSQL must go too. When that fails
            // as well, the original failure is still the one reported, and the clean-up failure is added to it.
            try
            {
                await RemovePartsAsync(target, new MigrationSavepoint(name, DateTimeOffset.UtcNow, storage, version, tables, parts, target), CancellationToken.None);
            }
            catch (Exception cleanup) when (e is not OperationCanceledException && cleanup is MigrationException or HttpRequestException)
            {
                var cause = DatabaseErrors.Translate(e, $"taking savepoint '{name}'", name);
                var kept = parts.Where(p => p.Items.Any(i => i.Snapshot is not null)).ToList();
                var holders = string.Join(" and ", kept.Select(p => p.Store));
                var snapshots = kept.SelectMany(p => p.Items).Where(i => i.Snapshot is not null).Select(i => $"{i.Name}/{i.Snapshot}");
                throw new MigrationException(cause.ErrorId, cause.Kind,
                    $"{cause.Message} Removing the {holders} snapshots it had taken failed too ({cleanup.Message}); delete them in {holders}: {string.Join(", ", snapshots)}.",
                    name, e);
            }

            throw;
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        if (existing is not null)
        {
            // Only once the new savepoint is committed: until then the replaced one must stay whole.
            await RemovePartsAsync(target, existing, cancellationToken);
        }

        return savepoint;
    }

    public static async Task<IReadOnlyList<MigrationSavepoint>> ListAsync(MigrationTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        return await PostgresSavepointStore.ListAsync(connection, target, cancellationToken);
    }

    /// <summary>
    /// Returns every store to the savepoint: PostgreSQL first (one transaction, verified before it commits), then each
    /// projection store in registry order, each verified against its counts and hashes. When a store fails or the
    /// restore is cancelled, a <see cref="SavepointRestoreException"/> says which state each store is in.
    /// </summary>
    public static async Task<MigrationRestoreResult> RestoreAsync(MigrationTarget target, string name, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        var savepoint = await PostgresSavepointStore.FindAsync(connection, null, target, name, cancellationToken) ?? throw NotFound(name);
        await using var targetLock = await TargetLock.AcquireAsync(connection, name, cancellationToken);
        return await RestoreUnderLockAsync(connection, target, savepoint, clock, cancellationToken);
    }

    /// <summary>
    /// Restores on a connection that already holds the target lock: a failed run rolls back on its own session this way,
    /// so that no other run can write between its failure and its rollback.
    /// </summary>
    internal static async Task<MigrationRestoreResult> RestoreUnderLockAsync(NpgsqlConnection connection, MigrationTarget target, string name,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var savepoint = await PostgresSavepointStore.FindAsync(connection, null, target, name, cancellationToken) ?? throw NotFound(name);
        return await RestoreUnderLockAsync(connection, target, savepoint, clock, cancellationToken);
    }

    private static async Task<MigrationRestoreResult> RestoreUnderLockAsync(NpgsqlConnection connection, MigrationTarget target, MigrationSavepoint savepoint,
        Stopwatch clock, CancellationToken cancellationToken)
    {
        var name = savepoint.Name;
        var configured = OpenParts(target);
        var states = new List<StoreRestoreResult> { new(MigrationSavepoint.SystemOfRecord, StoreRestoreState.NotStarted, TimeSpan.Zero) };
        states.AddRange(configured.Select(c => savepoint.Parts.Any(p => p.Store == c.Store)
            ? new StoreRestoreResult(c.Store, StoreRestoreState.NotStarted, TimeSpan.Zero)
            : new StoreRestoreResult(c.Store, StoreRestoreState.NotCovered, TimeSpan.Zero, "the savepoint was taken before the target configured this store")));
        states.AddRange(savepoint.Parts.Where(p => configured.All(c => c.Store != p.Store)).Select(p =>
            new StoreRestoreResult(p.Store, StoreRestoreState.NotCovered, TimeSpan.Zero, "the target does not configure this store, so its part was not restored")));
        try
        {
            var storeClock = Stopwatch.StartNew();
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await PostgresSavepointStore.RestoreAsync(connection, transaction, savepoint, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (Exception e)
            {
                states[0] = states[0] with { State = StoreRestoreState.Unchanged, Duration = storeClock.Elapsed, Message = "rolled back" };
                throw Incomplete(savepoint, states, clock, e, postgresFailed: true);
            }

            states[0] = states[0] with { State = StoreRestoreState.Restored, Duration = storeClock.Elapsed };
            foreach (var store in configured)
            {
                var index = states.FindIndex(s => s.Store == store.Store);
                if (states[index].State == StoreRestoreState.NotCovered)
                {
                    continue;
                }

                storeClock.Restart();
                try
                {
                    await store.RestoreAsync(connection, savepoint.Parts.Single(p => p.Store == store.Store), savepoint.StorageSchema, cancellationToken);
                }
                catch (Exception e)
                {
                    states[index] = states[index] with { State = StoreRestoreState.Failed, Duration = storeClock.Elapsed, Message = Reason(e) };
                    throw Incomplete(savepoint, states, clock, e, postgresFailed: false);
                }

                states[index] = states[index] with { State = StoreRestoreState.Restored, Duration = storeClock.Elapsed };
            }
        }
        finally
        {
            foreach (var store in configured)
            {
                await store.DisposeAsync();
            }
        }

        return new MigrationRestoreResult(name, savepoint.Tables, Verified: true, clock.Elapsed, states);
    }

    /// <summary>
    /// Removes a savepoint from every store: what projection stores keep on their servers first, then its PostgreSQL
    /// schema (with what they exported into it) and row.
    /// </summary>
    public static async Task RemoveAsync(MigrationTarget target, string name, CancellationToken cancellationToken)
    {
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        var savepoint = await PostgresSavepointStore.FindAsync(connection, null, target, name, cancellationToken) ?? throw NotFound(name);
        await using var targetLock = await TargetLock.AcquireAsync(connection, name, cancellationToken);
        await RemovePartsAsync(target, savepoint, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresSavepointStore.DropAsync(connection, transaction, savepoint, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RemovePartsAsync(MigrationTarget target, MigrationSavepoint savepoint, CancellationToken cancellationToken)
    {
        foreach (var store in OpenParts(target))
        {
            await using (store)
            {
                if (savepoint.Parts.FirstOrDefault(p => p.Store == store.Store) is { } part)
                {
                    await store.RemoveAsync(part, cancellationToken);
                }
            }
        }
    }

    /// <summary>The savepoint part of every projection store the target configures, in registry order.</summary>
    private static List<ISavepointPart> OpenParts(MigrationTarget target) => [.. target.Stores.Select(s => s.OpenSavepointPart())];

    private static string Reason(Exception e) => e is OperationCanceledException ? "stopped part way" : e.Message;

    private static SavepointRestoreException Incomplete(MigrationSavepoint savepoint, List<StoreRestoreResult> states, Stopwatch clock, Exception e, bool postgresFailed)
    {
        var result = new MigrationRestoreResult(savepoint.Name, savepoint.Tables, Verified: false, clock.Elapsed, [.. states]);
        var summary = string.Join("; ", states);
        if (e is OperationCanceledException)
        {
            return new SavepointRestoreException("SavepointRestoreCancelled", MigrationErrorKind.InvalidOperation,
                $"Restoring savepoint '{savepoint.Name}' was stopped. Stores: {summary}.", result, e);
        }

        var cause = DatabaseErrors.Translate(e, $"restoring savepoint '{savepoint.Name}'", savepoint.Name);
        return postgresFailed
            ? new SavepointRestoreException(cause.ErrorId, cause.Kind, $"{cause.Message} Stores: {summary}.", result, e)
            : new SavepointRestoreException("SavepointRestoreIncomplete", MigrationErrorKind.InvalidOperation,
                $"Restoring savepoint '{savepoint.Name}' did not finish: {cause.Message} Stores: {summary}. Restore the savepoint again once the store is reachable.",
                result, e);
    }

    private static MigrationException NotFound(string name) =>
        new("SavepointNotFound", MigrationErrorKind.ObjectNotFound,
            $"No savepoint named '{name}' exists on this target. Get-MigrationSavepoint lists the savepoints there are.", name);
}
