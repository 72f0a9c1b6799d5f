using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// Reads a collection in ascending id order although Milvus returns query results unordered and no further than
/// offset + limit = 16,384: ids (chunk_ + 16 hex digits) are split into prefix buckets chunk_0 ... chunk_f, each
/// queried whole (id like "chunk_3%"); a bucket whose answer fills the limit may hold more and is split into its
/// sixteen longer prefixes instead. A bucket that fits is sorted here, so the entities come out in id order and the
/// last id read says exactly where to resume: later buckets are read whole, the bucket holding it with id > last.
/// </summary>
internal static class MilvusBuckets
{
    public const string IdPrefix = "chunk_";

    /// <summary>Every entity matched by the buckets: compared with the collection's count so no entity goes unread.</summary>
    public const string BucketedFilter = "id like \"" + IdPrefix + "%\"";

    /// <summary>Every entity of a collection.</summary>
    public const string AllFilter = "id != \"\"";

    private const string Hex = "0123456789abcdef";

    /// <summary>The collection's entities with an id after <paramref name="after"/> (all when null), in ordinal id order.</summary>
    public static async IAsyncEnumerable<JsonObject> ReadAsync(MilvusRestClient client, MilvusCollection collection, string? after, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Stack<string>(Children(IdPrefix));
        while (pending.TryPop(out var prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var holdsAfter = after is not null && after.StartsWith(prefix, StringComparison.Ordinal);
            if (after is not null && !holdsAfter && string.CompareOrdinal(prefix, after) < 0)
            {
                continue; // every id with this prefix sorts before the position
            }

            var filter = $"id like {Literal(prefix + "%")}" + (holdsAfter ? $" and id > {Literal(after!)}" : "");
            var rows = await client.QueryAsync(collection.Name, filter, collection.Fields, limit, cancellationToken);
            if (rows.Count >= limit)
            {
                foreach (var child in Children(prefix))
                {
                    pending.Push(child);
                }

                continue;
            }

            foreach (var row in rows.OrderBy(IdOf, StringComparer.Ordinal))
            {
                yield return row;
            }
        }
    }

    public static string IdOf(JsonObject entity) => entity["id"]?.GetValueKind() == JsonValueKind.String ? entity["id"]!.GetValue<string>() : "";

    /// <summary>The sixteen longer prefixes, last first, so popping them reads in ascending order.</summary>
    private static IEnumerable<string> Children(string prefix) => Hex.Reverse().Select(c => prefix + c);

    /// <summary>A Milvus string literal: double-quoted with JSON escapes.</summary>
    private static string Literal(string value) => JsonSerializer.Serialize(value);
}
