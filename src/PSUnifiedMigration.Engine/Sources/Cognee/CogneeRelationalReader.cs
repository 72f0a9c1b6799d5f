using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// Cognee's relational tables (principals, datasets, data, ACLs) in SQLite or PostgreSQL, read in the relational
/// snapshot in keyset pages on id; also answers which dataset a data row belongs to.
/// </summary>
internal sealed class CogneeRelationalReader(CogneeSession session) : ICogneeStoreReader
{
    public void Analyze(CogneeAnalysis analysis)
    {
        var database = session.Database;
        foreach (var spec in CogneeRelationalTables.All.Where(s => session.RequireCatalog.Has(s.SourceTable)))
        {
            var rows = database.ScalarLong($"SELECT count(*) FROM {Sql.Quote(spec.SourceTable)}");
            analysis.Tables.Add(new SourceTableAnalysis(spec.SourceTable, rows, database.TableBytes(spec.SourceTable), "id", "UUID", true, []));
            analysis.Steps.Add(new SourceStep(session.Source.Name, spec.SourceTable, spec.Target, rows, 0));
        }

        if (CogneeDataDatasets.HalfUpgraded(session.RequireCatalog))
        {
            var linked = database.ScalarLong("SELECT count(*) FROM \"data\" WHERE \"dataset_id\" IS NULL");
            analysis.Issues.Add(session.Warning("CogneeUpgradeUnfinished",
                $"data has Cognee v1.5's dataset_id column but the v1.4 link table dataset_data is still there (a v1.5 upgrade that did not finish); {linked} data row(s) without data.dataset_id take their dataset from dataset_data.",
                "Nothing is lost; to finish the upgrade, run Cognee v1.5 once (it applies its migrations) and plan again."));
        }

        var orphanData = DataWithoutDataset();
        if (orphanData > 0)
        {
            analysis.Issues.Add(session.Warning("CogneeDataWithoutDataset", $"{orphanData} data row(s) belong to no dataset; they will be rejected (DatasetMissing).",
                "Add them to a dataset in Cognee, or delete them, before migrating."));
        }
    }

    public bool Reads(string sourceTable) => CogneeRelationalTables.All.Any(s => s.SourceTable == sourceTable);

    public IAsyncEnumerable<SourceBatch> ReadAsync(SourceStep step, SourcePosition? after, int batchSize, int? vectorDimensions, CancellationToken cancellationToken)
    {
        var spec = CogneeRelationalTables.All.Single(s => s.SourceTable == step.SourceTable);
        var catalog = session.RequireCatalog;
        return Pages(step, spec.Select(catalog, session.Database), spec.PageKey, catalog.JsonColumns(spec.SourceTable), row =>
        {
            var id = row.Uuid("id") ?? throw new RecordRejectedException("id", "has a NULL id. Give the record an id, or delete it.", "RecordIdNull");
            var record = session.NewRecord(spec.Target, spec.SourceTable, id);
            spec.Map(row, record);
            return record;
        }, after, batchSize, cancellationToken);
    }

    /// <summary>Reads a query over the relational snapshot in keyset pages on one text column (never OFFSET).</summary>
    public IAsyncEnumerable<SourceBatch> Pages(SourceStep step, string sql, string keyColumn, IReadOnlySet<string> jsonColumns,
        Func<CogneeRow, UnifiedRecord> transform, SourcePosition? after, int batchSize, CancellationToken cancellationToken)
    {
        var database = session.Database;
        var key = database.PageKey("page." + Sql.Quote(keyColumn));
        return CogneeRowPages.BatchesAsync(step, after, batchSize, (last, limit) => database.Command(
            $"SELECT * FROM ({sql}) AS page WHERE @last IS NULL OR {key} > @last ORDER BY {key} LIMIT @limit", ("@last", last), ("@limit", limit)),
            keyColumn, jsonColumns, transform, cancellationToken);
    }

    /// <summary>The dataset of each data row (a chunk's document), looked up in the relational snapshot for one page.</summary>
    public Dictionary<string, string> DatasetsOfData(IEnumerable<string?> dataIds)
    {
        var database = session.Database;
        var ids = dataIds.Select(id => Guid.TryParse(id, out var guid) ? guid : (Guid?)null).OfType<Guid>().Distinct().ToArray();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return found;
        }

        var parameters = ids.Select((id, i) => ($"@p{i}", (object?)database.UuidParameter(id))).ToArray();
        using var command = database.Command($"SELECT d.\"id\", {CogneeDataDatasets.First(session.RequireCatalog, "d")} FROM \"data\" AS d"
            + $" WHERE d.\"id\" IN ({string.Join(", ", parameters.Select(p => p.Item1))})", parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(1) && CogneeValues.Uuid(reader.GetValue(1), "dataset_id") is { } dataset)
            {
                found[CogneeValues.Uuid(reader.GetValue(0), "id")!] = dataset;
            }
        }

        return found;
    }

    private long DataWithoutDataset() => CogneeDataDatasets.Orphans(session.Database, session.RequireCatalog);
}
