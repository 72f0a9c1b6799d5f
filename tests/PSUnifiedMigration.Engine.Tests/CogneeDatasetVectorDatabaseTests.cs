using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// pgvector's default dataset handler keeps each dataset's vectors in a PostgreSQL database of its own (named after
/// the dataset id, on the server its dataset_database row names): the plan never passes over one in silence.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeDatasetVectorDatabaseTests(PostgresFixture fixture) : IDisposable
{
    private const string Password = "dataset-db-s3cret";
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);

    /// <summary>A Cognee on PostgreSQL whose datasets each have a dataset_database row as PGVectorDatasetDatabaseHandler writes it.</summary>
    private async Task<(string Relational, List<Guid> Datasets)> SampleAsync(Func<Guid, int, string> databaseName)
    {
        var relational = await fixture.Server.CreateDatabaseAsync("cognee");
        await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = _systemRoot, RelationalLayout = RelationalLayout.DataDatasetId, GraphLayout = GraphLayout.PostgresTables, RelationalConnectionString = relational,
            Users = 1, DatasetsPerUser = 2,
        });
        var datasets = (await TestDatabase.RowsAsync(relational, "SELECT id FROM datasets ORDER BY id")).Select(r => (Guid)r[0]!).ToList();
        for (var i = 0; i < datasets.Count; i++)
        {
            await TestDatabase.ExecuteAsync(relational, $$"""
                INSERT INTO dataset_database (dataset_id, vector_database_name, graph_database_name, vector_database_provider, graph_database_provider,
                    graph_dataset_database_handler, vector_dataset_database_handler, graph_database_connection_info, vector_database_connection_info)
                VALUES ('{{datasets[i]}}', '{{databaseName(datasets[i], i)}}', '{{datasets[i]}}', 'pgvector', 'postgres', 'postgres_graph_shared', 'pgvector', '{"graph_database_schema": "public"}',
                    '{"host": "vectors01", "port": "5433", "username": "cognee", "password": "{{Password}}"}')
                """);
        }

        return (relational, datasets);
    }

    private static Task<MigrationPlan> PlanAsync(CogneeStores stores, string target) =>
        MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 50, default);

    [Fact]
    public async Task Datasets_with_a_vector_database_of_their_own_block_the_plan_naming_each_database_and_never_its_password()
    {
        var (relational, datasets) = await SampleAsync((id, _) => id.ToString("D"));

        var plan = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)), await fixture.Server.CreateDatabaseAsync("dst"));

        var blocker = Assert.Single(plan.Blockers, b => b.Code == "CogneeDatasetVectorDatabases");
        Assert.All(datasets, d => Assert.Contains(d.ToString(), blocker.Message, StringComparison.Ordinal));
        Assert.Contains($"{datasets[0]:D} on vectors01:5433", blocker.Remedy, StringComparison.Ordinal);
        Assert.Contains("-VectorConnectionString", blocker.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Blockers.Concat(plan.Warnings), i => $"{i.Message} {i.Remedy}".Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_source_reading_one_datasets_database_is_warned_about_the_others_and_not_blocked()
    {
        var given = PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("vec"));
        var (relational, datasets) = await SampleAsync((id, i) => i == 0 ? given.Database : id.ToString("D"));

        var plan = await PlanAsync(CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)) with { Vectors = given }, await fixture.Server.CreateDatabaseAsync("dst"));

        Assert.DoesNotContain(plan.Blockers, b => b.Code == "CogneeDatasetVectorDatabases");
        var warning = Assert.Single(plan.Warnings, w => w.Code == "CogneeDatasetVectorDatabasesElsewhere");
        Assert.Contains($"dataset {datasets[0]}", warning.Message, StringComparison.Ordinal);
        Assert.Contains(datasets[1].ToString(), warning.Message, StringComparison.Ordinal);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
    }
}
