using System.Management.Automation;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration;

internal static class ConnectionParameters
{
    /// <summary>A PostgreSQL endpoint from -ConnectionString and -Credential; the credential's password stays a SecureString.</summary>
    public static PostgresEndpoint Endpoint(string connectionString, PSCredential? credential) =>
        credential is null || credential == PSCredential.Empty
            ? PostgresEndpoint.Parse(connectionString)
            : PostgresEndpoint.Parse(connectionString, credential.UserName, credential.Password);
}
