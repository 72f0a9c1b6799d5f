using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>
/// The Qdrant collections and points claude-context-core writes for its code chunks, from
/// src/vectordb/qdrant-vectordb.ts at 5b02fcb: createHybridCollection makes named dense vectors 'vector' and
/// 'summary_vector' (Cosine) plus sparse 'sparse' with modifier idf; createCollection only 'vector' (and 'sparse'
/// when ENABLE_HYBRID_SEARCH=true). toPoint's payload carries content, relative_path, start_line, end_line,
/// file_extension, project_id, dataset_id, source_type, repo, branch, sha, lang, symbol and metadata (an object);
/// JSON drops the undefined ones, so symbol is absent. A hybrid point's summary_vector is the summary vector, or
/// the dense vector when the chunk has none. The point id is <see cref="ClaudeContextIds.QdrantPointId"/>; the chunk
/// id itself is not in the payload. toPoint names its vectors 'vectors' and 'sparse_vectors'; these points use the
/// documented PointStruct 'vector' (named dense and sparse vectors in one object), the shape Qdrant stores.
/// </summary>
public static class CoreQdrantPoints
{
    /// <summary>The PUT /collections/{name} body of a collection (optimizers_config and on_disk_payload left out).</summary>
    public static JsonObject CollectionConfig(int dimension, bool hybrid, bool sparse)
    {
        var vectors = new JsonObject { ["vector"] = Dense(dimension) };
        if (hybrid)
        {
            vectors["summary_vector"] = Dense(dimension);
        }

        var config = new JsonObject { ["vectors"] = vectors };
        if (hybrid || sparse)
        {
            config["sparse_vectors"] = new JsonObject { ["sparse"] = new JsonObject { ["modifier"] = "idf" } };
        }

        return config;
    }

    /// <summary>The point of one code chunk of <paramref name="table"/> (a plain or hybrid collection).</summary>
    public static JsonObject Point(CoreChunkTable table, CodebaseChunk chunk, bool sparse)
    {
        var vector = new JsonObject { ["vector"] = Numbers(chunk.Vector) };
        if (table.IsHybrid)
        {
            vector["summary_vector"] = Numbers(chunk.SummaryVector ?? chunk.Vector);
        }

        if (sparse)
        {
            var (indices, values) = SparseOf(chunk.Content);
            vector["sparse"] = new JsonObject { ["indices"] = new JsonArray([.. indices.Select(i => JsonValue.Create(i))]), ["values"] = Numbers(values) };
        }

        return new JsonObject
        {
            ["id"] = ClaudeContextIds.QdrantPointId(chunk.Id).ToString("D"),
            ["vector"] = vector,
            ["payload"] = new JsonObject
            {
                ["content"] = chunk.Content,
                ["relative_path"] = chunk.RelativePath,
                ["start_line"] = chunk.StartLine,
                ["end_line"] = chunk.EndLine,
                ["file_extension"] = chunk.FileExtension,
                ["project_id"] = table.ProjectId.ToString("D"),
                ["dataset_id"] = table.DatasetId.ToString("D"),
                ["source_type"] = "code",
                ["repo"] = table.Repo,
                ["branch"] = table.Branch,
                ["sha"] = table.Sha,
                ["lang"] = chunk.Lang,
                ["metadata"] = chunk.Metadata.DeepClone(),
            },
        };
    }

    /// <summary>
    /// A deterministic stand-in for the SPLADE vector the indexer computes: one entry per distinct word, index from the
    /// word's SHA-256, weight from its count; indices ascending and distinct, as Qdrant requires.
    /// </summary>
    public static (uint[] Indices, float[] Values) SparseOf(string content)
    {
        var weights = new SortedDictionary<uint, float>();
        foreach (var word in content.Split([' ', '\n', '\t', '(', ')', '{', '}', ';', ',', '.', ':'], StringSplitOptions.RemoveEmptyEntries))
        {
            var index = BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(word.ToLowerInvariant())), 0) % 30522;
            weights[index] = weights.GetValueOrDefault(index) + 0.5f;
        }

        return ([.. weights.Keys], [.. weights.Values]);
    }

    private static JsonObject Dense(int dimension) => new() { ["size"] = dimension, ["distance"] = "Cosine" };

    private static JsonArray Numbers(float[] values) => new([.. values.Select(v => JsonValue.Create(v))]);
}
