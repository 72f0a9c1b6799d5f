using System.Net;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// The upstream installation the Milvus tests read: a hybrid and a plain collection of one codebase and a plain
/// collection of another, large enough that with a query limit of 8 every first-level bucket must be split.
/// </summary>
internal static class MilvusSeed
{
    public static readonly UpstreamMilvusCollection Hybrid = UpstreamMilvusCollections.Generate("/home/dev/shop", hybrid: true, count: 150, dimension: 4, seed: 3);

    public static readonly UpstreamMilvusCollection ShopPlain = UpstreamMilvusCollections.Generate("/home/dev/shop", hybrid: false, count: 30, dimension: 4, seed: 5);

    public static readonly UpstreamMilvusCollection Blog = UpstreamMilvusCollections.Generate("/home/dev/blog", hybrid: false, count: 20, dimension: 4, seed: 4);

    public static IReadOnlyList<UpstreamMilvusCollection> All { get; } = [Hybrid, ShopPlain, Blog];

    public static MilvusWireListener Start(string? token)
    {
        var fake = MilvusWireListener.Start(token);
        foreach (var collection in All)
        {
            fake.AddCollection(collection);
        }

        return fake;
    }

    public static MigrationSource Source(MilvusWireListener fake, string? token, int queryLimit) =>
        new(ClaudeContextReader.Kind, "upstream", MilvusLocation.Parse(fake.Uri.ToString(), token is null ? null : new NetworkCredential("", token).SecurePassword, queryLimit));
}
