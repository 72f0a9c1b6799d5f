using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>Qdrant's distance functions, spelled as its API spells them.</summary>
public enum QdrantDistance
{
    Cosine,
    Euclid,
    Dot,
    Manhattan,
}

/// <summary>Payload index types used by this tool (Qdrant's PayloadSchemaType, lower-cased on the wire).</summary>
public enum QdrantPayloadSchema
{
    Keyword,
    Integer,
    Uuid,
    Datetime,
}

/// <summary>One named dense vector of a collection.</summary>
public sealed record QdrantDenseVectorConfig(int Size, QdrantDistance Distance);

/// <summary>
/// What a collection holds: its dense vectors by name (a collection made with a single unnamed vector shows it
/// under the empty name, as Qdrant does), its sparse vector names, and its approximate point count.
/// </summary>
public sealed record QdrantCollectionInfo(
    string Name,
    IReadOnlyDictionary<string, QdrantDenseVectorConfig> DenseVectors,
    IReadOnlyList<string> SparseVectors,
    long PointsCount);

/// <summary>A sparse vector: ascending, distinct dimension indices and their values.</summary>
public sealed record QdrantSparseVector(uint[] Indices, float[] Values);

/// <summary>A point as written and as read back: UUID id, named dense and sparse vectors, JSON payload.</summary>
public sealed record QdrantPoint(
    Guid Id,
    IReadOnlyDictionary<string, float[]> DenseVectors,
    IReadOnlyDictionary<string, QdrantSparseVector> SparseVectors,
    JsonObject Payload);

/// <summary>One page of a scroll; <see cref="NextOffset"/> is the id to pass for the next page, null after the last.</summary>
public sealed record QdrantScrollPage(IReadOnlyList<QdrantPoint> Points, Guid? NextOffset);

/// <summary>A filter whose conditions must all hold: payload field equals value.</summary>
public sealed record QdrantFilter(IReadOnlyList<KeyValuePair<string, string>> MustMatch)
{
    public static QdrantFilter Match(string key, string value) => new([new(key, value)]);
}

/// <summary>A collection snapshot as Qdrant lists it.</summary>
public sealed record QdrantSnapshot(string Name, long Size, DateTimeOffset? CreationTime);

/// <summary>Request sizing and retry policy of <see cref="QdrantHttpClient"/>.</summary>
public sealed record QdrantClientOptions
{
    /// <summary>Most points in one upsert request.</summary>
    public int MaxPointsPerRequest { get; init; } = 256;

    /// <summary>
    /// Approximate ceiling of one upsert body in bytes. Qdrant refuses bodies over its max_request_size_mb
    /// (32 MB by default), so the default stays well below it. A single larger point is still sent alone.
    /// </summary>
    public int MaxBytesPerRequest { get; init; } = 8 * 1024 * 1024;

    /// <summary>Attempts per request, the first included, before a retryable failure becomes an error.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First backoff step; it doubles on each retry, with jitter (see <see cref="RetryPolicy"/>).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Ceiling of one wait between attempts, Retry-After included.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one HTTP request may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>These settings as the engine's shared retry schedule.</summary>
    internal RetryPolicy Retry => new(MaxAttempts - 1, InitialDelay, MaxDelay);
}
