using System.Net.Http.Headers;
using System.Security;
using System.Text;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// A Neo4j server reached over its HTTP API, and the database to write. The password is held only as a
/// SecureString and is revealed only to build the Authorization header of a request; everything printable is redacted.
/// </summary>
public sealed class Neo4jEndpoint : IStoreEndpoint
{
    /// <summary>Neo4j holds the graph; its name is recorded in savepoints and names its validation checks.</summary>
    public static readonly StoreKind StoreKind = new("Neo4j", StoreRole.Graph);

    public const string DefaultDatabase = "neo4j";

    /// <summary>The user Neo4j authenticates when a password is given without a user name.</summary>
    public const string DefaultUserName = "neo4j";

    private readonly SecureString? _password;

    private Neo4jEndpoint(Uri uri, string? userName, SecureString? password, string database)
    {
        Uri = uri;
        UserName = userName ?? (password is null ? null : DefaultUserName);
        _password = password;
        Database = database;
        var user = UserName is null ? "" : Uri.EscapeDataString(UserName) + (password is null ? "" : ":********") + "@";
        Redacted = $"{uri.Scheme}://{user}{uri.Authority}{uri.AbsolutePath}";
    }

    /// <summary>The server's base URI (scheme, host, port, optional base path), without user information.</summary>
    public Uri Uri { get; }

    public string? UserName { get; }

    public bool HasPassword => _password is not null;

    /// <summary>The database to write; Neo4j 3.x has one database and ignores it.</summary>
    public string Database { get; }

    /// <summary>The URI with the password replaced by asterisks; safe to print and persist.</summary>
    public string Redacted { get; }

    /// <summary>"host:port/database", for messages.</summary>
    public string Display => $"{Uri.Host}:{Uri.Port}/{Database}";

    public StoreKind Kind => StoreKind;

    public IProjectionStore OpenProjection() => new Neo4jProjection(this);

    public Savepoints.ISavepointPart OpenSavepointPart() => new Neo4jSavepointPart(this);

    public override string ToString() => Redacted;

    /// <summary>
    /// Parses an http:// or https:// URI. A user name and password inside it are moved out of the URI, the password
    /// into a SecureString; explicit credentials win over the URI's.
    /// </summary>
    public static Neo4jEndpoint Parse(string uri, string? userName = null, SecureString? password = null, string database = DefaultDatabase)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new MigrationException("Neo4jUriInvalid", MigrationErrorKind.InvalidArgument,
                "The Neo4j URI is empty. Give the server's HTTP address, such as 'http://graph01:7474'.");
        }

        // The parser's message and the text itself may hold a password, so neither is echoed.
        if (!Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
        {
            throw new MigrationException("Neo4jUriInvalid", MigrationErrorKind.InvalidArgument,
                "The Neo4j URI could not be used. Give the HTTP API's address as 'http://host:7474' or 'https://host:7473' " +
                "(bolt:// and neo4j:// are not supported), and pass the password with -Credential.");
        }

        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            throw new MigrationException("Neo4jUriInvalid", MigrationErrorKind.InvalidArgument,
                $"The Neo4j URI for {parsed.Host}:{parsed.Port} has a query or fragment; give only scheme, host, port and an optional base path.");
        }

        if (string.IsNullOrWhiteSpace(database))
        {
            throw new MigrationException("Neo4jDatabaseNameInvalid", MigrationErrorKind.InvalidArgument,
                "The Neo4j database name is empty. Leave it out to use 'neo4j'.");
        }

        string? uriUser = null;
        SecureString? uriPassword = null;
        if (parsed.UserInfo.Length > 0)
        {
            var parts = parsed.UserInfo.Split(':', 2);
            uriUser = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                uriPassword = Secrets.Protect(Uri.UnescapeDataString(parts[1]));
            }
        }

        var baseUri = new UriBuilder(parsed) { UserName = "", Password = "" }.Uri;
        return new Neo4jEndpoint(baseUri, string.IsNullOrEmpty(userName) ? NullIfEmpty(uriUser) : userName, password ?? uriPassword, database.Trim());
    }

    /// <summary>The Basic Authorization header for this endpoint's credentials, or null without credentials.</summary>
    internal AuthenticationHeaderValue? CreateAuthorization()
    {
        if (UserName is null)
        {
            return null;
        }

        var password = _password is null ? "" : Secrets.Reveal(_password);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(UserName + ":" + password)));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
