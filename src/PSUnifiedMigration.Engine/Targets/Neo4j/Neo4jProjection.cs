using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration.Engine.Targets.Neo4j;

/// <summary>
/// The unified graph (graph_nodes, graph_edges) projected into Neo4j: nodes MERGEd by unified id under UnifiedNode
/// plus Cognee's __Node__ and their type label, relationships typed by their name (see <see cref="Neo4jGraphStore"/>). Each carries the run id of the run that last wrote its
/// row, so undoing a run removes exactly its part.
/// </summary>
public sealed class Neo4jProjection(Neo4jEndpoint endpoint) : IProjectionStore
{
    private const int PageSize = 1000;
    private Neo4jHttpClient? _client;

    public string Description => $"Neo4j {endpoint.Display}";

    public async Task CheckAsync(int? vectorDimensions, List<MigrationPlanIssue> issues, CancellationToken cancellationToken)
    {
        try
        {
            var client = await ConnectAsync(cancellationToken);
            if (client.ServerVersion.Major < 4)
            {
                issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Warning, "Neo4jVersionOld",
                    $"{Description} runs Neo4j {client.ServerVersion}; the graph is written with Neo4j 3.x syntax (one database, no IF NOT EXISTS).", null, endpoint.Display));
            }
        }
        catch (MigrationException e)
        {
            issues.Add(new MigrationPlanIssue(PlanIssueSeverity.Blocker, e.ErrorId, $"Graph store {Description}: {e.Message}",
                "Check -Neo4jUri, -Neo4jCredential and -Neo4jDatabase, and that the server answers over HTTP.", endpoint.Display));
        }
    }

    public Task<long> ProjectAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, bool onlyRowsOfRun, Action<string, long> progress,
        CancellationToken cancellationToken) =>
        WriteAsync(systemOfRecord, systemOrigins, ProjectionRows.Of(onlyRowsOfRun), onlyRowsOfRun ? runId : null, progress, cancellationToken);

    public async Task<ProjectionUndo> UndoRunAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Guid runId, Func<string, string> restoredRows,
        CancellationToken cancellationToken)
    {
        var deletion = await new Neo4jGraphStore(await ConnectAsync(cancellationToken)).DeleteRunAsync(runId, cancellationToken);
        var rewritten = await WriteAsync(systemOfRecord, systemOrigins, restoredRows, runId, (_, _) => { }, cancellationToken);
        return new ProjectionUndo(deletion.EdgesDeleted + deletion.NodesDeleted, rewritten);
    }

    /// <summary>Writes the graph rows of the given origins that <paramref name="rows"/> selects per table: nodes first, then edges.</summary>
    private async Task<long> WriteAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, Func<string, string> rows, Guid? run,
        Action<string, long> progress, CancellationToken cancellationToken)
    {
        var store = new Neo4jGraphStore(await ConnectAsync(cancellationToken));
        await store.EnsureSchemaAsync(cancellationToken);
        long written = 0;
        await foreach (var page in UnifiedPages.ReadAsync(systemOfRecord, UnifiedSchema.GraphNodes.Name,
            "node_type, name, properties::text, system_origin, run_id, legacy_id, source_name", systemOrigins, PageSize, ReadNode, cancellationToken,
            rows(UnifiedSchema.GraphNodes.Name), run: run))
        {
            written += await store.UpsertNodesAsync(page, cancellationToken);
            progress("graph nodes", written);
        }

        await foreach (var page in UnifiedPages.ReadAsync(systemOfRecord, UnifiedSchema.GraphEdges.Name,
            "source_node_id, target_node_id, relationship_name, properties::text, system_origin, run_id, source_name", systemOrigins, PageSize, ReadEdge, cancellationToken,
            rows(UnifiedSchema.GraphEdges.Name), run: run))
        {
            var result = await store.UpsertEdgesAsync(page, cancellationToken);
            if (result.MissingEndpointEdgeIds.Count > 0)
            {
                // PostgreSQL holds every end node of its edges, and nodes are written first: a missing end means the graph changed underneath.
                throw new MigrationException("GraphProjectionIncomplete", MigrationErrorKind.InvalidOperation,
                    $"{Description}: {result.MissingEndpointEdgeIds.Count} edge(s) could not be written because an end node is missing in Neo4j " +
                    $"(first: {result.MissingEndpointEdgeIds[0]}). Run Invoke-Migration again; it rewrites the graph idempotently.", endpoint.Display);
            }

            written += result.Written;
            progress("graph edges", written);
        }

        return written;
    }

    public async Task ValidateAsync(NpgsqlConnection systemOfRecord, IReadOnlyList<string> systemOrigins, MigrationValidationReport report, CancellationToken cancellationToken)
    {
        var store = new Neo4jGraphStore(await ConnectAsync(cancellationToken));
        foreach (var origin in systemOrigins)
        {
            var counts = await store.CountAsync(origin, cancellationToken);
            var nodes = await UnifiedPages.CountAsync(systemOfRecord, UnifiedSchema.GraphNodes.Name, [origin], cancellationToken);
            var edges = await UnifiedPages.CountAsync(systemOfRecord, UnifiedSchema.GraphEdges.Name, [origin], cancellationToken);
            report.Add(new ValidationCheck($"Neo4j graph nodes ({origin})", counts.Nodes == nodes, $"{nodes} (PostgreSQL)", counts.Nodes.ToString(CultureInfo.InvariantCulture),
                "Every unified graph node of this origin has its node in Neo4j, and Neo4j has no other.", ValidationGroups.CrossStore));
            report.Add(new ValidationCheck($"Neo4j relationships ({origin})", counts.Edges == edges, $"{edges} (PostgreSQL)", counts.Edges.ToString(CultureInfo.InvariantCulture),
                "Every unified graph edge of this origin has its relationship in Neo4j, and Neo4j has no other.", ValidationGroups.CrossStore));
            var unreadable = await store.CountUnreadableByCogneeAsync(origin, cancellationToken);
            report.Add(new ValidationCheck($"Neo4j graph readable by Cognee ({origin})", unreadable == default, "0 nodes without __Node__, 0 relationships without their ends' ids",
                $"{unreadable.Nodes} node(s), {unreadable.Edges} relationship(s)",
                "Cognee's Neo4j adapter reads only :__Node__ nodes and takes an edge's ends from source_node_id/target_node_id. Run Invoke-Migration again; it rewrites the graph idempotently.",
                ValidationGroups.CrossStore));
            report.Statistics[$"neo4j:{origin}:nodes"] = counts.Nodes;
            report.Statistics[$"neo4j:{origin}:relationships"] = counts.Edges;
        }

        // Nodes: each of ours must have a unified row; the ids seen go to a temp table to name the rows Neo4j lacks.
        var seenNodes = await SeenIds.CreateAsync(systemOfRecord, "psum_seen_neo4j_nodes", cancellationToken);
        var orphans = new List<string>();
        await foreach (var ours in PagesAsync(store.ReadNodesAsync, n => n.Id, n => n.Properties, systemOrigins, cancellationToken))
        {
            var ids = ours.Select(n => Guid.TryParse(n.Id, out var id) ? id : Guid.Empty).ToArray();
            var existing = await UnifiedPages.ExistingIdsAsync(systemOfRecord, UnifiedSchema.GraphNodes.Name, ids, cancellationToken);
            orphans.AddRange(ours.Where((n, i) => !existing.Contains(ids[i])).Select(n => n.Id));
            await seenNodes.AddAsync(ids, cancellationToken);
        }

        report.Add(new ValidationCheck("Neo4j nodes refer to unified rows", orphans.Count == 0, "0 nodes without a row", orphans.Count.ToString(CultureInfo.InvariantCulture),
            orphans.Count == 0 ? "" : $"Neo4j nodes whose id is not in unified.graph_nodes: {string.Join(", ", orphans.Take(10))}{(orphans.Count > 10 ? ", ..." : "")}",
            ValidationGroups.CrossStore));
        await ReportMissingAsync(seenNodes, UnifiedSchema.GraphNodes.Name, "Neo4j nodes", systemOrigins, report, cancellationToken);

        var seenEdges = await SeenIds.CreateAsync(systemOfRecord, "psum_seen_neo4j_edges", cancellationToken);
        await foreach (var ours in PagesAsync(store.ReadEdgesAsync, e => e.Id, e => e.Properties, systemOrigins, cancellationToken))
        {
            await seenEdges.AddAsync(ours.Select(e => Guid.TryParse(e.Id, out var id) ? id : Guid.Empty), cancellationToken);
        }

        await ReportMissingAsync(seenEdges, UnifiedSchema.GraphEdges.Name, "Neo4j relationships", systemOrigins, report, cancellationToken);
    }

    private static async Task ReportMissingAsync(SeenIds seen, string table, string what, IReadOnlyList<string> systemOrigins, MigrationValidationReport report,
        CancellationToken cancellationToken)
    {
        var missing = await seen.ReportMissingAsync(table, systemOrigins, "MissingInNeo4j", report, cancellationToken);
        report.Add(new ValidationCheck($"{what} for every unified row", missing == 0, $"0 rows of unified.{table} missing from Neo4j",
            missing.ToString(CultureInfo.InvariantCulture), missing == 0 ? "" : "See Differences (Kind MissingInNeo4j) for the records. Run Invoke-Migration again; it rewrites the graph idempotently.",
            ValidationGroups.CrossStore));
    }

    /// <summary>Pages through nodes or relationships in id order, keeping those of the plan's systems (the server may hold other graphs too).</summary>
    private static async IAsyncEnumerable<List<T>> PagesAsync<T>(Func<string?, int, CancellationToken, Task<IReadOnlyList<T>>> read, Func<T, string> id,
        Func<T, JsonObject> properties, IReadOnlyList<string> systemOrigins, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = await read(after, PageSize, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            after = id(page[^1]);
            yield return page.Where(p => properties(p)["system_origin"] is JsonValue origin && systemOrigins.Contains(origin.ToString())).ToList();
        }
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<Neo4jHttpClient> ConnectAsync(CancellationToken cancellationToken) =>
        _client ??= await Neo4jHttpClient.ConnectAsync(endpoint, cancellationToken);

    private static GraphNodeRecord ReadNode(NpgsqlDataReader row) => new(row.GetGuid(0).ToString("D"), Text(row, 1), Text(row, 2),
        WithSource(row, 3, 7), row.GetString(4), row.GetGuid(5), Text(row, 6));

    private static GraphEdgeRecord ReadEdge(NpgsqlDataReader row) => new(row.GetGuid(0).ToString("D"), row.GetGuid(1).ToString("D"), row.GetGuid(2).ToString("D"),
        Text(row, 3), WithSource(row, 4, 7), row.GetString(5), row.GetGuid(6));

    private static string? Text(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    /// <summary>The row's properties, with its source name so a Neo4j reader can tell two sources of one system apart.</summary>
    private static JsonObject WithSource(NpgsqlDataReader row, int properties, int sourceName)
    {
        var value = row.IsDBNull(properties) ? [] : JsonNode.Parse(row.GetString(properties)) as JsonObject ?? [];
        value["source_name"] = row.GetString(sourceName);
        return value;
    }
}
