using PSUnifiedMigration.Engine.Records;
using System.Data;
using System.Data.Common;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Relational;

/// <summary>
/// Cognee's relational database: an SQLite file (the default) or PostgreSQL. The reader writes one SQL for both;
/// the few places where the dialects differ (aggregates, key order, UUID parameters) ask the database.
/// </summary>
internal abstract class CogneeDatabase : IAsyncDisposable
{
    private DbTransaction? _snapshot;

    /// <summary>Where the database is, safe to print: a file path or a redacted connection.</summary>
    public abstract string Location { get; }

    /// <summary>The engine and its version, for the plan.</summary>
    public abstract string ServerVersion { get; }

    protected abstract DbConnection Connection { get; }

    /// <summary>Opens the database read-only; a missing, locked or foreign store gets an error that says so.</summary>
    public abstract Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Starts the read-only snapshot every later read sees.</summary>
    public async Task BeginSnapshotAsync(CancellationToken cancellationToken)
    {
        _snapshot = await BeginReadOnlyAsync(cancellationToken);
    }

    protected abstract Task<DbTransaction> BeginReadOnlyAsync(CancellationToken cancellationToken);

    /// <summary>Every column of every table, in order, with its declared type: what <see cref="CogneeCatalog"/> is built from.</summary>
    public abstract string CatalogSql { get; }

    /// <summary>The bytes a table occupies, for the plan's size figures.</summary>
    public abstract long TableBytes(string table);

    /// <summary>A comma-separated list of the expression's text over a group (SQLite group_concat, PostgreSQL string_agg).</summary>
    public abstract string ListAggregate(string expression, bool distinct = false);

    /// <summary>Any one value of the group; every column in a ledger group carries the same value, so which does not matter.</summary>
    public abstract string AnyValue(string expression);

    /// <summary>The expression as text in byte order, so keyset pages agree with the comparison (PostgreSQL's default collation does not).</summary>
    public abstract string PageKey(string expression);

    /// <summary>A UUID parameter as the database stores UUIDs (SQLite: 32 hex digits; PostgreSQL: uuid).</summary>
    public abstract object UuidParameter(Guid id);

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = _snapshot;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null or string)
            {
                parameter.DbType = DbType.String;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    public long ScalarLong(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync();
        }

        await Connection.DisposeAsync();
    }
}
