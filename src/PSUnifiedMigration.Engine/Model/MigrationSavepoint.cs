using System.Text.Json.Serialization;

namespace PSUnifiedMigration.Engine.Model;

public sealed record SavepointTable(string Table, long Rows, string ContentHash)
{
    public override string ToString() => $"{Table}: {DisplayText.Count(Rows)} rows, hash {ContentHash[..Math.Min(12, ContentHash.Length)]}";
}

/// <summary>
/// One thing a projection store's part of a savepoint holds: say a graph's nodes (exported into the savepoint's
/// PostgreSQL schema), or a vector collection and the name of its snapshot on the store's server.
/// </summary>
public sealed record SavepointItem(string Name, long Count, string ContentHash, string? Snapshot = null)
{
    public override string ToString() => $"{Name}: {DisplayText.Count(Count)}" + (Snapshot is null ? "" : $", snapshot {Snapshot}");
}

/// <summary>
/// A projection store's part of a savepoint: the store's name (as text in the bookkeeping row, the text the former
/// enum was written as; rows holding the enum's number still load, see SavepointStoreName), its redacted address, and
/// what it holds.
/// </summary>
public sealed record SavepointPart([property: JsonConverter(typeof(Savepoints.SavepointStoreName))] string Store, string Address, IReadOnlyList<SavepointItem> Items)
{
    public override string ToString() => $"{Store} at {Address}: {string.Join(", ", Items)}";
}

/// <summary>
/// A named copy of the unified store that Restore-MigrationSavepoint returns to exactly: the PostgreSQL tables, and the
/// projection stores the target configured when it was taken.
/// </summary>
public sealed class MigrationSavepoint
{
    internal MigrationSavepoint(string name, DateTimeOffset createdAt, string storageSchema, int schemaVersion, IReadOnlyList<SavepointTable> tables,
        IReadOnlyList<SavepointPart> parts, MigrationTarget target)
    {
        Name = name;
        CreatedAt = createdAt;
        StorageSchema = storageSchema;
        SchemaVersion = schemaVersion;
        Tables = tables;
        Parts = parts;
        Target = target;
    }

    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The schema in the target database that holds the savepoint's copy (and what projection stores export into it).</summary>
    public string StorageSchema { get; }

    public int SchemaVersion { get; }

    public IReadOnlyList<SavepointTable> Tables { get; }

    /// <summary>The projection stores' parts, one per store the savepoint covers.</summary>
    public IReadOnlyList<SavepointPart> Parts { get; }

    /// <summary>The name of the system of record's store in savepoints and restore results.</summary>
    public const string SystemOfRecord = "PostgreSQL";

    /// <summary>The stores the savepoint covers, PostgreSQL first.</summary>
    public IReadOnlyList<string> Stores => [SystemOfRecord, .. Parts.Select(p => p.Store)];

    public long TotalRows => Tables.Sum(t => t.Rows);

    public MigrationTarget Target { get; }

    public override string ToString() =>
        $"Savepoint '{Name}' of {string.Join(", ", Stores)}, created {CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}: {DisplayText.Count(TotalRows)} rows";
}

/// <summary>Where a store stands after (part of) a restore.</summary>
public enum StoreRestoreState
{
    /// <summary>Returned to the savepoint, and its counts and content hashes verified.</summary>
    Restored,

    /// <summary>Not touched: the restore stopped before this store's turn.</summary>
    NotStarted,

    /// <summary>PostgreSQL only: its transaction was rolled back, so it holds what it held before the restore.</summary>
    Unchanged,

    /// <summary>The store's restore failed or was stopped part way; it holds neither its former state nor the savepoint's.</summary>
    Failed,

    /// <summary>The savepoint has no part for this configured store (it was taken before the store was configured).</summary>
    NotCovered,
}

/// <summary>One store's outcome of a restore, how long it took, and why it failed when it did.</summary>
public sealed record StoreRestoreResult(string Store, StoreRestoreState State, TimeSpan Duration, string? Message = null)
{
    public override string ToString() => $"{Store}: {State}" + (Message is null ? "" : $" ({Message})");
}

public sealed record MigrationRestoreResult(string SavepointName, IReadOnlyList<SavepointTable> Tables, bool Verified, TimeSpan Duration,
    IReadOnlyList<StoreRestoreResult> Stores)
{
    public long TotalRows => Tables.Sum(t => t.Rows);

    public override string ToString() =>
        $"Restore of '{SavepointName}': {DisplayText.Count(TotalRows)} rows, {(Verified ? "verified" : "not verified")}, {string.Join(", ", Stores)} in {DisplayText.Duration(Duration)}";
}

/// <summary>A restore that did not finish: <see cref="Result"/> says which state every store is in.</summary>
public sealed class SavepointRestoreException(string errorId, MigrationErrorKind kind, string message, MigrationRestoreResult result, Exception? inner)
    : MigrationException(errorId, kind, message, result.SavepointName, inner)
{
    public MigrationRestoreResult Result { get; } = result;
}
