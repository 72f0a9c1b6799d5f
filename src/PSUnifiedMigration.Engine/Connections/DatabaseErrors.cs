using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>Turns database failures met while working into MigrationExceptions that say what to do.</summary>
public static class DatabaseErrors
{
    /// <summary>The exception as a MigrationException; <paramref name="doing"/> says what the engine was doing ("writing a batch").</summary>
    public static MigrationException Translate(Exception e, string doing, object? target) => e switch
    {
        MigrationException migration => migration,
        _ when IsTimeout(e) => TimedOut(doing, target, e),
        PostgresException { SqlState: "42501" } pg => new MigrationException("PostgresPermissionDenied", MigrationErrorKind.PermissionDenied,
            $"PostgreSQL denied permission while {doing}: {pg.MessageText}. Grant the connecting user the rights it needs " +
            "(see docs/troubleshooting.md), or connect as a user that has them.", target, e),
        PostgresException { SqlState: "53100" or "53200" } pg => new MigrationException("PostgresOutOfResources", MigrationErrorKind.ResourceBusy,
            $"PostgreSQL ran out of resources while {doing}: {pg.MessageText} (SQLSTATE {pg.SqlState}). Free disk or memory on the server, or lower -BatchSize.", target, e),
        PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) =>
            ConnectionLost(doing, $"{pg.MessageText} (SQLSTATE {pg.SqlState})", target, e),
        PostgresException pg => new MigrationException("PostgresError", MigrationErrorKind.InvalidOperation,
            $"PostgreSQL reported an error while {doing}: {pg.MessageText} (SQLSTATE {pg.SqlState}{(pg.Detail is null ? "" : ", " + pg.Detail)}).", target, e),
        FileNotFoundException or DirectoryNotFoundException => new MigrationException("FileNotFound", MigrationErrorKind.ObjectNotFound,
            $"A file was not found while {doing}: {e.Message} Check the paths given to the source.", target, e),
        NpgsqlException or TimeoutException => ConnectionLost(doing, e.Message, target, e),
        _ => new MigrationException("UnexpectedError", MigrationErrorKind.InvalidOperation, $"Unexpected error while {doing}: {e.Message}", target, e),
    };

    /// <summary>
    /// Whether a statement ran out of time: Npgsql's command timeout (an NpgsqlException over a TimeoutException) or the
    /// server's statement_timeout (SQLSTATE 57014). Neither means the connection was lost, so neither is reported as that.
    /// </summary>
    public static bool IsTimeout(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState == "57014",
        NpgsqlException { InnerException: TimeoutException } => true,
        NpgsqlException { InnerException: PostgresException { SqlState: "57014" } } => true,
        _ => false,
    };

    /// <summary>A statement that timed out, named by its purpose (<paramref name="doing"/>: "checking step chunks for records deleted at the source").</summary>
    public static MigrationException TimedOut(string doing, object? target, Exception e) =>
        new("CommandTimedOut", MigrationErrorKind.OperationTimeout,
            $"A PostgreSQL statement timed out while {doing}. Long statements run without a client-side limit unless the connection string " +
            "sets 'Command Timeout' or the server sets statement_timeout: raise either (0 means no limit) and run the command again.", target, e);

    /// <summary>
    /// Runs one long statement, so that a timeout names what it was for; any other failure passes unchanged to the caller's
    /// own handling.
    /// </summary>
    public static async Task<T> TimedAsync<T>(string doing, object? target, Func<Task<T>> statement)
    {
        try
        {
            return await statement();
        }
        catch (Exception e) when (IsTimeout(e))
        {
            throw TimedOut(doing, target, e);
        }
    }

    /// <summary>
    /// What the database itself said, from the innermost PostgreSQL error under <paramref name="e"/>: its message, detail,
    /// hint, SQLSTATE and the object it names. Null when no PostgreSQL error is underneath.
    /// </summary>
    public static string? ServerSaid(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is PostgresException pg)
            {
                var parts = new[]
                {
                    $"PostgreSQL: {pg.MessageText} (SQLSTATE {pg.SqlState})", pg.Detail is null ? null : $"Detail: {pg.Detail}",
                    pg.Hint is null ? null : $"Hint: {pg.Hint}",
                    pg.TableName is null ? null : $"Object: {pg.SchemaName}.{pg.TableName}{(pg.ColumnName is null ? "" : "." + pg.ColumnName)}",
                };
                return string.Join(" ", parts.Where(p => p is not null));
            }
        }

        return null;
    }

    private static MigrationException ConnectionLost(string doing, string why, object? target, Exception e) =>
        new("PostgresConnectionLost", MigrationErrorKind.ConnectionError,
            $"The connection to PostgreSQL was lost while {doing}: {why}. Committed batches stay; when the server is reachable, " +
            "Invoke-Migration -Resume continues from the last checkpoint.", target, e);
}
