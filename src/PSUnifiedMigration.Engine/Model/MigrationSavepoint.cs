namespace PSUnifiedMigration.Engine.Model;

public sealed record SavepointTable(string Table, long Rows, string ContentHash);

/// <summary>A named copy of the unified PostgreSQL store that Restore-MigrationSavepoint returns to exactly.</summary>
public sealed class MigrationSavepoint
{
    internal MigrationSavepoint(string name, DateTimeOffset createdAt, string storageSchema, int schemaVersion, IReadOnlyList<SavepointTable> tables, MigrationTarget target)
    {
        Name = name;
        CreatedAt = createdAt;
        StorageSchema = storageSchema;
        SchemaVersion = schemaVersion;
        Tables = tables;
        Target = target;
    }

    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The schema in the target database that holds the savepoint's copy.</summary>
    public string StorageSchema { get; }

    public int SchemaVersion { get; }

    public IReadOnlyList<SavepointTable> Tables { get; }

    public long TotalRows => Tables.Sum(t => t.Rows);

    public MigrationTarget Target { get; }
}

public sealed record MigrationRestoreResult(string SavepointName, IReadOnlyList<SavepointTable> Tables, bool Verified, TimeSpan Duration)
{
    public long TotalRows => Tables.Sum(t => t.Rows);
}
