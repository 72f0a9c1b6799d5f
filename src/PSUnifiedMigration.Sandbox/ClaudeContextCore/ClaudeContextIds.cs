using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>
/// The ids and names Claude-Context computes, recomputed here so generated installations carry the ids the real
/// code would have written and tests can join a Qdrant point or a Milvus entity with its PostgreSQL row.
/// Checked against Zykairotis/claude-context-core 5b02fcb (src/context.ts generateId and getCollectionName,
/// src/vectordb/qdrant-vectordb.ts stringToUUID, src/vectordb/postgres-dual-vectordb.ts getTableName) and
/// zilliztech/claude-context 6fc318b (packages/core/src/context.ts generateId and getCollectionName).
/// </summary>
public static partial class ClaudeContextIds
{
    /// <summary>The namespace claude-context-core prepends, as a 36-character string, to a chunk id before hashing it.</summary>
    public const string QdrantNamespace = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    /// <summary>
    /// claude-context-core's chunk id: "chunk_" + the first 16 hex digits of SHA-256 over the UTF-8 text
    /// "relativePath:startLine:endLine:chunkIndex:content", where a missing chunk index is written as -1.
    /// </summary>
    public static string CoreChunkId(string relativePath, int startLine, int endLine, int? chunkIndex, string content) =>
        ChunkId($"{relativePath}:{startLine}:{endLine}:{chunkIndex ?? -1}:{content}");

    /// <summary>Upstream Claude-Context's chunk id: the same hash without the chunk index ("relativePath:startLine:endLine:content").</summary>
    public static string UpstreamChunkId(string relativePath, int startLine, int endLine, string content) =>
        ChunkId($"{relativePath}:{startLine}:{endLine}:{content}");

    /// <summary>
    /// The Qdrant point id claude-context-core gives a chunk: SHA-1 over the UTF-8 text of <see cref="QdrantNamespace"/>
    /// followed by the chunk id (a string concatenation, not RFC 4122's namespace bytes), its first 16 bytes printed as
    /// a UUID with the version nibble forced to 5 and the variant bits to 10.
    /// </summary>
    public static Guid QdrantPointId(string chunkId)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(QdrantNamespace + chunkId));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>
    /// The collection of a codebase: (hybrid_)code_chunks_ + the first 8 hex digits of MD5 over the absolute path,
    /// the same in claude-context-core and upstream (upstream's name override aside).
    /// </summary>
    public static string CodebaseCollection(string absoluteCodebasePath, bool hybrid) =>
        (hybrid ? "hybrid_code_chunks_" : "code_chunks_") + Hex(MD5.HashData(Encoding.UTF8.GetBytes(absoluteCodebasePath)))[..8];

    /// <summary>PostgresDualVectorDatabase's table of a collection: every character outside [a-zA-Z0-9_] becomes _, lower-cased, + _vectors.</summary>
    public static string VectorsTable(string collection) => NotIdentifier().Replace(collection, "_").ToLowerInvariant() + "_vectors";

    private static string ChunkId(string combined) => "chunk_" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(combined)))[..16];

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    [GeneratedRegex("[^a-zA-Z0-9_]")]
    private static partial Regex NotIdentifier();
}
