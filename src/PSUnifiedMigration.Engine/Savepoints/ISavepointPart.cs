using Npgsql;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>A graph or vector store's share of savepoints: taking its part, returning the store to it, and removing it.</summary>
internal interface ISavepointPart : IAsyncDisposable
{
    SavepointStore Store { get; }

    /// <summary>The store's redacted address.</summary>
    string Address { get; }

    /// <summary>Saves the store; what it keeps in PostgreSQL goes into <paramref name="storageSchema"/> in the caller's transaction.</summary>
    Task<SavepointPart> SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string storageSchema, CancellationToken cancellationToken);

    /// <summary>Returns the store to the part, then verifies counts and content hashes (SavepointVerificationFailed otherwise).</summary>
    Task RestoreAsync(NpgsqlConnection connection, SavepointPart part, string storageSchema, CancellationToken cancellationToken);

    /// <summary>Removes what the part keeps outside PostgreSQL (Qdrant's snapshots); what is in the storage schema goes with it.</summary>
    Task RemoveAsync(SavepointPart part, CancellationToken cancellationToken);
}

internal static class SavepointParts
{
    public static IReadOnlyList<ISavepointPart> For(MigrationTarget target)
    {
        var parts = new List<ISavepointPart>();
        if (target.Neo4j is { } neo4j)
        {
            parts.Add(new Neo4jSavepointPart(neo4j));
        }

        if (target.Qdrant is { } qdrant)
        {
            parts.Add(new QdrantSavepointPart(qdrant));
        }

        return parts;
    }

    /// <summary>Fails a restore whose store does not hold, after restoring, what the savepoint recorded.</summary>
    public static void Verify(SavepointStore store, IReadOnlyList<SavepointItem> expected, IReadOnlyList<SavepointItem> actual)
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
