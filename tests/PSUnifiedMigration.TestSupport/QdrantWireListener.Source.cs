using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.TestSupport;

/// <summary>
/// What the fake needs to stand in for Qdrant as a migration source: collections seeded directly (as
/// claude-context-core left them), sparse vector parameters with their modifier (idf) reported back by
/// GET /collections/{name}, and scroll's with_vector (alias with_vectors) as a boolean or a list of vector names,
/// as documented at https://api.qdrant.tech/api-reference/points/scroll-points. Sparse vectors come back as
/// {indices, values} under their name beside the dense ones.
/// </summary>
public sealed partial class QdrantWireListener
{
    private readonly Dictionary<(string Collection, string Vector), string> _sparseModifiers = [];

    /// <summary>
    /// Creates <paramref name="collection"/> with the PUT /collections body <paramref name="config"/> and stores
    /// <paramref name="points"/> (PointStruct objects: id, vector, payload), both checked as the REST routes check them.
    /// </summary>
    public void Seed(string collection, JsonObject config, IEnumerable<JsonObject> points)
    {
        lock (_gate)
        {
            try
            {
                // Through JSON text, so the fake checks and stores exactly what the wire would carry.
                var created = CreateCollection(collection, (JsonObject)JsonNode.Parse(config.ToJsonString())!);
                var stored = created.Status == 200
                    ? Upsert(collection, new JsonObject { ["points"] = new JsonArray([.. points.Select(p => JsonNode.Parse(p.ToJsonString()))]) })
                    : created;
                if (stored.Status != 200)
                {
                    throw new ArgumentException($"Qdrant would refuse this seed: {stored.Body}");
                }
            }
            catch (BadRequest e)
            {
                throw new ArgumentException($"Qdrant would refuse this seed: {e.Message}", e);
            }
        }
    }

    private void RememberSparseModifier(string collection, string vector, JsonObject parameters)
    {
        if (parameters["modifier"] is { } modifier)
        {
            var value = modifier.GetValueKind() == JsonValueKind.String ? modifier.GetValue<string>() : null;
            _sparseModifiers[(collection, vector)] = value is "idf" or "none" ? value : throw new BadRequest($"sparse_vectors.{vector}.modifier: expected one of idf, none");
        }
        else
        {
            _sparseModifiers.Remove((collection, vector));
        }
    }

    private JsonObject SparseParams(string collection, string vector) =>
        _sparseModifiers.TryGetValue((collection, vector), out var modifier) ? new JsonObject { ["modifier"] = modifier } : [];

    /// <summary>Null for no vectors; otherwise the names to return (all of them for true).</summary>
    private static HashSet<string>? ReadVectorSelector(Collection collection, JsonNode? node)
    {
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.False:
                return null;
            case JsonValueKind.True:
                return [.. collection.Dense.Keys, .. collection.Sparse];
            case JsonValueKind.Array:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in node.AsArray())
                {
                    var name = item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : throw new BadRequest("with_vector: expected a boolean or an array of vector names");
                    if (!collection.Dense.ContainsKey(name) && !collection.Sparse.Contains(name))
                    {
                        throw new BadRequest($"Wrong input: Not existing vector name error: {name}");
                    }

                    names.Add(name);
                }

                return names;
            default:
                throw new BadRequest("with_vector: expected a boolean or an array of vector names");
        }
    }

    private static JsonNode SelectVectors(Collection collection, StoredPoint point, HashSet<string> names) =>
        collection.Dense.ContainsKey("")
            ? point.Vector[""]!.DeepClone()
            : new JsonObject(point.Vector.Where(v => names.Contains(v.Key)).Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone())));
}
