using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Sources.Cognee.Native;

/// <summary>
/// Cognee's LanceDB collections (LanceDBAdapter: one table per &lt;DataPoint class&gt;_&lt;field&gt;, rows id utf8,
/// vector fixed-size list of float32, payload struct), read through the native reader helper in keyset pages on id,
/// each table pinned at the version it had when the run began. Their rows go through the
/// <see cref="CogneeCollectionReader"/>'s mapping, keeping the dataset of the store they came from.
/// </summary>
internal sealed class CogneeLanceCollections(NativeReaderHelper helper, CogneeNativeStore store, IReadOnlyDictionary<string, (CogneeVectorCollection Collection, long Version)> tables)
{
    public IReadOnlyList<CogneeVectorCollection> Collections { get; } = tables.Values.Select(t => t.Collection).OrderBy(c => c.Table, StringComparer.Ordinal).ToList();

    /// <summary>The store's tables that have Cognee's columns (id, vector, payload), with their row counts, dimensions and versions.</summary>
    public static async Task<CogneeLanceCollections> OpenAsync(NativeReaderHelper helper, CogneeNativeStore store, CancellationToken cancellationToken)
    {
        var tables = await helper.RunAsync(["lance-tables", store.Path], frame => frame, cancellationToken);
        var found = new Dictionary<string, (CogneeVectorCollection, long)>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var columns = table["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            if (!columns.IsSupersetOf(["id", "vector", "payload"]))
            {
                continue;
            }

            var name = table["table"]!.GetValue<string>();
            var rows = table["rows"]!.GetValue<long>();
            var dimensions = table["dimensions"] is JsonValue d && rows > 0 ? new Dictionary<int, long> { [d.GetValue<int>()] = rows } : [];
            found[name] = (new CogneeVectorCollection("lancedb:" + store.Label, name, rows, dimensions), table["version"]!.GetValue<long>());
        }

        return new CogneeLanceCollections(helper, store, found);
    }

    public CogneeCollectionReader Reader(CogneeSession session, CogneeRelationalReader relational) =>
        new(session, relational, Collections, ReadPageAsync, $"{store.Path} ({store.Description})");

    private Task<IReadOnlyList<CogneeCollectionReader.CollectionRow>> ReadPageAsync(CogneeVectorCollection collection, string? last, int limit, CancellationToken cancellationToken) =>
        helper.RunAsync(["lance-page", store.Path, collection.Table, tables[collection.Table].Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            last ?? "-", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            frame => new CogneeCollectionReader.CollectionRow(frame["id"]!.GetValue<string>(), frame["payload"] as JsonObject ?? [], Vector(frame["vector"]), store.DatasetId),
            cancellationToken);

    /// <summary>The helper sends a vector as base64 of its float32 little-endian bytes, so every bit arrives as LanceDB held it.</summary>
    private static float[]? Vector(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var bytes = Convert.FromBase64String(node.GetValue<string>());
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < bytes.Length; i += 4)
            {
                Array.Reverse(bytes, i, 4);
            }
        }

        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
