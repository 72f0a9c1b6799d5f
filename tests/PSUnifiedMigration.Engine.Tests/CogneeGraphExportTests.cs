using Microsoft.Data.Sqlite;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// The graph from a <c>cognee.export(dataset, format="json")</c> file (tests/fixtures/cognee/graph_export.json, written
/// by make_graph_fixtures.py after Cognee's formats.write_json from the same graph as graph_links.json): it is what a
/// user gives for a graph store without a reader here (Ladybug, Neo4j), through -GraphPath.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeGraphExportTests(PostgresFixture fixture) : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryLayout.Root, "tests", "fixtures", "cognee");
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
    }

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync(string graphFixture)
    {
        if (!Directory.Exists(_systemRoot))
        {
            await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1, DatasetsPerUser = 1 });
        }

        var target = await fixture.Server.CreateDatabaseAsync("dst");
        var stores = CogneeStores.ForFiles(Path.Combine(_systemRoot, "databases", CogneeStores.RelationalFile), Path.Combine(Fixtures, graphFixture));
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 4, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return (plan, target);
    }

    private static async Task<MigrationResult> RunAsync(MigrationPlan plan)
    {
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(result.Read, result.Migrated + result.Rejected + result.Skipped);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        return result;
    }

    [Fact]
    public async Task An_export_migrates_every_node_and_edge_and_validates()
    {
        var (plan, target) = await PlanAsync("graph_export.json");

        var result = await RunAsync(plan);

        Assert.Contains("cognee.export JSON", plan.SourceAnalyses[0].Layout, StringComparison.Ordinal);
        Assert.Equal((10L, 13L), (result.Steps.Single(s => s.SourceTable == "graph_nodes").Migrated, result.Steps.Single(s => s.SourceTable == "graph_edges").Migrated));
        Assert.Equal(0, result.Rejected);
        Assert.Equal(["Entity", "Entity", "Entity"], (await TestDatabase.RowsAsync(target,
            "SELECT node_type FROM unified.graph_nodes WHERE system_origin = 'cognee' AND name IN ('ada lovelace', 'acme corporation', 'o''reilly media')")).Select(r => (string)r[0]!));
        Assert.Equal(2L, await TestDatabase.ScalarAsync<long>(target, """
            SELECT count(*) FROM unified.graph_edges e JOIN unified.graph_nodes s ON s.id = e.source_node_id JOIN unified.graph_nodes t ON t.id = e.target_node_id
            WHERE s.name = 'ada lovelace' AND t.name = 'acme corporation' AND e.relationship_name IN ('works_at', 'reviews_for')
            """));
    }

    /// <summary>Nodes keep their data point id and edges their source|relationship|target key, so an export and the store it came from give the same rows.</summary>
    [Fact]
    public async Task An_export_gives_the_same_unified_rows_as_the_node_link_file_of_the_same_graph()
    {
        var (export, exportTarget) = await PlanAsync("graph_export.json");
        var (nodeLink, nodeLinkTarget) = await PlanAsync("graph_links.json");
        await RunAsync(export);
        await RunAsync(nodeLink);
        const string rows = """
            SELECT string_agg(id::text || ' ' || coalesce(node_type, '') || ' ' || coalesce(name, ''), ',' ORDER BY id) FROM unified.graph_nodes WHERE system_origin = 'cognee'
            UNION ALL
            SELECT string_agg(id::text || ' ' || source_node_id::text || ' ' || relationship_name || ' ' || target_node_id::text, ',' ORDER BY id) FROM unified.graph_edges WHERE system_origin = 'cognee'
            """;

        var fromExport = (await TestDatabase.RowsAsync(exportTarget, rows)).Select(r => (string)r[0]!).ToList();
        var fromNodeLink = (await TestDatabase.RowsAsync(nodeLinkTarget, rows)).Select(r => (string)r[0]!).ToList();

        Assert.Equal(2, fromExport.Count);
        Assert.Equal(fromNodeLink, fromExport);
    }
}
