using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>The vectors one unified collection holds: one named dense vector and, optionally, one named sparse vector.</summary>
public sealed record QdrantCollectionSpec(string Name, string DenseVectorName, int Size, QdrantDistance Distance, string? SparseVectorName);

/// <summary>A unified record's vectors: Id is the record's unified id; Payload holds the unified ids and the filter fields, run_id included.</summary>
public sealed record VectorPoint(Guid Id, float[] Dense, QdrantSparseVector? Sparse, JsonObject Payload);

/// <summary>One page read back for validation; <see cref="Next"/> is where the next page starts, null after the last.</summary>
public sealed record VectorPage(IReadOnlyList<VectorPoint> Points, Guid? Next);

/// <summary>How an existing collection differs from what the plan needs; the plan turns each into a blocker.</summary>
public sealed record QdrantCollectionMismatch(string Collection, string Aspect, string Expected, string Actual)
{
    public string Message => $"Qdrant collection '{Collection}': {Aspect} is {Actual}, but the migration needs {Expected}.";

    public override string ToString() => Message;
}

/// <summary>Whether the collection was created now, and how an existing one differs (empty when it fits).</summary>
public sealed record QdrantCollectionCheck(bool Created, IReadOnlyList<QdrantCollectionMismatch> Mismatches);

/// <summary>Collection names of the unified store in Qdrant.</summary>
public static class QdrantCollectionNames
{
    public const string Chunks = "unified_chunks";

    private const string Prefix = "unified_";

    /// <summary>Whether a collection is one of the unified store's (the tool owns every unified_* collection).</summary>
    public static bool IsUnified(string collection) => collection.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// The collection of one data point collection of unified.data_point_vectors (its collection column): the name
    /// behind 'unified_' (Entity_name becomes unified_Entity_name). Characters outside letters, digits, '_' and '-'
    /// become '_', and a name that had to change gets a short hash of the original, so two different names never
    /// meet. Chunk vectors live in unified.chunks, never in data_point_vectors, and go to <see cref="Chunks"/>; so the
    /// names come from the unified tables alone, whatever source filled them.
    /// </summary>
    public static string ForDataPoints(string collection)
    {
        var sanitized = new StringBuilder(collection.Length);
        foreach (var c in collection)
        {
            sanitized.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        // Qdrant allows 255 characters; keep room for the hash suffix.
        const int MaxBeforeHash = 200;
        var name = Prefix + sanitized;
        if (collection.Length > 0 && name.Length <= MaxBeforeHash && sanitized.Equals(collection))
        {
            return name;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(collection)))[..8].ToLowerInvariant();
        return name[..Math.Min(name.Length, MaxBeforeHash)] + "_" + hash;
    }
}

/// <summary>
/// The unified store's vectors in Qdrant, in the migration engine's terms. Point ids are unified ids, so a re-run
/// or a retried batch replaces points instead of adding them, and every point carries the run that wrote it.
/// </summary>
public sealed class QdrantVectorStore
{
    /// <summary>The payload fields the unified store filters on; each gets a keyword index.</summary>
    public static readonly IReadOnlyList<string> FilterFields =
        ["project_id", "dataset_id", "system_origin", "source_type", "language", "relative_path", "run_id"];

    public const string RunIdField = "run_id";

    private readonly QdrantHttpClient _client;
    private readonly string _serverSnapshotsPath;

    /// <param name="client">The Qdrant client.</param>
    /// <param name="serverSnapshotsPath">
    /// The snapshots directory as the Qdrant server sees it (storage.snapshots_path; /qdrant/snapshots in the
    /// official image), since a snapshot is recovered from a file:// location on the server.
    /// </param>
    public QdrantVectorStore(QdrantHttpClient client, string serverSnapshotsPath = "/qdrant/snapshots")
    {
        _client = client;
        _serverSnapshotsPath = serverSnapshotsPath.TrimEnd('/');
    }

    /// <summary>
    /// Creates the collection when it is missing. When it exists, reports every way it differs from the spec
    /// (missing dense vector, dimension, distance, missing sparse vector) and changes nothing.
    /// </summary>
    public async Task<QdrantCollectionCheck> EnsureCollectionAsync(QdrantCollectionSpec spec, CancellationToken cancellationToken)
    {
        var existing = await _client.GetCollectionAsync(spec.Name, cancellationToken);
        if (existing is null)
        {
            await _client.CreateCollectionAsync(spec.Name, spec.DenseVectorName, spec.Size, spec.Distance, spec.SparseVectorName, cancellationToken);
            return new QdrantCollectionCheck(true, []);
        }

        var mismatches = new List<QdrantCollectionMismatch>();
        if (!existing.DenseVectors.TryGetValue(spec.DenseVectorName, out var dense))
        {
            var present = existing.DenseVectors.Count == 0 ? "none" : string.Join(", ", existing.DenseVectors.Keys.Select(k => k.Length == 0 ? "(unnamed)" : $"'{k}'"));
            mismatches.Add(new(spec.Name, "the dense vector", $"a vector named '{spec.DenseVectorName}'", $"missing (dense vectors: {present})"));
        }
        else
        {
            if (dense.Size != spec.Size)
            {
                mismatches.Add(new(spec.Name, $"the dimension of '{spec.DenseVectorName}'", spec.Size.ToString(), dense.Size.ToString()));
            }

            if (dense.Distance != spec.Distance)
            {
                mismatches.Add(new(spec.Name, $"the distance of '{spec.DenseVectorName}'", spec.Distance.ToString(), dense.Distance.ToString()));
            }
        }

        if (spec.SparseVectorName is not null && !existing.SparseVectors.Contains(spec.SparseVectorName))
        {
            mismatches.Add(new(spec.Name, "the sparse vector", $"a sparse vector named '{spec.SparseVectorName}'", "missing"));
        }

        return new QdrantCollectionCheck(false, mismatches);
    }

    /// <summary>
    /// A keyword index on each filter field. Keyword rather than uuid for the id fields: it matches the same
    /// exact-value filters and works on every Qdrant 1.x, while uuid indexes need 1.11 or later.
    /// Creating an index that exists is a no-op in Qdrant, so this can run on every migration.
    /// </summary>
    public async Task EnsurePayloadIndexesAsync(string collection, CancellationToken cancellationToken)
    {
        foreach (var field in FilterFields)
        {
            await _client.CreatePayloadIndexAsync(collection, field, QdrantPayloadSchema.Keyword, cancellationToken);
        }
    }

    /// <summary>Writes the points by unified id (replacing any with the same id) and returns when Qdrant has applied them.</summary>
    public Task UpsertAsync(QdrantCollectionSpec spec, IReadOnlyList<VectorPoint> points, CancellationToken cancellationToken)
    {
        var qdrantPoints = new List<QdrantPoint>(points.Count);
        foreach (var point in points)
        {
            // Checked here so the error names the record; Qdrant would reject the whole request.
            if (point.Dense.Length != spec.Size)
            {
                throw new MigrationException("QdrantVectorDimensionMismatch", MigrationErrorKind.InvalidData,
                    $"Record {point.Id}: its dense vector has {point.Dense.Length} dimensions, but Qdrant collection '{spec.Name}' holds {spec.Size}.", point.Id);
            }

            if (point.Payload[RunIdField] is not JsonValue runId || runId.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                throw new MigrationException("QdrantPayloadWithoutRun", MigrationErrorKind.InvalidArgument,
                    $"Record {point.Id}: its Qdrant payload has no '{RunIdField}' text, so the run that wrote it could not be undone.", point.Id);
            }

            var sparse = new Dictionary<string, QdrantSparseVector>(StringComparer.Ordinal);
            if (point.Sparse is not null)
            {
                sparse[spec.SparseVectorName ?? throw new MigrationException("QdrantSparseVectorNotConfigured", MigrationErrorKind.InvalidArgument,
                    $"Record {point.Id} has a sparse vector, but Qdrant collection '{spec.Name}' is planned without one.", point.Id)] = point.Sparse;
            }

            qdrantPoints.Add(new QdrantPoint(point.Id, new Dictionary<string, float[]>(StringComparer.Ordinal) { [spec.DenseVectorName] = point.Dense },
                sparse, point.Payload));
        }

        return _client.UpsertPointsAsync(spec.Name, qdrantPoints, cancellationToken);
    }

    /// <summary>Removes every point the run wrote (payload run_id equals it) and returns when Qdrant has applied it.</summary>
    public Task DeleteRunAsync(string collection, Guid runId, CancellationToken cancellationToken) =>
        _client.DeletePointsByFilterAsync(collection, RunIdField, runId.ToString("D"), cancellationToken);

    /// <summary>The exact number of points, all of them or only those one run wrote.</summary>
    public Task<long> CountAsync(string collection, Guid? runId, CancellationToken cancellationToken) =>
        _client.CountAsync(collection, runId is { } run ? QdrantFilter.Match(RunIdField, run.ToString("D")) : null, cancellationToken);

    /// <summary>
    /// One page of points in id order, starting at <paramref name="from"/> (inclusive), with vectors and payload,
    /// for validation. With the Cosine distance Qdrant stores dense vectors normalised, so they read back
    /// normalised rather than as written.
    /// </summary>
    public async Task<VectorPage> ReadPageAsync(QdrantCollectionSpec spec, Guid? from, int limit, CancellationToken cancellationToken)
    {
        var page = await _client.ScrollAsync(spec.Name, from, limit, true, null, cancellationToken);
        var points = page.Points.Select(p => new VectorPoint(
            p.Id,
            p.DenseVectors.TryGetValue(spec.DenseVectorName, out var dense) ? dense : [],
            spec.SparseVectorName is not null && p.SparseVectors.TryGetValue(spec.SparseVectorName, out var sparse) ? sparse : null,
            p.Payload)).ToList();
        return new VectorPage(points, page.NextOffset);
    }

    /// <summary>Takes a snapshot of the collection on the server; returns its name.</summary>
    public async Task<string> CreateSnapshotAsync(string collection, CancellationToken cancellationToken) =>
        (await _client.CreateSnapshotAsync(collection, cancellationToken)).Name;

    /// <summary>Replaces the collection's points and configuration with those of one of its snapshots on the server.</summary>
    public Task RestoreSnapshotAsync(string collection, string snapshotName, CancellationToken cancellationToken) =>
        _client.RecoverSnapshotAsync(collection, SnapshotLocation(collection, snapshotName), cancellationToken);

    /// <summary>Where the server keeps a collection's snapshot: {snapshots_path}/{collection}/{snapshot}.</summary>
    public string SnapshotLocation(string collection, string snapshotName) =>
        $"file://{_serverSnapshotsPath}/{Uri.EscapeDataString(collection)}/{Uri.EscapeDataString(snapshotName)}";
}
