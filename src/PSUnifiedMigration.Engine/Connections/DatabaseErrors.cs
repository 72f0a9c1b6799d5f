using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>Turns database failures met while working into MigrationExceptions that say what to do.</summary>
public static class DatabaseErrors
{
    /// <summary>The exception as a MigrationException; <paramref name="doing"/> says what the engine was doing ("writing a batch").</summary>
    public static MigrationException Translate(Exception e, string doing, object? target) => e switch
    {
        MigrationException migration => migration,
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
