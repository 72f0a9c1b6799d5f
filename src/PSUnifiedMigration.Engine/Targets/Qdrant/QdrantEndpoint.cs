using System.Security;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// A Qdrant server reached over its REST API. The API key is held only as a SecureString and is revealed
/// into the <c>api-key</c> header of each request and nowhere else; everything printable leaves it out.
/// </summary>
public sealed class QdrantEndpoint : IStoreEndpoint
{
    /// <summary>Qdrant holds the vectors, normalised (Cosine), hence the tolerance validation allows.</summary>
    public static readonly StoreKind StoreKind = new("Qdrant", StoreRole.Vector, QdrantProjection.Tolerance);

    private readonly SecureString? _apiKey;

    private QdrantEndpoint(Uri uri, SecureString? apiKey)
    {
        Uri = uri;
        _apiKey = apiKey;
        Display = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        Redacted = apiKey is null ? Display : Display + " (api-key ********)";
    }

    /// <summary>The base address: scheme, host, port and an optional path prefix (a proxy's, for example), ending in '/'.</summary>
    public Uri Uri { get; }

    public bool HasApiKey => _apiKey is not null;

    /// <summary>"http://host:6333" (plus any path prefix), for messages.</summary>
    public string Display { get; }

    /// <summary>The address and, when there is one, a masked API key; safe to print and persist.</summary>
    public string Redacted { get; }

    public StoreKind Kind => StoreKind;

    public IProjectionStore OpenProjection() => new QdrantProjection(this);

    public Savepoints.ISavepointPart OpenSavepointPart() => new QdrantSavepointPart(this);

    public override string ToString() => Redacted;

    /// <summary>Parses an http or https address such as 'http://qdrant01:6333'. The API key, if any, is kept as given.</summary>
    public static QdrantEndpoint Parse(string uri, SecureString? apiKey = null)
    {
        // The text is never quoted back: a mistyped address can carry a key in its query or user part.
        if (!Uri.TryCreate(uri?.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
        {
            throw new MigrationException("QdrantUriInvalid", MigrationErrorKind.InvalidArgument,
                "The Qdrant address is not a valid http or https URI. Give one such as 'http://qdrant01:6333', " +
                "and pass the API key with -QdrantApiKey.");
        }

        if (parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            throw new MigrationException("QdrantUriInvalid", MigrationErrorKind.InvalidArgument,
                "The Qdrant address must not contain a user name, query or fragment. Give only scheme, host, port and path " +
                "(for example 'https://qdrant01:6333'), and pass the API key with -QdrantApiKey.");
        }

        var path = parsed.AbsolutePath.EndsWith('/') ? parsed.AbsolutePath : parsed.AbsolutePath + "/";
        var normalized = new UriBuilder(parsed.Scheme, parsed.Host, parsed.Port, path).Uri;
        if (apiKey is { Length: > 0 })
        {
            apiKey = apiKey.Copy();
            apiKey.MakeReadOnly();
        }
        else
        {
            apiKey = null;
        }

        return new QdrantEndpoint(normalized, apiKey);
    }

    /// <summary>The API key as text, for the request header only.</summary>
    internal string? RevealApiKey() => _apiKey is null ? null : Secrets.Reveal(_apiKey);
}
