using PSUnifiedMigration.Engine.Records;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>Cognee's default relational store: the SQLite file databases/cognee_db, opened read-only.</summary>
internal sealed class SqliteCogneeDatabase(string path) : CogneeDatabase
{
    private readonly SqliteConnection _connection = new(new SqliteConnectionStringBuilder
    {
        DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5,
    }.ConnectionString);

    public override string Location => path;

    public override string ServerVersion => "SQLite " + _connection.ServerVersion;

    protected override DbConnection Connection => _connection;

    public override string CatalogSql => """
        SELECT m.name, c.name, c.type FROM sqlite_master AS m, pragma_table_info(m.name) AS c
        WHERE m.type = 'table' ORDER BY m.name, c.cid
        """;

    public override Task OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new MigrationException("CogneeDatabaseNotFound", MigrationErrorKind.ObjectNotFound,
                $"Cognee's relational database {path} does not exist. Point -Path at the Cognee system root, or -SqlitePath at the file.", path);
        }

        try
        {
            _connection.Open();
            using var probe = _connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            probe.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            throw e.SqliteErrorCode switch
            {
                26 => new MigrationException("CogneeNotADatabase", MigrationErrorKind.InvalidData,
                    $"{path} is not an SQLite database. Point -SqlitePath at Cognee's relational database (databases/cognee_db).", path, e),
                5 or 6 => new MigrationException("CogneeDatabaseLocked", MigrationErrorKind.ResourceBusy,
                    $"{path} is locked by another process (Cognee is probably running). Stop Cognee, or copy the file while it is idle and migrate the copy.", path, e),
                _ => new MigrationException("CogneeDatabaseUnreadable", MigrationErrorKind.InvalidData, $"{path} cannot be read: {e.Message}", path, e),
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>A deferred transaction takes its read snapshot at the first read, which the caller makes right away.</summary>
    protected override Task<DbTransaction> BeginReadOnlyAsync(CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(_connection.BeginTransaction(deferred: true));

    /// <summary>SQLite keeps every table in one file; the plan reports the file's size.</summary>
    public override long TableBytes(string table) => new FileInfo(path).Length;

    public override string ListAggregate(string expression, bool distinct = false) =>
        distinct ? $"group_concat(DISTINCT {expression})" : $"group_concat({expression}, ',')";

    public override string AnyValue(string expression) => $"max({expression})";

    public override string PageKey(string expression) => expression;

    public override object UuidParameter(Guid id) => id.ToString("N");
}
