using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>One field of an upstream Claude-Context Milvus collection, as its createCollection request declares it.</summary>
public sealed record MilvusField(string Name, string DataType, bool IsPrimary = false, int? MaxLength = null, int? Dim = null, bool EnableAnalyzer = false);

/// <summary>A generated upstream collection: its name, schema and entities (field name to JSON value).</summary>
public sealed record UpstreamMilvusCollection(string Name, int Dimension, bool IsHybrid, IReadOnlyList<MilvusField> Fields, IReadOnlyList<JsonObject> Entities);

/// <summary>
/// Upstream Claude-Context's Milvus collections, from zilliztech/claude-context 6fc318b
/// packages/core/src/vectordb/milvus-restful-vectordb.ts (createCollection, createHybridCollection, insert) and
/// packages/core/src/context.ts (getCollectionName, generateId, processChunkBatch): fields id VarChar(512) primary,
/// vector FloatVector(dim), content VarChar(65535), relativePath VarChar(1024), startLine and endLine Int64,
/// fileExtension VarChar(32) and metadata VarChar(65535) holding JSON text (the chunk's metadata without filePath,
/// startLine and endLine, plus codebasePath, language and chunkIndex). The hybrid collection analyses content and adds
/// sparse_vector, a SparseFloatVector filled by the BM25 function content_bm25_emb, whose raw values Milvus never returns.
/// </summary>
public static class UpstreamMilvusCollections
{
    public const string Bm25Function = "content_bm25_emb";

    public const string SparseField = "sparse_vector";

    public static IReadOnlyList<MilvusField> Fields(int dimension, bool hybrid) => hybrid
        ?
        [
            new("id", "VarChar", IsPrimary: true, MaxLength: 512), new("content", "VarChar", MaxLength: 65535, EnableAnalyzer: true),
            new("vector", "FloatVector", Dim: dimension), new(SparseField, "SparseFloatVector"), .. Common(),
        ]
        : [new("id", "VarChar", IsPrimary: true, MaxLength: 512), new("vector", "FloatVector", Dim: dimension), new("content", "VarChar", MaxLength: 65535), .. Common()];

    /// <summary><paramref name="count"/> chunks of the codebase at <paramref name="codebasePath"/>, in the collection the indexer names after it.</summary>
    public static UpstreamMilvusCollection Generate(string codebasePath, bool hybrid, int count, int dimension, int seed)
    {
        var entities = CodebaseChunks.Generate(seed, count, dimension, codebasePath, upstreamIds: true).Select(c => Entity(c, codebasePath)).ToList();
        return new UpstreamMilvusCollection(ClaudeContextIds.CodebaseCollection(codebasePath, hybrid), dimension, hybrid, Fields(dimension, hybrid), entities);
    }

    /// <summary>The entity insert writes for a chunk (sparse_vector is computed by Milvus, never sent).</summary>
    public static JsonObject Entity(CodebaseChunk chunk, string codebasePath) => new()
    {
        ["id"] = chunk.Id,
        ["vector"] = new JsonArray([.. chunk.Vector.Select(v => JsonValue.Create(v))]),
        ["content"] = chunk.Content,
        ["relativePath"] = chunk.RelativePath,
        ["startLine"] = chunk.StartLine,
        ["endLine"] = chunk.EndLine,
        ["fileExtension"] = chunk.FileExtension,
        ["metadata"] = new JsonObject
        {
            ["language"] = chunk.Metadata["language"]?.DeepClone(),
            ["codebasePath"] = codebasePath,
            ["chunkIndex"] = chunk.ChunkIndex,
        }.ToJsonString(),
    };

    private static MilvusField[] Common() =>
    [
        new("relativePath", "VarChar", MaxLength: 1024), new("startLine", "Int64"), new("endLine", "Int64"),
        new("fileExtension", "VarChar", MaxLength: 32), new("metadata", "VarChar", MaxLength: 65535),
    ];
}
