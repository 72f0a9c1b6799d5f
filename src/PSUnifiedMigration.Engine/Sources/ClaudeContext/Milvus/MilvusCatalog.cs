using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>
/// One upstream Claude-Context collection: its name, vector dimension, the fields the reader asks for, the BM25
/// output field Milvus will not return (hybrid collections), and the codebase it indexes (from an entity's
/// metadata.codebasePath, else the codebase snapshot; the collection's name when neither says) with the snapshot's
/// status of it (null when the snapshot does not list it).
/// </summary>
internal sealed record MilvusCollection(string Name, int? Dimension, IReadOnlyList<string> Fields, string? SparseField, string Codebase, string Signature)
{
    public string? SnapshotStatus { get; init; }
}

/// <summary>
/// The Claude-Context collections of a Milvus server: every collection named code_chunks_* or hybrid_code_chunks_*
/// (upstream's getCollectionName), described once per read so a run sees the shape its plan saw.
/// </summary>
internal sealed partial class MilvusCatalog
{
    /// <summary>The fields upstream's insert writes; an extra field is read too and kept in the chunk's metadata.</summary>
    public static readonly IReadOnlyList<string> KnownFields = ["id", "vector", "content", "relativePath", "startLine", "endLine", "fileExtension", "metadata"];

    private MilvusCatalog(IReadOnlyList<MilvusCollection> collections) => Collections = collections;

    public IReadOnlyList<MilvusCollection> Collections { get; }

    public MilvusCollection Collection(string name) => Collections.Single(c => c.Name == name);

    public static async Task<MilvusCatalog> LoadAsync(MilvusRestClient client, CodebaseSnapshot snapshot, CancellationToken cancellationToken)
    {
        var collections = new List<MilvusCollection>();
        foreach (var name in (await client.ListCollectionsAsync(cancellationToken)).Where(n => ChunkCollection().IsMatch(n)).Order(StringComparer.Ordinal))
        {
            var described = await client.DescribeAsync(name, cancellationToken);
            var fields = (described["fields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var sparse = (described["functions"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(f => f["type"]?.ToString() == "BM25")
                .SelectMany(f => (f["outputFieldNames"] as JsonArray ?? []).Select(n => n?.ToString())).FirstOrDefault();
            var readable = fields.Where(f => f["type"]?.ToString() != "SparseFloatVector").Select(f => f["name"]!.ToString()).ToList();
            var vector = fields.FirstOrDefault(f => f["name"]?.ToString() == "vector");
            var dimension = (vector?["params"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(p => p["key"]?.ToString() == "dim").Select(p => int.TryParse(p["value"]?.ToString(), out var d) ? d : (int?)null).FirstOrDefault();
            var signature = string.Join(",", fields.Select(f => $"{f["name"]}:{f["type"]}")) + $"|dim {dimension}|bm25 {sparse}";
            var sample = await client.QueryAsync(name, "id != \"\"", ["metadata"], 1, cancellationToken);
            var listed = snapshot.ForCollection(name);
            collections.Add(new MilvusCollection(name, dimension, readable, sparse, CodebaseOf(sample.FirstOrDefault()) ?? listed?.Path ?? name, signature)
            {
                SnapshotStatus = listed?.Status,
            });
        }

        return new MilvusCatalog(collections);
    }

    /// <summary>A hash of every collection's name, fields and codebase: a run refuses a source whose shape changed since its plan.</summary>
    public string Fingerprint()
    {
        var text = string.Join("|", Collections.Select(c => $"{c.Name}:{c.Signature}:{c.Codebase}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
    }

    private static string? CodebaseOf(JsonObject? entity)
    {
        try
        {
            return entity?["metadata"]?.ToString() is { } text && JsonNode.Parse(text) is JsonObject metadata
                && metadata["codebasePath"]?.ToString() is { Length: > 0 } path ? path : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // An unreadable metadata string names no codebase; the chunk itself is rejected when it is read.
            return null;
        }
    }

    [GeneratedRegex("^(hybrid_)?code_chunks_")]
    private static partial Regex ChunkCollection();
}
