using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Cognee's pgvector collections, read in keyset pages on id inside the vector store's snapshot. DocumentChunk_text
/// rows become chunks (their dataset comes from the relational store); other rows become data points, and in a
/// second step their vectors. Another vector store (LanceDB) passes its own <paramref name="pages"/> and
/// <paramref name="display"/>, and its rows come through the same mapping.
/// </summary>
internal sealed class CogneeCollectionReader(CogneeSession session, CogneeRelationalReader relational, IReadOnlyList<CogneeVectorCollection> collections,
    Func<CogneeVectorCollection, string?, int, CancellationToken, Task<IReadOnlyList<CogneeCollectionReader.CollectionRow>>>? pages = null, string? display = null)
    : ICogneeStoreReader
{
    public IReadOnlyList<CogneeVectorCollection> Collections => collections;

    /// <summary>Adds each collection's steps; returns the chunk vectors' dimensions, with how many chunks have each.</summary>
    public Dictionary<int, long> Analyze(CogneeAnalysis analysis)
    {
        if (collections.Count == 0)
        {
            analysis.Issues.Add(session.Warning("CogneeNoCollections", $"the vector store {display ?? session.Stores.Vectors!.Display} holds no Cognee collection tables (id, payload, vector).",
                "Check the vector store's connection string; nothing is migrated from it."));
        }

        var chunkDimensions = new Dictionary<int, long>();
        foreach (var collection in collections)
        {
            analysis.Tables.Add(new SourceTableAnalysis(collection.SourceTable, collection.Rows, 0, "id", "uuid", true, []) { VectorDimensions = collection.Dimensions });
            if (collection.IsChunks)
            {
                analysis.Steps.Add(new SourceStep(session.Source.Name, collection.SourceTable, UnifiedSchema.Chunks, collection.Rows, 0));
                foreach (var (dimension, count) in collection.Dimensions)
                {
                    chunkDimensions[dimension] = chunkDimensions.GetValueOrDefault(dimension) + count;
                }

                continue;
            }

            analysis.Steps.Add(new SourceStep(session.Source.Name, collection.SourceTable, UnifiedSchema.DataPoints, collection.Rows, 0));
            analysis.Steps.Add(new SourceStep(session.Source.Name, collection.VectorSourceTable, UnifiedSchema.DataPointVectors, collection.Rows, 0));
            if (collection.Dimensions.Count > 1)
            {
                analysis.Issues.Add(session.Warning("VectorDimensionsMixed",
                    $"collection {collection.SourceTable} holds vectors of {string.Join(", ", collection.Dimensions.Select(d => $"{d.Value} of {d.Key}"))} dimensions; those not of {collection.ExpectedDimensions} will be rejected.",
                    "Re-embed the collection with one model before migrating, or accept them as rejects with -ContinueOnError."));
            }
        }

        return chunkDimensions;
    }

    public bool Reads(string sourceTable) => Find(sourceTable) is not null;

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken)
    {
        var collection = Find(step.SourceTable)!;
        var vectors = step.SourceTable == collection.VectorSourceTable;
        return KeysetPager.BatchesAsync(step, KeysetPager.LastKey(after), batchSize, async (last, limit, token) => WithDatasets(collection, await (pages ?? ReadPageAsync)(collection, last, limit, token)), row => row.Id,
            KeysetPager.KeyPosition,
            row => collection.IsChunks ? TransformChunk(step, row, vectorDimensions)
                : vectors ? TransformVector(step, collection, row)
                : TransformDataPoint(step, collection, row),
            row => row.Id, cancellationToken);
    }

    private CogneeVectorCollection? Find(string sourceTable) =>
        collections.FirstOrDefault(c => c.SourceTable == sourceTable || c.VectorSourceTable == sourceTable);

    /// <summary>
    /// A collection row; Dataset is the dataset of the store it came from, or else of a chunk's document, looked up
    /// for the whole page at once.
    /// </summary>
    internal sealed record CollectionRow(string Id, JsonObject Payload, float[]? Vector, string? Dataset);

    private async Task<IReadOnlyList<CollectionRow>> ReadPageAsync(CogneeVectorCollection collection, string? last, int limit, CancellationToken cancellationToken)
    {
        var rows = new List<CollectionRow>();
        await using (var command = new NpgsqlCommand(last is null
            ? $"SELECT id::text, payload::text, vector::real[] FROM {collection.Qualified} ORDER BY id LIMIT $1"
            : $"SELECT id::text, payload::text, vector::real[] FROM {collection.Qualified} WHERE id > $2::uuid ORDER BY id LIMIT $1", session.Vectors, session.VectorSnapshot))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            if (last is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = last });
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var payload = reader.IsDBNull(1) ? null : JsonNode.Parse(reader.GetString(1)) as JsonObject;
                rows.Add(new CollectionRow(reader.GetString(0), payload ?? [], reader.IsDBNull(2) ? null : reader.GetFieldValue<float[]>(2), null));
            }
        }

        return rows;
    }

    /// <summary>Chunks whose store names no dataset take the dataset of their document.</summary>
    private IReadOnlyList<CollectionRow> WithDatasets(CogneeVectorCollection collection, IReadOnlyList<CollectionRow> rows)
    {
        if (!collection.IsChunks || rows.All(r => r.Dataset is not null))
        {
            return rows;
        }

        var datasets = relational.DatasetsOfData(rows.Select(r => PayloadText(r.Payload, "document_id")));
        return rows.Select(r => r.Dataset is not null ? r : r with { Dataset = DocumentOf(r.Payload) is { } document ? datasets.GetValueOrDefault(document) : null }).ToArray();
    }

    private static string? DocumentOf(JsonObject payload)
    {
        try
        {
            return PayloadText(payload, "document_id") is { } documentId ? CogneeValues.Uuid(documentId, "document_id") : null;
        }
        catch (RecordRejectedException)
        {
            return null; // the chunk's transform rejects it, naming the field
        }
    }

    private UnifiedRecord TransformChunk(SourceStep step, CollectionRow row, int? dimensions)
    {
        var (id, payload, vector, dataset) = row;
        var record = session.NewRecord(UnifiedSchema.Chunks, step.SourceTable, id);
        var content = PayloadText(payload, "text");
        var document = PayloadText(payload, "document_id") is { } documentId ? CogneeValues.Uuid(documentId, "document_id") : null;
        record["content"] = content;
        record["content_hash"] = content is null ? null : RecordChecks.Sha256Hex(content);
        record["dense_vector"] = vector is null ? null : FieldChecks.Vector(vector, dimensions, "vector");
        record["chunk_type"] = "text";
        record["source_type"] = "cognee";
        record["relative_path"] = PayloadText(payload, "document_name");
        record["chunk_index"] = payload["chunk_index"] is JsonValue index && index.TryGetValue<int>(out var position) ? position : null;
        record["is_code"] = false;
        record.SetReference("document_id", "data", document);
        record.SetReference("dataset_id", "datasets", dataset);
        var carried = CogneeGraphRecords.Checked((JsonObject)payload.DeepClone(), "payload");
        carried.Remove("text");
        record["metadata"] = new JsonObject { ["cognee"] = carried }.ToJsonString();
        record["created_at"] = EpochMilliseconds(payload, "created_at");
        record["updated_at"] = EpochMilliseconds(payload, "updated_at");
        return record;
    }

    private UnifiedRecord TransformDataPoint(SourceStep step, CogneeVectorCollection collection, CollectionRow row)
    {
        var record = session.NewRecord(UnifiedSchema.DataPoints, step.SourceTable, row.Id);
        record["data_point_type"] = collection.DataPointClass;
        record["payload"] = CogneeGraphRecords.Checked(row.Payload, "payload").ToJsonString();
        record.SetReference("dataset_id", "datasets", row.Dataset);
        record["created_at"] = EpochMilliseconds(row.Payload, "created_at");
        record["updated_at"] = EpochMilliseconds(row.Payload, "updated_at");
        return record;
    }

    private UnifiedRecord TransformVector(SourceStep step, CogneeVectorCollection collection, CollectionRow row)
    {
        var record = session.NewRecord(UnifiedSchema.DataPointVectors, step.SourceTable, row.Id);
        record["collection"] = collection.Table;
        record["field"] = collection.Field;
        record["vector"] = row.Vector is null
            ? throw new RecordRejectedException("vector", "is NULL. Re-index the data point in Cognee.", "VectorInvalid")
            : FieldChecks.Vector(row.Vector, collection.ExpectedDimensions, "vector");
        record.SetReference("data_point_id", collection.SourceTable, row.Id);
        return record;
    }

    private static string? PayloadText(JsonObject payload, string key) =>
        payload[key] is JsonValue value && value.TryGetValue<string>(out var text) ? FieldChecks.Text(text, key) : null;

    /// <summary>Cognee's data points carry created_at/updated_at as epoch milliseconds.</summary>
    private static DateTime? EpochMilliseconds(JsonObject payload, string key) =>
        payload[key] is JsonValue value && value.TryGetValue<long>(out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime
            : null;
}

