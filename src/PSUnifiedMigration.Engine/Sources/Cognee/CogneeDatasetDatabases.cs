using PSUnifiedMigration.Engine.Records;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources.Cognee.Relational;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>
/// One row of dataset_database: under backend access control, where a dataset's own graph and vector stores are
/// (provider, handler, name and connection info; credentials are never stored there).
/// </summary>
internal sealed record CogneeDatasetDatabase(string DatasetId, string? OwnerId, string GraphProvider, string GraphName, string? GraphHandler,
    JsonObject GraphInfo, string VectorProvider, string VectorName, string? VectorHandler, JsonObject VectorInfo)
{
    /// <summary>Every row, read from the relational snapshot (the table is small: one row per dataset).</summary>
    public static IReadOnlyList<CogneeDatasetDatabase> Read(CogneeDatabase database, CogneeCatalog catalog)
    {
        if (!catalog.Has("dataset_database"))
        {
            return [];
        }

        var rows = new List<CogneeDatasetDatabase>();
        using var command = database.Command("SELECT * FROM \"dataset_database\" ORDER BY \"dataset_id\"");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = CogneeRow.Read(reader, catalog.JsonColumns("dataset_database"));
            rows.Add(new CogneeDatasetDatabase(row.Uuid("dataset_id")!, row.Uuid("owner_id"),
                row.Text("graph_database_provider") ?? "", row.Text("graph_database_name") ?? "", row.Text("graph_dataset_database_handler"),
                Info(row, "graph_database_connection_info"),
                row.Text("vector_database_provider") ?? "", row.Text("vector_database_name") ?? "", row.Text("vector_dataset_database_handler"),
                Info(row, "vector_database_connection_info")));
        }

        return rows;
    }

    private static JsonObject Info(CogneeRow row, string column) =>
        row[column] is null ? [] : FieldChecks.Json(row[column], column) as JsonObject ?? [];

    public string? GraphSchema => Text(GraphInfo, "graph_database_schema");

    public string? VectorSchema => Text(VectorInfo, "schema") ?? Text(VectorInfo, "vector_database_schema");

    private static string? Text(JsonObject info, string key) => info[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>What the plan makes of each dataset's stores: read along with the shared ones, or a blocker that says why not and what to do.</summary>
internal static class CogneeDatasetDatabaseChecks
{
    public static IEnumerable<MigrationPlanIssue> Check(string sourceName, IReadOnlyList<CogneeDatasetDatabase> rows, bool graphFromLedger,
        IReadOnlyCollection<string> graphSchemas, IReadOnlyCollection<string> vectorSchemas, bool vectorsGiven,
        IReadOnlySet<string> nativeGraphDatasets, IReadOnlySet<string> nativeVectorDatasets)
    {
        // A dataset whose own Kuzu, Ladybug or LanceDB store was found and opened is read from it.
        foreach (var group in rows.Where(r => !(r.GraphProvider.ToLowerInvariant() is "kuzu" or "ladybug" && nativeGraphDatasets.Contains(r.DatasetId))).GroupBy(r => (r.GraphProvider.ToLowerInvariant(), r.GraphHandler)))
        {
            var datasets = Datasets(group);
            switch (group.Key.Item1)
            {
                case "kuzu" or "ladybug" when graphFromLedger:
                    yield return new MigrationPlanIssue(PlanIssueSeverity.Warning, "CogneeDatasetGraphFromLedger",
                        $"Source '{sourceName}': the graphs of {datasets} live in {group.Key.Item1} databases, which have no reader here; their nodes and edges are read from the relational ledger, which records them.",
                        null, sourceName);
                    break;
                case "kuzu" or "ladybug" or "networkx":
                    yield return Blocker(sourceName, "CogneeStoreUnreadable", $"the graphs of {datasets} live in {group.Key.Item1} databases ({string.Join(", ", group.Select(r => r.GraphName))}) that were not found under databases/<owner id>/ or could not be opened, and no ledger holds their nodes.",
                        "Export each dataset's graph with Cognee v1.2.0+, cognee.export(\"<dataset>\", format=\"json\"), and pass the file with -GraphPath, a source per dataset (networkx node-link JSON is read too); or switch Cognee's graph store to PostgreSQL (GRAPH_DATABASE_PROVIDER=postgres) and re-cognify.");
                    break;
                case "postgres" when group.Key.GraphHandler == "postgres_graph_shared":
                    var missing = group.Where(r => r.GraphSchema is not { } schema || !graphSchemas.Contains(schema)).ToList();
                    if (missing.Count > 0)
                    {
                        yield return Blocker(sourceName, "CogneeDatasetGraphNotFound",
                            $"the graph schemas of {Datasets(missing)} ({string.Join(", ", missing.Select(r => r.GraphSchema ?? "(none)"))}) were not found in the graph database.",
                            "Pass -GraphConnectionString for the PostgreSQL database that holds Cognee's graph (by default its relational database).");
                    }

                    break;
                case "postgres":
                    yield return Blocker(sourceName, "CogneeDatasetGraphDatabases",
                        $"the graphs of {datasets} are each in a PostgreSQL database of their own ({string.Join(", ", group.Select(r => r.GraphName))}).",
                        "Migrate them one at a time: a source per dataset with -GraphConnectionString naming that dataset's database; the relational rows are the same each time and upsert without duplicates.");
                    break;
                default:
                    yield return Blocker(sourceName, "CogneeGraphProviderUnsupported", $"the graphs of {datasets} are in {group.Key.Item1}, which this version does not read.",
                        "Export each dataset's graph with Cognee v1.2.0+, cognee.export(\"<dataset>\", format=\"json\"), and pass the file with -GraphPath, a source per dataset (networkx node-link JSON is read too); or switch Cognee's graph store to PostgreSQL and re-cognify.");
                    break;
            }
        }

        foreach (var group in rows.Where(r => !(r.VectorProvider.Equals("lancedb", StringComparison.OrdinalIgnoreCase) && nativeVectorDatasets.Contains(r.DatasetId))).GroupBy(r => r.VectorProvider.ToLowerInvariant()))
        {
            var datasets = Datasets(group);
            if (group.Key == "pgvector")
            {
                var missing = group.Where(r => r.VectorSchema is { } schema && !vectorSchemas.Contains(schema)).ToList();
                if (vectorsGiven && missing.Count > 0)
                {
                    yield return Blocker(sourceName, "CogneeDatasetVectorsNotFound",
                        $"the vector schemas of {Datasets(missing)} ({string.Join(", ", missing.Select(r => r.VectorSchema))}) hold no collection in the vector database.",
                        "Check -VectorConnectionString: it must name the database in dataset_database.vector_database_name.");
                }

                continue;
            }

            yield return Blocker(sourceName, "CogneeStoreUnreadable", $"the vectors of {datasets} are in {group.Key} ({string.Join(", ", group.Select(r => r.VectorName))}), which was not found under databases/<owner id>/, could not be opened or has no reader here.",
                "Switch Cognee's vector store to pgvector (VECTOR_DB_PROVIDER=pgvector) and re-index, or export the collections first.");
        }
    }

    private static string Datasets(IEnumerable<CogneeDatasetDatabase> rows)
    {
        var ids = rows.Select(r => r.DatasetId).ToList();
        return ids.Count == 1 ? $"dataset {ids[0]}" : $"{ids.Count} datasets ({string.Join(", ", ids.Take(5))}{(ids.Count > 5 ? ", ..." : "")})";
    }

    private static MigrationPlanIssue Blocker(string sourceName, string code, string message, string remedy) =>
        new(PlanIssueSeverity.Blocker, code, $"Source '{sourceName}': {message}", remedy, sourceName);
}
