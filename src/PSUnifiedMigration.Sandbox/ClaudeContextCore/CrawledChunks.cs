using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>One chunk of a crawled page as crawl4ai's runner builds it (StoredChunk in storage/postgres_store.py).</summary>
public sealed record CrawledChunk(
    string Id,
    string ChunkText,
    string Summary,
    bool IsCode,
    string Language,
    string RelativePath,
    int ChunkIndex,
    int StartChar,
    int EndChar,
    string ModelUsed,
    string Scope,
    float[] Vector,
    JsonObject Metadata)
{
    /// <summary>
    /// The metadata crawl4ai's insert_chunks writes into the unified table: the chunk's own metadata plus summary,
    /// is_code, chunk_index, model_used and scope, which that table has no columns for.
    /// </summary>
    public JsonObject UnifiedMetadata()
    {
        var merged = (JsonObject)Metadata.DeepClone();
        merged["summary"] = Summary;
        merged["is_code"] = IsCode;
        merged["chunk_index"] = ChunkIndex;
        merged["model_used"] = ModelUsed;
        merged["scope"] = Scope;
        return merged;
    }
}

/// <summary>
/// Deterministic crawled chunks, shaped as claude-context-core 5b02fcb's crawl4ai runner makes them
/// (services/crawl4ai-runner/app/services/crawling_service.py): a random UUID as the id (uuid4 there), metadata with
/// confidence, is_code, language, start_char and end_char, and every other chunk a code snippet.
/// </summary>
public static class CrawledChunks
{
    public static IReadOnlyList<CrawledChunk> Generate(int seed, int count, int dimension, string scope)
    {
        var random = new Random(seed);
        var chunks = new List<CrawledChunk>(count);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var isCode = i % 2 == 1;
            var language = isCode ? "python" : "en";
            var text = isCode
                ? $"pip install acme=={random.Next(1, 9)}.{i}\nimport acme\nacme.run({i})"
                : $"The guide's part {i} says to restart the service after {random.Next(2, 60)} seconds.";
            var bytes = new byte[16];
            random.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
            var metadata = new JsonObject
            {
                ["confidence"] = isCode ? 0.9 : 0.1,
                ["is_code"] = isCode,
                ["language"] = language,
                ["start_char"] = offset,
                ["end_char"] = offset + text.Length,
            };
            chunks.Add(new CrawledChunk(new Guid(bytes, bigEndian: true).ToString("D"), text, $"Part {i} of the guide.", isCode, language,
                $"https://docs.example.test/guide/page-{i / 3}", i % 3, offset, offset + text.Length, isCode ? "code-model" : "gte",
                scope, CodebaseChunks.UnitVector(random, dimension), metadata));
            offset += text.Length;
        }

        return chunks;
    }
}
