using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration.Engine.Targets.Qdrant;

/// <summary>
/// The unified vectors projected into Qdrant: chunks into unified_chunks (named dense vector "dense", Cosine, plus a
/// sparse vector "sparse" where chunks have one), each other collection of data point vectors into unified_&lt;name&gt;.
/// The point id is the unified id; the payload carries the unified ids and filter fields, among them the run id of
/// the run that last wrote the row.
/// </summary>
public sealed class QdrantProjection(QdrantEndpoint endpoint) : IProjectionStore
{
    public const string DenseVector = "dense";
    public const string SparseVector = "sparse";
    private const int PageSize = 500;

    /// <summary>Qdrant keeps Cosine vectors normalised; stored and read-back vectors are compared after normalising, within this.</summary>
    public const double Tolerance = 1e-5;

    private const string ChunksWithVectors = "dense_vector IS NOT NULL";
    private QdrantHttpClient? _client;

    public string Description => $"Qdrant {endpoint.Display}";

    public async Task CheckAsync(int? vectorDimensions, List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        try
        {
            var existing = await Client().GetCollectionAsync(QdrantCollectionNames.Chunks, cancellationToken);
            if (existing is null || vectorDimensions is not { } dimensions)
            {
                return;
            }

            if (!existing.DenseVectors.TryGetValue(DenseVector, out var dense) || dense.Size != dimensions || dense.Distance != QdrantDistance.Cosine)
            {
                var actual = dense is null ? "no dense vector named 'dense'" : $"'dense' of {dense.Size} dimensions, {dense.Distance}";
                issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Blocker, "QdrantCollectionMismatch",
                    $"Vector store {Description}: collection {QdrantCollectionNames.Chunks} holds {actual}, but the migration writes {dimensions}-dimensional Cosine vectors named 'dense'.",
                    "Point -QdrantUri at another Qdrant, or delete or rename the collection after saving what it holds.", endpoint.Display));
            }
        }
        catch (MigrationException e)
        {
            issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Blocker, e.ErrorId, $"Vector store {Description}: {e.Message}",
                "Check -QdrantUri and -QdrantApiKey, and that the server answers over HTTP.", endpoint.Display));
        }
    }

    public Task<long> ProjectAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, bool onlyRowsOfRun, Action<string, long> progress,
        CancellationToken cancellationToken) =>
        WriteAsync(systemOfRecord, systemOrigins, ProjectionRows.Of(onlyRowsOfRun), onlyRowsOfRun ? runId : null, progress, cancellationToken);

    public async Task<ProjectionUndo> UndoRunAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, Func<string, string> restoredRows,
        CancellationToken cancellationToken)
    {
        var store = new QdrantVectorStore(Client());
        long deleted = 0;
        foreach (var collection in (await Client().ListCollectionsAsync(cancellationToken)).Where(QdrantCollectionNames.IsUnified))
        {
            deleted += await store.CountAsync(collection, runId, cancellationToken);
            await store.DeleteRunAsync(collection, runId, cancellationToken);
        }

        return new ProjectionUndo(deleted, await WriteAsync(systemOfRecord, systemOrigins, restoredRows, runId, (_, _) => { }, cancellationToken));
    }

    /// <summary>Writes the vectors of the given origins that <paramref name="rows"/> selects per table, collection by collection.</summary>
    private async Task<long> WriteAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Func<string, string> rows, Guid? run,
        Action<string, long> progress, CancellationToken cancellationToken)
    {
        var store = new QdrantVectorStore(Client());
        long written = 0;
        foreach (var (spec, table, columns, where, value, map) in await CollectionsAsync(systemOfRecord, systemOrigins, cancellationToken))
        {
            var check = await store.EnsureCollectionAsync(spec, cancellationToken);
            if (check.Mismatches.Count > 0)
            {
                throw new MigrationException("QdrantCollectionMismatch", MigrationErrorKind.InvalidOperation,
                    $"{Description}: {string.Join(" ", check.Mismatches.Select(m => m.Message))} Delete or rename the collection, or use another Qdrant.", endpoint.Display);
            }

            await store.EnsurePayloadIndexesAsync(spec.Name, cancellationToken);
            await foreach (var page in UnifiedPages.ReadAsync(systemOfRecord, table, columns, systemOrigins, PageSize, map, cancellationToken,
                $"({where}) AND ({rows(table)})", value, run))
            {
                await store.UpsertAsync(spec, page, cancellationToken);
                written += page.Count;
                progress(spec.Name, written);
            }
        }

        return written;
    }

    public async Task ValidateAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, MigrationValidationReport report, CancellationToken cancellationToken)
    {
        var store = new QdrantVectorStore(Client());
        foreach (var (spec, table, _, where, value, _) in await CollectionsAsync(systemOfRecord, systemOrigins, cancellationToken))
        {
            foreach (var origin in systemOrigins)
            {
                var expected = await UnifiedPages.CountAsync(systemOfRecord, table, [origin], cancellationToken, where, value);
                var actual = await Client().CountAsync(spec.Name, QdrantFilter.Match("system_origin", origin), cancellationToken);
                report.Statistics[$"qdrant:{spec.Name}:{origin}:points"] = actual;
                report.Add(new ValidationCheck($"Qdrant points {spec.Name} ({origin})", actual == expected, $"{expected} (PostgreSQL)", actual.ToString(CultureInfo.InvariantCulture),
                    "Every unified vector of this origin has its point, and Qdrant has no other.", ValidationGroups.CrossStore));
            }

            await CheckCollectionAsync(spec, report, cancellationToken);
            var seen = await SeenIds.CreateAsync(systemOfRecord, "psum_seen_qdrant_points", cancellationToken);
            var (orphans, changed) = await CompareAsync(store, spec, systemOfRecord, table, systemOrigins, seen, report, cancellationToken);
            report.Add(new ValidationCheck($"Qdrant points {spec.Name} refer to unified rows", orphans.Count == 0, "0 points without a row", orphans.Count.ToString(CultureInfo.InvariantCulture),
                orphans.Count == 0 ? "" : $"Points whose id is not in unified.{table}: {string.Join(", ", orphans.Take(10))}", ValidationGroups.CrossStore));
            report.Add(new ValidationCheck($"Qdrant vectors {spec.Name} equal PostgreSQL's", changed == 0,
                $"0 differing vectors (dense within {Tolerance} after normalising, Cosine; sparse indices and values exact)",
                changed.ToString(CultureInfo.InvariantCulture), changed == 0 ? "" : "See Differences (Kind ChangedInQdrant) for the records and vectors.", ValidationGroups.CrossStore));
            var missing = await seen.ReportMissingAsync(table, systemOrigins, "MissingInQdrant", report, cancellationToken, where, value);
            report.Add(new ValidationCheck($"Qdrant points {spec.Name} for every unified row", missing == 0, $"0 rows of unified.{table} without a point",
                missing.ToString(CultureInfo.InvariantCulture), missing == 0 ? "" : "See Differences (Kind MissingInQdrant) for the records. Run Invoke-Migration again.",
                ValidationGroups.CrossStore));
        }
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private QdrantHttpClient Client() => _client ??= new QdrantHttpClient(endpoint);

    /// <summary>The collection's dense vector (name, dimension, distance metric) and sparse vector are what the projection writes.</summary>
    private async Task CheckCollectionAsync(QdrantCollectionSpec spec, MigrationValidationReport report, CancellationToken cancellationToken)
    {
        var info = await Client().GetCollectionAsync(spec.Name, cancellationToken);
        var dense = info?.DenseVectors.GetValueOrDefault(spec.DenseVectorName);
        var sparse = spec.SparseVectorName is null || info?.SparseVectors.Contains(spec.SparseVectorName) == true;
        var expected = $"'{spec.DenseVectorName}' of {spec.Size} dimensions, {spec.Distance}{(spec.SparseVectorName is null ? "" : $", sparse '{spec.SparseVectorName}'")}";
        var actual = info is null ? "no collection" : dense is null ? $"no dense vector '{spec.DenseVectorName}'"
            : $"'{spec.DenseVectorName}' of {dense.Size} dimensions, {dense.Distance}{(sparse ? (spec.SparseVectorName is null ? "" : $", sparse '{spec.SparseVectorName}'") : ", no sparse vector")}";
        report.Add(new ValidationCheck($"Qdrant collection {spec.Name} dimension and distance metric", expected == actual, expected, actual, "", ValidationGroups.CrossStore));
    }

    /// <summary>
    /// Pages through the collection and looks up each page's rows in PostgreSQL: every point must have its row, its
    /// dense vector (within the tolerance) and its sparse vector (exactly). The ids seen are kept to name the rows without a point.
    /// </summary>
    private static async Task<(List<Guid> Orphans, long Changed)> CompareAsync(QdrantVectorStore store, QdrantCollectionSpec spec, NpgsqlConnection systemOfRecord,
        string table, IReadOnlyList<string> systemOrigins, SeenIds seen, MigrationValidationReport report, CancellationToken cancellationToken)
    {
        var orphans = new List<Guid>();
        long changed = 0;
        var chunks = table == UnifiedSchema.Chunks.Name;
        var vectorColumn = chunks ? "dense_vector" : "vector";
        Guid? from = null;
        do
        {
            var page = await store.ReadPageAsync(spec, from, PageSize, cancellationToken);
            // A collection may hold points of other systems; only the plan's must have a unified row.
            var ours = page.Points.Where(p => p.Payload["system_origin"] is JsonValue origin && systemOrigins.Contains(origin.ToString())).ToList();
            await seen.AddAsync(ours.Select(p => p.Id), cancellationToken);
            var rows = new Dictionary<Guid, (float[] Dense, string? Sparse, string SourceName, string LegacyId)>();
            await using (var command = new NpgsqlCommand(
                $"SELECT id, {Sql.Quote(vectorColumn)}::real[], {(chunks ? "sparse_vector::text" : "NULL::text")}, source_name, legacy_id " +
                $"FROM {Sql.Qualified(UnifiedSchema.DataSchema, table)} WHERE id = ANY(@ids)", systemOfRecord))
            {
                command.Parameters.AddWithValue("ids", ours.Select(p => p.Id).ToArray());
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows[reader.GetGuid(0)] = (reader.IsDBNull(1) ? [] : reader.GetFieldValue<float[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                        reader.GetString(3), reader.IsDBNull(4) ? "" : reader.GetString(4));
                }
            }

            foreach (var point in ours)
            {
                if (!rows.TryGetValue(point.Id, out var row))
                {
                    orphans.Add(point.Id);
                    continue;
                }

                var fields = new List<string>();
                if (!SameDirection(row.Dense, point.Dense))
                {
                    fields.Add(spec.DenseVectorName);
                }

                if (spec.SparseVectorName is { } sparseName && !SameSparse(SparseOf(row.Sparse), point.Sparse))
                {
                    fields.Add(sparseName);
                }

                if (fields.Count > 0)
                {
                    changed++;
                    report.AddDifference(new ValidationDifference(row.SourceName, table, row.LegacyId, "ChangedInQdrant", fields));
                }
            }

            from = page.Next;
        }
        while (from is not null);

        return (orphans, changed);
    }

    private static bool SameSparse(QdrantSparseVector? stored, QdrantSparseVector? projected) =>
        (stored, projected) switch
        {
            (null, null) => true,
            ({ } a, { } b) => a.Indices.AsSpan().SequenceEqual(b.Indices)
                && a.Values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.Values.Select(BitConverter.SingleToInt32Bits)),
            _ => false,
        };

    private static bool SameDirection(float[] stored, float[] projected)
    {
        if (stored.Length != projected.Length)
        {
            return false;
        }

        var a = Norm(stored);
        var b = Norm(projected);
        for (var i = 0; i < stored.Length; i++)
        {
            if (Math.Abs(stored[i] / a - projected[i] / b) > Tolerance)
            {
                return false;
            }
        }

        return true;
    }

    private static double Norm(float[] vector)
    {
        var sum = vector.Sum(v => (double)v * v);
        return sum > 0 ? Math.Sqrt(sum) : 1;
    }

    private sealed record Collection(QdrantCollectionSpec Spec, string Table, string Columns, string Where, object? Value, Func<NpgsqlDataReader, VectorPoint> Map);

    /// <summary>The collections the system of record fills: chunks when they have vectors, and one per data point collection.</summary>
    private static async Task<List<Collection>> CollectionsAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, CancellationToken cancellationToken)
    {
        var collections = new List<Collection>();
        await using (var command = new NpgsqlCommand($"""
            SELECT (SELECT array_length(dense_vector::real[], 1) FROM {Sql.Qualified(UnifiedSchema.DataSchema, UnifiedSchema.Chunks.Name)}
                    WHERE system_origin = ANY(@origins) AND dense_vector IS NOT NULL LIMIT 1),
                   EXISTS (SELECT 1 FROM {Sql.Qualified(UnifiedSchema.DataSchema, UnifiedSchema.Chunks.Name)} WHERE system_origin = ANY(@origins) AND sparse_vector IS NOT NULL)
            """, systemOfRecord))
        {
            command.Parameters.AddWithValue("origins", systemOrigins.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!reader.IsDBNull(0))
            {
                collections.Add(new Collection(new QdrantCollectionSpec(QdrantCollectionNames.Chunks, DenseVector, reader.GetInt32(0), QdrantDistance.Cosine,
                    reader.GetBoolean(1) ? SparseVector : null), UnifiedSchema.Chunks.Name,
                    "dense_vector::real[], sparse_vector::text, project_id, dataset_id, document_id, system_origin, source_type, language, relative_path, run_id, source_name, legacy_id",
                    ChunksWithVectors, null, ChunkPoint));
            }
        }

        await using (var command = new NpgsqlCommand($"""
            SELECT collection, min(array_length(vector::real[], 1)) FROM {Sql.Qualified(UnifiedSchema.DataSchema, UnifiedSchema.DataPointVectors.Name)}
            WHERE system_origin = ANY(@origins) GROUP BY collection ORDER BY collection
            """, systemOfRecord))
        {
            command.Parameters.AddWithValue("origins", systemOrigins.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                collections.Add(new Collection(new QdrantCollectionSpec(QdrantCollectionNames.ForDataPoints(reader.GetString(0)), DenseVector, reader.GetInt32(1), QdrantDistance.Cosine, null),
                    UnifiedSchema.DataPointVectors.Name, "vector::real[], data_point_id, collection, field, system_origin, run_id, source_name, legacy_id",
                    "collection = @value", reader.GetString(0), DataPointVectorPoint));
            }
        }

        return collections;
    }

    private static VectorPoint ChunkPoint(NpgsqlDataReader row) => new(row.GetGuid(0), row.GetFieldValue<float[]>(1), Sparse(row, 2), new JsonObject
    {
        ["project_id"] = Id(row, 3), ["dataset_id"] = Id(row, 4), ["document_id"] = Id(row, 5), ["system_origin"] = row.GetString(6),
        ["source_type"] = Text(row, 7), ["language"] = Text(row, 8), ["relative_path"] = Text(row, 9), ["run_id"] = row.GetGuid(10).ToString("D"),
        ["source_name"] = row.GetString(11), ["legacy_id"] = Text(row, 12),
    });

    private static VectorPoint DataPointVectorPoint(NpgsqlDataReader row) => new(row.GetGuid(0), row.GetFieldValue<float[]>(1), null, new JsonObject
    {
        ["data_point_id"] = Id(row, 2), ["collection"] = Text(row, 3), ["field"] = Text(row, 4), ["system_origin"] = row.GetString(5),
        ["run_id"] = row.GetGuid(6).ToString("D"), ["source_name"] = row.GetString(7), ["legacy_id"] = Text(row, 8),
    });

    private static string? Id(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetGuid(ordinal).ToString("D");

    private static string? Text(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static QdrantSparseVector? Sparse(NpgsqlDataReader row, int ordinal) => SparseOf(row.IsDBNull(ordinal) ? null : row.GetString(ordinal));

    /// <summary>The stored sparse vector ({"indices": [...], "values": [...]}, checked when it was read from the source).</summary>
    private static QdrantSparseVector? SparseOf(string? json)
    {
        if (json is null || JsonNode.Parse(json) is not JsonObject sparse
            || sparse["indices"] is not JsonArray indices || sparse["values"] is not JsonArray values)
        {
            return null;
        }

        return new QdrantSparseVector(indices.Select(i => i!.GetValue<uint>()).ToArray(), values.Select(v => (float)v!.GetValue<double>()).ToArray());
    }
}
