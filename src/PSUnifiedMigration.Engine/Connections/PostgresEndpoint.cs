using System.Data.Common;
using System.Net.Sockets;
using System.Security;
using Npgsql;

namespace PSUnifiedMigration.Engine.Connections;

/// <summary>
/// A PostgreSQL server and database to connect to. The password and every other secret of the connection string
/// (see <see cref="ConnectionSecrets"/>) are held only as SecureStrings and put into a connection string at the moment
/// of connecting; everything printable is redacted.
/// </summary>
public sealed class PostgresEndpoint
{
    private const string PasswordKeyword = nameof(NpgsqlConnectionStringBuilder.Password);
    private const string CommandTimeoutKeyword = "Command Timeout";
    private readonly string _connectionStringWithoutSecrets;
    private readonly Dictionary<string, SecureString> _secrets;

    private PostgresEndpoint(NpgsqlConnectionStringBuilder builder, Dictionary<string, SecureString> secrets)
    {
        _secrets = secrets;
        Host = builder.Host ?? "localhost";
        Port = builder.Port;
        Database = builder.Database ?? builder.Username ?? "postgres";
        Username = builder.Username;
        builder.ApplicationName ??= "PSUnifiedMigration";
        // real[] columns may hold NULL elements; read them as float?[] only when they do, so a record can be rejected by index.
        builder.ArrayNullabilityMode = ArrayNullabilityMode.PerInstance;
        // Runs, undo, restore and validation issue set-based statements whose time grows with the store; Npgsql's fixed
        // 30 s default would cut them off. Without a 'Command Timeout' of the operator's, statements have no client-side
        // limit (a dead server still breaks the socket); with one, a statement that exceeds it is reported as CommandTimedOut.
        var ownTimeout = !new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey(CommandTimeoutKeyword);
        if (ownTimeout)
        {
            builder.CommandTimeout = 0;
        }

        _connectionStringWithoutSecrets = builder.ConnectionString;
        Redacted = BuildRedacted(builder, secrets, ownTimeout);
    }

    public string Host { get; }

    public int Port { get; }

    public string Database { get; }

    public string? Username { get; }

    /// <summary>The connection string with every secret replaced by asterisks; safe to print and persist.</summary>
    public string Redacted { get; }

    /// <summary>"host:port/database", for messages.</summary>
    public string Display => $"{Host}:{Port}/{Database}";

    public override string ToString() => Redacted;

    /// <summary>
    /// Parses a key=value connection string or a postgres:// URI. Every secret inside it (password, SSL password, a
    /// password in the URI's user info or query) is moved into a SecureString; an explicit credential wins over the
    /// connection string's user and password.
    /// </summary>
    public static PostgresEndpoint Parse(string connectionString, string? userName = null, SecureString? password = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new MigrationException("ConnectionStringEmpty", MigrationErrorKind.InvalidArgument,
                "The connection string is empty. Give one such as 'Host=db01;Port=5432;Database=claude'.");
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = connectionString.Contains("://", StringComparison.Ordinal)
                ? FromUri(connectionString)
                : new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or UriFormatException)
        {
            // The parser's message can quote the input; never echo it, since it may hold a password.
            throw new MigrationException("ConnectionStringInvalid", MigrationErrorKind.InvalidArgument,
                "The connection string could not be parsed. Use 'Host=...;Port=...;Database=...;Username=...' or " +
                "'postgresql://user@host:port/database', and pass the password with -Credential.");
        }

        var secrets = ConnectionSecrets.Take(builder);
        if (password is not null)
        {
            secrets[PasswordKeyword] = password;
        }

        if (!string.IsNullOrEmpty(userName))
        {
            builder.Username = userName;
        }

        return new PostgresEndpoint(builder, secrets);
    }

    /// <summary>Opens a connection, turning every failure into an actionable MigrationException.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(_connectionStringWithoutSecrets);
        ConnectionSecrets.Restore(builder, _secrets);

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await connection.DisposeAsync();
            throw TranslateOpenFailure(e);
        }
    }

    internal MigrationException TranslateOpenFailure(Exception e)
    {
        var who = Username is null ? "" : $" as user '{Username}'";
        return e switch
        {
            PostgresException { SqlState: "28P01" or "28000" } =>
                new MigrationException("PostgresAuthenticationFailed", MigrationErrorKind.AuthenticationError,
                    $"PostgreSQL at {Display} rejected the login{who}. Check the user name and password (pass them with -Credential) " +
                    "and that pg_hba.conf allows this client.", Redacted, e),
            PostgresException { SqlState: "3D000" } =>
                new MigrationException("PostgresDatabaseNotFound", MigrationErrorKind.ObjectNotFound,
                    $"The database '{Database}' does not exist on PostgreSQL at {Host}:{Port}. Check the Database part of the connection string, " +
                    "or create the database first.", Redacted, e),
            PostgresException pg =>
                new MigrationException("PostgresConnectionRefused", MigrationErrorKind.ConnectionError,
                    $"PostgreSQL at {Display} refused the connection{who}: {pg.MessageText} (SQLSTATE {pg.SqlState}).", Redacted, e),
            _ when SocketErrors.Find(e) is { } socket =>
                new MigrationException("PostgresUnreachable", MigrationErrorKind.ConnectionError,
                    $"Cannot reach PostgreSQL at {Host}:{Port} ({SocketErrors.Describe(socket)}). Check that the server is running, " +
                    "that host and port in the connection string are right, and that no firewall blocks the port.", Redacted, e),
            TimeoutException or NpgsqlException { InnerException: TimeoutException } =>
                new MigrationException("PostgresTimeout", MigrationErrorKind.ConnectionError,
                    $"Connecting to PostgreSQL at {Display} timed out. Check that the host is reachable, or raise 'Timeout' in the connection string.", Redacted, e),
            _ =>
                new MigrationException("PostgresConnectionFailed", MigrationErrorKind.ConnectionError,
                    $"Could not connect to PostgreSQL at {Display}: {e.Message}", Redacted, e),
        };
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        if (uri.Scheme is not ("postgres" or "postgresql"))
        {
            throw new UriFormatException();
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }

        return builder;
    }

    private static string BuildRedacted(NpgsqlConnectionStringBuilder withoutSecrets, IReadOnlyDictionary<string, SecureString> secrets, bool ownTimeout)
    {
        var copy = new NpgsqlConnectionStringBuilder(withoutSecrets.ConnectionString);
        copy.Remove("Application Name");
        copy.Remove("Array Nullability Mode");
        if (ownTimeout)
        {
            copy.Remove(CommandTimeoutKeyword);
        }

        return ConnectionSecrets.Redact(copy.ConnectionString, secrets);
    }
}
