using System.Security.Cryptography;
using System.Text;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;

/// <summary>
/// The Qdrant point id claude-context-core gives a chunk (src/vectordb/qdrant-vectordb.ts stringToUUID at 5b02fcb):
/// SHA-1 over the UTF-8 text of its namespace UUID followed by the chunk id (a string concatenation, not RFC 4122's
/// namespace bytes), the first 16 bytes as a UUID with version 5 and variant 10. Recomputing it from a PostgreSQL
/// row's chunk id is the only way to find that row's point: the payload carries no chunk id.
/// </summary>
internal static class ClaudeContextPointIds
{
    private const string Namespace = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    public static Guid ForChunk(string chunkId)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(Namespace + chunkId));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
