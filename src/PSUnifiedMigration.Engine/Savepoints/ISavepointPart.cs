using Npgsql;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>A projection store's share of savepoints: taking its part, returning the store to it, and removing it.</summary>
public interface ISavepointPart : IAsyncDisposable
{
    /// <summary>The store's name (its StoreKind's), recorded with the part so a restore finds the part of each configured store.</summary>
    string Store { get; }

    /// <summary>The store's redacted address.</summary>
    string Address { get; }

    /// <summary>Saves the store; what it keeps in PostgreSQL goes into <paramref name="storageSchema"/> in the caller's transaction.</summary>
    Task<SavepointPart> SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storageSchema, CancellationToken cancellationToken);

    /// <summary>Returns the store to the part, then verifies counts and content hashes (SavepointVerificationFailed otherwise).</summary>
    Task RestoreAsync(NpgsqlConnection connection, SavepointPart part, string storageSchema, CancellationToken cancellationToken);

    /// <summary>Removes what the part keeps outside PostgreSQL (a snapshot on the store's server, say); what is in the storage schema goes with it.</summary>
    Task RemoveAsync(SavepointPart part, CancellationToken cancellationToken);
}

/// <summary>What every store's savepoint part shares.</summary>
internal static class SavepointParts
{
    /// <summary>Fails a restore whose store does not hold, after restoring, what the savepoint recorded.</summary>
    public static void Verify(string store, IReadOnlyList<SavepointItem> expected, IReadOnlyList<SavepointItem> actual)
    {
        foreach (var item in expected)
        {
            var found = actual.FirstOrDefault(a => a.Name == item.Name);
            if (found is null || found.Count != item.Count || found.ContentHash != item.ContentHash)
            {
                throw new MigrationException("SavepointVerificationFailed", MigrationErrorKind.InvalidData,
                    $"{store} did not return to the savepoint: {item.Name} should hold {item.Count} items with hash {item.ContentHash}, " +
                    $"but holds {found?.Count ?? 0} with hash {found?.ContentHash ?? "(missing)"}.", item.Name);
            }
        }
    }
}
