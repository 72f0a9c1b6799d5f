using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Planning;

/// <summary>
/// Refuses a target that is one of the sources' own databases: a run would write its unified and bookkeeping schemas into
/// the system it migrates from. Host names cannot tell (localhost, 127.0.0.1, a socket and a DNS alias can all be the same
/// server), so a database is known by its cluster's system identifier (pg_control_system()) and its oid in pg_database.
/// A database whose identity cannot be read is a warning that names it, never a silent pass.
/// </summary>
internal static class SameDatabaseCheck
{
    public static async Task CheckAsync(IReadOnlyList<MigrationSource> sources, MigrationTarget target, NpgsqlConnection targetConnection,
        List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        var targetIdentity = await IdentityAsync(targetConnection, $"target '{target.Name}'", issues, cancellationToken);
        if (targetIdentity is null)
        {
            return;
        }

        foreach (var source in sources)
        {
            foreach (var database in source.Location.Databases)
            {
                string? identity;
                try
                {
                    await using var connection = await database.OpenAsync(cancellationToken);
                    identity = await IdentityAsync(connection, $"source '{source.Name}' ({database.Display})", issues, cancellationToken);
                }
                catch (MigrationException)
                {
                    continue; // the source's own analysis reports a database it cannot reach
                }

                if (identity == targetIdentity)
                {
                    issues.Add(new(PlanIssueSeverity.Blocker, "TargetIsSource",
                        $"The target {target.Endpoint.Display} is the same database as source '{source.Name}' ({database.Display}): same server " +
                        "(system identifier) and same database (oid). A run would write the unified store into the system it migrates from.",
                        "Create a separate database for the unified store (CREATE DATABASE unified) and give New-MigrationTarget its connection string.",
                        source.Name));
                }
            }
        }
    }

    /// <summary>"system identifier/database oid", or null (and a warning) when the server does not let this user read it.</summary>
    private static async Task<string?> IdentityAsync(NpgsqlConnection connection, string what, List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(
                "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())::text",
                connection);
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            issues.Add(new(PlanIssueSeverity.Warning, "DatabaseIdentityUnknown",
                $"Could not read the server identity of the {what} ({e.MessageText}, SQLSTATE {e.SqlState}), so the plan cannot prove that the target " +
                "is not one of the sources' databases.", "Grant the user EXECUTE on pg_control_system(), or check by hand that the target is a database of its own.",
                what));
            return null;
        }
    }
}
