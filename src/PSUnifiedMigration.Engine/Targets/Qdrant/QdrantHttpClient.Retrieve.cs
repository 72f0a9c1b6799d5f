using System.Text.Json;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

public sealed partial class QdrantHttpClient
{
    /// <summary>
    /// POST /collections/{collection}/points (https://api.qdrant.tech/api-reference/points/get-points): the points of
    /// these ids that exist, with the named vectors asked for and no payload, in requests of at most MaxPointsPerRequest ids.
    /// </summary>
    public async Task<IReadOnlyList<QdrantPoint>> RetrieveAsync(string collection, IReadOnlyCollection<Guid> ids, IReadOnlyList<string> vectors,
        CancellationToken cancellationToken)
    {
        var found = new List<QdrantPoint>(ids.Count);
        foreach (var chunk in ids.Chunk(_options.MaxPointsPerRequest))
        {
            var body = QdrantJson.WriteJson(w =>
            {
                w.WriteStartObject();
                QdrantJson.WriteIds(w, "ids", chunk);
                w.WriteBoolean("with_payload", false);
                w.WriteStartArray("with_vector");
                vectors.ToList().ForEach(w.WriteStringValue);
                w.WriteEndArray();
                w.WriteEndObject();
            });
            var context = $"reading {chunk.Length} points of collection '{collection}', starting with point {chunk[0]}";
            using var response = await _transport.SendAsync(HttpMethod.Post, $"collections/{Escape(collection)}/points", body, context, collection, cancellationToken);
            try
            {
                found.AddRange(response!.RootElement.GetProperty("result").EnumerateArray().Select(QdrantJson.ReadPoint));
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or JsonException)
            {
                throw _transport.Unexpected(context, collection, e);
            }
        }

        return found;
    }
}
