using System.Security.Cryptography;
using System.Text;

namespace PSUnifiedMigration.Engine.Identity;

/// <summary>
/// Deterministic unified ids: a UUID legacy id is kept; any other legacy id becomes the RFC 4122
/// version-5 UUID of "origin:legacyId", so re-running a migration always produces the same ids.
/// </summary>
public static class DeterministicId
{
    /// <summary>The namespace of every name-based unified id (a fixed, random v4 UUID).</summary>
    public static readonly Guid UnifiedNamespace = new("5b0c53d6-2f4e-4f0e-9a51-6f1d8a6b3c21");

    public static Guid ForLegacyId(string systemOrigin, string legacyId) =>
        Guid.TryParseExact(legacyId, "D", out var uuid) ? uuid : NameBased(systemOrigin, legacyId);

    /// <summary>The id a record gets when its own UUID is already held by another record.</summary>
    public static Guid NameBased(string systemOrigin, string legacyId) =>
        Version5(UnifiedNamespace, systemOrigin + ":" + legacyId);

    public static Guid Version5(Guid namespaceId, string name)
    {
        Span<byte> input = stackalloc byte[16];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var buffer = new byte[16 + nameBytes.Length];
        input.CopyTo(buffer);
        nameBytes.CopyTo(buffer, 16);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(buffer, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
