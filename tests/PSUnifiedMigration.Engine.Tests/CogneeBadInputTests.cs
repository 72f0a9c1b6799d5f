using Microsoft.Data.Sqlite;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>Each bad Cognee input gets a clear error or a counted, named reject.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeBadInputTests(PostgresFixture fixture) : IDisposable
{
    private static readonly string Fixtures = Path.Combine(RepositoryLayout.Root, "tests", "fixtures", "cognee");
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
    }

    private string Database => Path.Combine(_systemRoot, "databases", CogneeStores.RelationalFile);

    private string GraphFile => Path.Combine(_systemRoot, "databases", CogneeStores.GraphFile);

    private async Task<MigrationPlan> PlanAsync(RelationalLayout layout = RelationalLayout.DataDatasetId, string? graphFixture = null, string? sql = null)
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, RelationalLayout = layout, GraphLayout = GraphLayout.NetworkxFile, Users = 1, DatasetsPerUser = 1 });
        if (graphFixture is not null)
        {
            File.Copy(Path.Combine(Fixtures, graphFixture), GraphFile, overwrite: true);
        }

        if (sql is not null)
        {
            await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        return await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], target, 50, default);
    }

    private static async Task<MigrationResult> RunWithRejectsAsync(MigrationPlan plan)
    {
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(ContinueOnError: true), _ => { }, default);
        Assert.Equal(result.Read, result.Migrated + result.Rejected + result.Skipped);
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
        return result;
    }

    [Fact]
    public async Task A_malformed_graph_file_blocks_the_plan_naming_the_file()
    {
        var plan = await PlanAsync(graphFixture: "graph_truncated.json");

        var blocker = Assert.Single(plan.Blockers);
        Assert.Equal("GraphFileMalformed", blocker.Code);
        Assert.Contains(GraphFile, blocker.Message);
    }

    [Fact]
    public async Task An_edge_whose_end_node_is_missing_is_rejected_naming_the_edge()
    {
        var result = await RunWithRejectsAsync(await PlanAsync(graphFixture: "graph_missing_node.json"));

        var reject = Assert.Single(result.Errors);
        Assert.Equal("graph_edges", reject.SourceTable);
        Assert.Equal("target_node_id", reject.Field);
        Assert.Equal("ReferenceDangling", reject.ErrorId);
        Assert.Contains("|is_a|", reject.RecordKey);
    }

    [Fact]
    public async Task A_node_the_graph_file_lists_twice_is_warned_about_and_its_repeat_rejected()
    {
        var graph = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Fixtures, "graph_links.json")))!.AsObject();
        var nodes = graph["nodes"]!.AsArray();
        nodes.Add(nodes[0]!.DeepClone());
        var repeated = Path.Combine(Path.GetDirectoryName(_systemRoot)!, "graph_repeated.json");
        Directory.CreateDirectory(Path.GetDirectoryName(repeated)!);
        await File.WriteAllTextAsync(repeated, graph.ToJsonString());

        var plan = await PlanAsync();
        File.Copy(repeated, GraphFile, overwrite: true);
        plan = await MigrationPlanner.PlanAsync(plan.Sources, plan.Target, 50, default);
        var result = await RunWithRejectsAsync(plan);

        Assert.Contains(plan.Warnings, w => w.Code == "GraphDuplicateIds");
        Assert.Equal(1, plan.SourceAnalyses[0].Tables.Single(t => t.Table == "graph_nodes").DuplicateIds);
        var reject = Assert.Single(result.Errors);
        Assert.Equal(("graph_nodes", "RecordIdDuplicate"), (reject.SourceTable, reject.ErrorId));
    }

    [Fact]
    public async Task A_payload_that_is_not_json_is_rejected_naming_the_column()
    {
        var result = await RunWithRejectsAsync(await PlanAsync(sql: "UPDATE data SET external_metadata = '{not json' WHERE rowid = (SELECT min(rowid) FROM data)"));

        var reject = Assert.Single(result.Errors);
        Assert.Equal(("data", "external_metadata", "InvalidJson"), (reject.SourceTable, reject.Field, reject.ErrorId));
    }

    [Theory]
    [InlineData(RelationalLayout.DataDatasetId, "UPDATE data SET dataset_id = NULL WHERE rowid = (SELECT min(rowid) FROM data)", "DatasetMissing")]
    [InlineData(RelationalLayout.DataDatasetId, "UPDATE data SET dataset_id = 'ffffffffffff4fffbfffffffffffffff' WHERE rowid = (SELECT min(rowid) FROM data)", "ReferenceDangling")]
    [InlineData(RelationalLayout.DatasetData, "DELETE FROM dataset_data WHERE data_id = (SELECT id FROM data ORDER BY id LIMIT 1)", "DatasetMissing")]
    public async Task A_data_row_whose_dataset_is_missing_is_rejected(RelationalLayout layout, string sql, string errorId)
    {
        var plan = await PlanAsync(layout, sql: sql);
        var result = await RunWithRejectsAsync(plan);

        var reject = Assert.Single(result.Errors.Where(e => e.SourceTable == "data"));
        Assert.Equal(("dataset_id", errorId), (reject.Field, reject.ErrorId));
    }

    [Fact]
    public async Task A_sqlite_file_that_is_not_a_cognee_database_blocks_the_plan()
    {
        Directory.CreateDirectory(Path.Combine(_systemRoot, "databases"));
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (id TEXT PRIMARY KEY)";
            await command.ExecuteNonQueryAsync();
        }

        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], target, 50, default);

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeNotADatabase");
    }

    [Fact]
    public async Task A_file_that_is_not_sqlite_at_all_blocks_the_plan()
    {
        Directory.CreateDirectory(Path.Combine(_systemRoot, "databases"));
        await File.WriteAllTextAsync(Database, "this is a text file, not a database, and it is long enough to have a header" + new string('.', 200));

        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], target, 50, default);

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeNotADatabase" && b.Message.Contains(Database));
    }

    [Fact]
    public async Task A_locked_sqlite_file_blocks_the_plan_saying_so()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1, DatasetsPerUser = 1 });
        await using var writer = new SqliteConnection($"Data Source={Database};Pooling=False");
        await writer.OpenAsync();
        await using (var command = writer.CreateCommand())
        {
            // In WAL mode (Cognee since v1.3) a writer never blocks readers; a rollback-journal file (older Cognee) locks them out.
            command.CommandText = "PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE";
            await command.ExecuteNonQueryAsync();
        }

        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))], target, 50, default);

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeDatabaseLocked");
    }

    [Fact]
    public async Task A_graph_file_that_does_not_exist_blocks_the_plan_naming_it()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, Users = 1, DatasetsPerUser = 1 });
        var missing = Path.Combine(_systemRoot, "no-such-graph.json");
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));

        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.ForFiles(Database, missing))], target, 50, default);

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeGraphFileNotFound" && b.Message.Contains(missing));
    }

    [Fact]
    public async Task A_vector_store_without_collections_is_warned_about()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, Users = 1, DatasetsPerUser = 1 });
        var empty = PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("vectors"));
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));

        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot) with { Vectors = empty })], target, 50, default);

        Assert.Contains(plan.Warnings, w => w.Code == "CogneeNoCollections");
    }

    [Fact]
    public async Task Stores_next_to_a_given_sqlite_file_are_searched_for_native_ones()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, Users = 1, DatasetsPerUser = 1 });
        Directory.CreateDirectory(Path.Combine(_systemRoot, "databases", "cognee.lancedb"));

        Assert.Contains(CogneeStores.ForFiles(Database, null).NativeStores, s => s.Description.StartsWith("LanceDB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Native_stores_that_cannot_be_opened_block_the_plan_with_the_remedy()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, Users = 1, DatasetsPerUser = 1 });
        // A LanceDB table whose manifest is not Lance's, and a Ladybug store (no npm lbug here opens Cognee's).
        var manifests = Directory.CreateDirectory(Path.Combine(_systemRoot, "databases", "cognee.lancedb", "DocumentChunk_text.lance", "_versions"));
        await File.WriteAllTextAsync(Path.Combine(manifests.FullName, "1.manifest"), "not a manifest");
        Directory.CreateDirectory(Path.Combine(_systemRoot, "databases", "cognee_graph_ladybug"));

        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var stores = CogneeStores.Locate(_systemRoot) with { NativeReaderFolder = RepositoryLayout.NativeReader };
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], target, 50, default);

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeStoreUnreadable" && b.Message.Contains("LanceDB") && b.Remedy!.Contains("pgvector"));
        Assert.Contains(plan.Blockers, b => b.Code == "CogneeStoreUnreadable" && b.Message.Contains("Ladybug") && b.Remedy!.Contains("node-link JSON"));
    }
}
