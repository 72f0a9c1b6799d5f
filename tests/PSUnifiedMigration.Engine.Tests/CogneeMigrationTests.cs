using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

[Collection(PostgresCollection.Name)]
public sealed class CogneeMigrationTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);

    private async Task<(CogneeSampleSummary Sample, MigrationSource Source, MigrationTarget Target, string TargetConnection)> ScenarioAsync(
        RelationalLayout layout, GraphLayout graph = GraphLayout.NetworkxFile)
    {
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, RelationalLayout = layout, GraphLayout = graph });
        var targetConnection = await fixture.Server.CreateDatabaseAsync("dst");
        return (sample, new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot)), new MigrationTarget("unified", PostgresEndpoint.Parse(targetConnection)), targetConnection);
    }

    [Theory]
    [InlineData(RelationalLayout.DatasetData, GraphLayout.NetworkxFile)]
    [InlineData(RelationalLayout.DataDatasetId, GraphLayout.NetworkxFile)]
    [InlineData(RelationalLayout.DatasetData, GraphLayout.LedgerTables)]
    [InlineData(RelationalLayout.DataDatasetId, GraphLayout.LedgerTables)]
    public async Task A_cognee_installation_of_each_layout_migrates_and_validates(RelationalLayout layout, GraphLayout graph)
    {
        var (sample, source, target, _) = await ScenarioAsync(layout, graph);

        var plan = await MigrationPlanner.PlanAsync([source], target, 50, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Contains("alembic revision", plan.SourceAnalyses[0].Layout);
        Assert.Equal(sample.Principals, result.Steps.Single(s => s.SourceTable == "principals").Migrated);
        Assert.Equal(sample.Datasets, result.Steps.Single(s => s.SourceTable == "datasets").Migrated);
        Assert.Equal(sample.DataRows, result.Steps.Single(s => s.SourceTable == "data").Migrated);
        Assert.Equal(sample.Acls, result.Steps.Single(s => s.SourceTable == "acls").Migrated);
        var (nodes, edges) = graph == GraphLayout.NetworkxFile
            ? (sample.GraphNodes, sample.GraphEdges)
            : (await LedgerCountAsync(sample, "SELECT count(DISTINCT slug) FROM nodes"),
               await LedgerCountAsync(sample, "SELECT count(*) FROM (SELECT 1 FROM edges GROUP BY source_node_id, relationship_name, destination_node_id)"));
        Assert.True(nodes > 0 && edges > 0);
        Assert.Equal(nodes, result.Steps.Single(s => s.SourceTable == "graph_nodes").Migrated);
        Assert.Equal(edges, result.Steps.Single(s => s.SourceTable == "graph_edges").Migrated);
    }

    [Fact]
    public async Task Early_cognee_cognitive_layers_migrate_as_ordinary_graph_nodes_and_edges()
    {
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = _systemRoot, RelationalLayout = RelationalLayout.DatasetData, GraphLayout = GraphLayout.NetworkxFile, IncludeCognitiveLayers = true,
        });
        var target = await fixture.Server.CreateDatabaseAsync("dst");
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))],
            new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 50, default);

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.True(sample.CognitiveLayers > 0);
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
        Assert.Equal((long)sample.CognitiveLayers, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.graph_nodes WHERE legacy_id LIKE 'COGNITIVE\\_LAYER\\_\\_%'"));
        Assert.True(await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.graph_edges WHERE relationship_name = 'decomposed_as'") > 0);
    }

    [Fact]
    public async Task Principals_are_read_tenants_first_so_a_batch_of_one_rejects_nothing()
    {
        var (_, source, target, _) = await ScenarioAsync(RelationalLayout.DataDatasetId);

        var plan = await MigrationPlanner.PlanAsync([source], target, 1, default);
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Rejected);
    }

    [Fact]
    public async Task Role_and_tenant_memberships_travel_with_their_users()
    {
        var (sample, source, target, targetConnection) = await ScenarioAsync(RelationalLayout.DataDatasetId);
        await MigrationExecutor.RunAsync(await MigrationPlanner.PlanAsync([source], target, 50, default), new MigrationRunOptions(false), _ => { }, default);

        Assert.True(sample.UserRoles > 0 && sample.UserTenants > 0);
        Assert.Equal((long)sample.UserRoles, await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT coalesce(sum(jsonb_array_length(metadata->'cognee'->'role_ids')), 0) FROM unified.principals"));
        Assert.Equal((long)sample.UserTenants, await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT coalesce(sum(jsonb_array_length(metadata->'cognee'->'tenant_ids')), 0) FROM unified.principals"));
    }

    private static async Task<long> LedgerCountAsync(CogneeSampleSummary sample, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={sample.RelationalDatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Ownership_tenants_and_access_rules_survive_as_references_to_migrated_principals()
    {
        var (sample, source, target, targetConnection) = await ScenarioAsync(RelationalLayout.DataDatasetId);
        var plan = await MigrationPlanner.PlanAsync([source], target, 50, default);
        await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        var ownedDatasets = await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT count(*) FROM unified.datasets d JOIN unified.principals p ON p.id = d.owner_id WHERE p.principal_type = 'user'");
        var ownedDocuments = await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT count(*) FROM unified.documents d JOIN unified.principals p ON p.id = d.owner_id");
        var acls = await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT count(*) FROM unified.acls a JOIN unified.principals p ON p.id = a.principal_id JOIN unified.datasets d ON d.id = a.dataset_id");
        var credentials = await TestDatabase.ScalarAsync<long>(targetConnection,
            "SELECT count(*) FROM unified.principals WHERE metadata::text LIKE '%hashed_password%'");

        Assert.Equal(sample.Datasets, ownedDatasets);
        Assert.Equal(sample.DataRows, ownedDocuments);
        Assert.Equal(sample.Acls, acls);
        Assert.Equal(0, credentials);
    }
}
