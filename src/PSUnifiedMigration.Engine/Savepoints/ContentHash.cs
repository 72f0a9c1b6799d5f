using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Savepoints;

/// <summary>
/// An order-independent hash of a set of items: the sum, modulo 2^64, of the first 8 bytes of each item's SHA-256.
/// Pages can be added in any order, so a store read by key in pages gives the same hash as any other reading of it.
/// </summary>
internal sealed class ContentHash
{
    private ulong _sum;

    public long Count { get; private set; }

    public void Add(string item)
    {
        _sum = unchecked(_sum + BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(item))));
        Count++;
    }

    public override string ToString() => _sum.ToString(CultureInfo.InvariantCulture);

    /// <summary>JSON with the keys of every object sorted, so equal content gives equal text whatever order a store returns keys in.</summary>
    public static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
