using System.Security;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// Where an upstream Claude-Context installation keeps its chunks: a Milvus or Zilliz Cloud server reached over its
/// REST API v2. The token (an API key, or "user:password") is held only as a SecureString and revealed into the
/// Authorization header of each request; everything printable leaves it out.
/// </summary>
public sealed class MilvusLocation : ISourceLocation
{
    /// <summary>Milvus refuses a query whose offset + limit exceeds this (its max query result window).</summary>
    public const int MaxQueryWindow = 16384;

    private readonly SecureString? _token;

    private MilvusLocation(Uri uri, SecureString? token, int queryLimit, string? codebaseSnapshotPath)
    {
        Uri = uri;
        _token = token;
        QueryLimit = queryLimit;
        CodebaseSnapshotGiven = codebaseSnapshotPath is not null;
        CodebaseSnapshotPath = codebaseSnapshotPath ?? CodebaseSnapshot.DefaultPath;
    }

    /// <summary>Upstream's mcp-codebase-snapshot.json, read to name each collection's codebase; by default ~/.context/mcp-codebase-snapshot.json.</summary>
    public string CodebaseSnapshotPath { get; }

    /// <summary>Whether the user named the snapshot file: only then is its absence a warning.</summary>
    public bool CodebaseSnapshotGiven { get; }

    /// <summary>The base address (scheme, host, port, optional path prefix), ending in '/'.</summary>
    public Uri Uri { get; }

    /// <summary>
    /// The most entities one query asks for: a bucket of ids whose query fills it is split into longer prefixes.
    /// Smaller keeps each request (and the bucket held in memory) small; at most <see cref="MaxQueryWindow"/>.
    /// </summary>
    public int QueryLimit { get; }

    public bool HasToken => _token is not null;

    public string ConnectionString => Uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + (HasToken ? " (token ********)" : "");

    /// <summary>Milvus has no schemas; the collections are found by name.</summary>
    public string Schema => "";

    public string Display => $"Milvus {ConnectionString}";

    public override string ToString() => Display;

    /// <summary>
    /// Parses an http or https address such as 'http://milvus01:19530'; the token, if any, is copied read-only.
    /// <paramref name="codebaseSnapshotPath"/> (a full path) replaces the default snapshot file.
    /// </summary>
    public static MilvusLocation Parse(string uri, SecureString? token = null, int queryLimit = 4096, string? codebaseSnapshotPath = null)
    {
        // The text is never quoted back: a mistyped address can carry a token in its user part or query.
        if (!System.Uri.TryCreate(uri?.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")
            || parsed.UserInfo.Length > 0 || parsed.Query.Length > 0 || parsed.Fragment.Length > 0)
        {
            throw new MigrationException("MilvusUriInvalid", MigrationErrorKind.InvalidArgument,
                "The Milvus address is not a valid http or https URI of scheme, host, port and path only. Give one such as " +
                "'http://milvus01:19530' or 'https://in03-xxxx.api.gcp-us-west1.zillizcloud.com', and pass the token with -Token.");
        }

        if (queryLimit is < 2 or > MaxQueryWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(queryLimit), $"The query limit must be between 2 and {MaxQueryWindow}.");
        }

        var path = parsed.AbsolutePath.EndsWith('/') ? parsed.AbsolutePath : parsed.AbsolutePath + "/";
        SecureString? copy = null;
        if (token is { Length: > 0 })
        {
            copy = token.Copy();
            copy.MakeReadOnly();
        }

        return new MilvusLocation(new UriBuilder(parsed.Scheme, parsed.Host, parsed.Port, path).Uri, copy, queryLimit, codebaseSnapshotPath);
    }

    /// <summary>The token as text, for the request header only.</summary>
    internal string? RevealToken() => _token is null ? null : Secrets.Reveal(_token);
}
