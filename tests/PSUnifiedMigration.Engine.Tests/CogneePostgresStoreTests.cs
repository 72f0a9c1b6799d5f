using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Cognee on PostgreSQL: the relational store (DB_PROVIDER=postgres) and the graph tables graph_node/graph_edge
/// (GRAPH_DATABASE_PROVIDER=postgres), shared per-dataset schemas included, against a real PostgreSQL.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneePostgresStoreTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);

    private async Task<(CogneeSampleSummary Sample, string Relational)> SampleAsync(RelationalLayout layout)
    {
        var relational = await fixture.Server.CreateDatabaseAsync("cognee");
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = _systemRoot, RelationalLayout = layout, GraphLayout = GraphLayout.PostgresTables, RelationalConnectionString = relational,
        });
        return (sample, relational);
    }

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync(CogneeStores stores)
    {
        var target = await fixture.Server.CreateDatabaseAsync("dst");
        return (await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 50, default), target);
    }

    private static async Task<(MigrationResult Result, MigrationValidationReport Report)> RunAsync(MigrationPlan plan)
    {
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        return (result, await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default));
    }

    [Theory]
    [InlineData(RelationalLayout.DatasetData)]
    [InlineData(RelationalLayout.DataDatasetId)]
    public async Task A_cognee_on_postgresql_of_each_layout_migrates_and_validates(RelationalLayout layout)
    {
        var (sample, relational) = await SampleAsync(layout);
        var (plan, _) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));

        var (result, report) = await RunAsync(plan);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.StartsWith("PostgreSQL", plan.SourceAnalyses[0].ServerVersion);
        Assert.Contains("PostgreSQL graph tables", plan.SourceAnalyses[0].Layout);
        Assert.Equal(sample.Principals, result.Steps.Single(s => s.SourceTable == "principals").Migrated);
        Assert.Equal(sample.DataRows, result.Steps.Single(s => s.SourceTable == "data").Migrated);
        Assert.Equal(sample.Acls, result.Steps.Single(s => s.SourceTable == "acls").Migrated);
        Assert.True(sample.GraphNodes > 0 && sample.GraphEdges > 0);
        Assert.Equal(sample.GraphNodes, result.Steps.Single(s => s.SourceTable == "graph_nodes").Migrated);
        Assert.Equal(sample.GraphEdges, result.Steps.Single(s => s.SourceTable == "graph_edges").Migrated);
    }

    [Fact]
    public async Task Ownership_and_access_rules_from_postgresql_refer_to_migrated_principals()
    {
        var (sample, relational) = await SampleAsync(RelationalLayout.DataDatasetId);
        var (plan, target) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));
        await RunAsync(plan);

        Assert.Equal((long)sample.Datasets, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.datasets d JOIN unified.principals p ON p.id = d.owner_id WHERE p.principal_type = 'user'"));
        Assert.Equal((long)sample.Acls, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.acls a JOIN unified.principals p ON p.id = a.principal_id JOIN unified.datasets d ON d.id = a.dataset_id"));
        Assert.Equal((long)sample.UserRoles, await TestDatabase.ScalarAsync<long>(target,
            "SELECT coalesce(sum(jsonb_array_length(metadata->'cognee'->'role_ids')), 0) FROM unified.principals"));
    }

    [Fact]
    public async Task A_graph_split_over_per_dataset_schemas_migrates_each_node_once_and_names_its_schemas()
    {
        var (sample, relational) = await SampleAsync(RelationalLayout.DataDatasetId);
        // postgres_graph_shared keeps a dataset's graph in schema ds_<id>; a node shared by two datasets is in both.
        await TestDatabase.ExecuteAsync(relational, """
            CREATE SCHEMA ds_second;
            CREATE TABLE ds_second.graph_node (LIKE public.graph_node INCLUDING ALL);
            CREATE TABLE ds_second.graph_edge (LIKE public.graph_edge INCLUDING ALL);
            INSERT INTO ds_second.graph_node SELECT * FROM public.graph_node;
            INSERT INTO ds_second.graph_edge SELECT * FROM public.graph_edge;
            DELETE FROM public.graph_edge WHERE (source_id, target_id, relationship_name) IN (SELECT source_id, target_id, relationship_name FROM public.graph_edge ORDER BY 1, 2, 3 LIMIT 5);
            """);
        var (plan, target) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));

        var (result, report) = await RunAsync(plan);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Contains("ds_second", plan.SourceAnalyses[0].Layout);
        Assert.Equal(sample.GraphNodes, result.Steps.Single(s => s.SourceTable == "graph_nodes").Migrated);
        Assert.Equal(sample.GraphEdges, result.Steps.Single(s => s.SourceTable == "graph_edges").Migrated);
        Assert.Equal((long)sample.GraphEdges - 5, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.graph_edges WHERE properties->'graph_schemas' @> '[\"public\", \"ds_second\"]'"));
    }

    [Fact]
    public async Task A_graph_edge_whose_node_is_missing_is_rejected_and_counted()
    {
        var (sample, relational) = await SampleAsync(RelationalLayout.DataDatasetId);
        await TestDatabase.ExecuteAsync(relational, """
            ALTER TABLE graph_edge DROP CONSTRAINT graph_edge_target_id_fkey;
            UPDATE graph_edge SET target_id = 'no-such-node' WHERE (source_id, target_id, relationship_name) = (SELECT source_id, target_id, relationship_name FROM graph_edge ORDER BY 1, 2, 3 LIMIT 1);
            """);
        var (plan, _) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));
        Assert.Contains(plan.Warnings, w => w.Code == "GraphOrphanEdges");

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(ContinueOnError: true), _ => { }, default);

        var edges = result.Steps.Single(s => s.SourceTable == "graph_edges");
        Assert.Equal(1, edges.Rejected);
        Assert.Equal(sample.GraphEdges - 1, edges.Migrated);
        Assert.Equal(result.Read, result.Migrated + result.Rejected + result.Skipped);
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
    }

    [Fact]
    public async Task A_graph_database_without_graph_tables_blocks_the_plan()
    {
        var (_, relational) = await SampleAsync(RelationalLayout.DataDatasetId);
        var empty = await fixture.Server.CreateDatabaseAsync("graph");

        var (plan, _) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)) with { GraphDatabase = PostgresEndpoint.Parse(empty) });

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeGraphTablesNotFound" && b.Remedy!.Contains("-GraphConnectionString"));
    }

    [Theory]
    [InlineData("lancedb", "ladybug", "CogneeStoreUnreadable", "pgvector")]
    [InlineData("pgvector", "kuzu", "CogneeStoreUnreadable", "node-link JSON")]
    [InlineData("pgvector", "postgres", "CogneeDatasetGraphDatabases", "-GraphConnectionString")]
    [InlineData("pgvector", "neo4j", "CogneeGraphProviderUnsupported", "node-link JSON")]
    public async Task A_per_dataset_store_that_cannot_be_read_blocks_the_plan_naming_the_dataset(string vectorProvider, string graphProvider, string code, string remedy)
    {
        var (sample, relational) = await SampleAsync(RelationalLayout.DataDatasetId);
        var dataset = await TestDatabase.ScalarAsync<Guid>(relational, "SELECT id FROM datasets ORDER BY id LIMIT 1");
        await TestDatabase.ExecuteAsync(relational, $"""
            DROP TABLE graph_edge; DROP TABLE graph_node;
            INSERT INTO dataset_database (dataset_id, vector_database_name, graph_database_name, vector_database_provider, graph_database_provider,
                graph_dataset_database_handler, vector_dataset_database_handler)
            VALUES ('{dataset}', 'vectors_{dataset:N}', '{dataset}.db', '{vectorProvider}', '{graphProvider}', '{graphProvider}', '{vectorProvider}')
            """);

        var (plan, _) = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));

        Assert.True(sample.Datasets > 0);
        Assert.Contains(plan.Blockers, b => b.Code == code && b.Message.Contains(dataset.ToString()) && b.Remedy!.Contains(remedy));
    }
}
