using System.Net.Http;
using System.Net.Sockets;
using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>
/// Which failures are worth another attempt: the connection broke, the server restarted or shut the session down,
/// or it asked the client to try again. Everything else (bad data, permissions, a read-only target) fails at once.
/// </summary>
public static class TransientErrors
{
    /// <summary>SQLSTATEs a retry can cure: connection exceptions, shutdowns, serialisation and deadlock, overload.</summary>
    private static readonly HashSet<string> RetryableStates =
    [
        "40001", "40P01", // serialization_failure, deadlock_detected
        "53300",          // too_many_connections
        "55P03",          // lock_not_available
        "57P01", "57P02", "57P03", // admin_shutdown (pg_terminate_backend, restart), crash_shutdown, cannot_connect_now
        "58000", "58030", // system_error, io_error
    ];

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case OperationCanceledException:
                // A statement that ran out of time would run out of time again: report it, never retry it as a lost connection.
                case MigrationException { ErrorId: "CommandTimedOut" }:
                    return false;
                case MigrationException { ErrorId: "PostgresTimeout" }:
                    return true;
                case var statement when DatabaseErrors.IsTimeout(statement):
                    return false;
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || RetryableStates.Contains(pg.SqlState);
                case NpgsqlException npgsql when npgsql.IsTransient:
                case IOException or SocketException or TimeoutException or HttpRequestException:
                    return true;
                case MigrationException { ErrorId: "TargetBusy" or "PostgresConnectionLost" }:
                    return true;
            }
        }

        return false;
    }
}
