using Microsoft.Data.Sqlite;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;

namespace PSUnifiedMigration.Engine.Tests.CogneeEras;

/// <summary>Relational stores of each Cognee era, read by introspected columns, migrate completely and validate.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeEraTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-era-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
    }

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync()
    {
        var target = await fixture.Server.CreateDatabaseAsync("dst");
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))],
            new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 50, default);
        return (plan, target);
    }

    /// <summary>
    /// v1.0.2 has no users.parent_user_id: before columns were introspected its run failed mid-way with "Unexpected
    /// error ... no such column: u.parent_user_id". v0.1.43's ACLs name data rows, not datasets.
    /// </summary>
    [Theory]
    [InlineData(CogneeEra.V0_1_43)]
    [InlineData(CogneeEra.V1_0_2)]
    [InlineData(CogneeEra.V1_1_3)]
    [InlineData(CogneeEra.V1_5_2)]
    [InlineData(CogneeEra.V1_5_Unfinished)]
    public async Task A_relational_store_of_each_era_migrates_completely_and_validates(CogneeEra era)
    {
        var store = await CogneeEraStore.CreateAsync(_systemRoot, era);
        var (plan, target) = await PlanAsync();

        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var events = new List<string>();
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), e => events.Add(e.ToString() ?? ""), default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(result.Read, result.Migrated);
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);

        Assert.Equal(store.Principals, result.Steps.Single(s => s.SourceTable == "principals").Migrated);
        Assert.Equal(store.Datasets, result.Steps.Single(s => s.SourceTable == "datasets").Migrated);
        Assert.Equal(store.DataRows, result.Steps.Single(s => s.SourceTable == "data").Migrated);
        Assert.Equal(store.Acls, result.Steps.Single(s => s.SourceTable == "acls").Migrated);
        Assert.Equal(store.LedgerNodes, result.Steps.SingleOrDefault(s => s.SourceTable == "graph_nodes")?.Migrated ?? 0);
        Assert.Equal(store.LedgerEdges, result.Steps.SingleOrDefault(s => s.SourceTable == "graph_edges")?.Migrated ?? 0);

        // Every document in the dataset its era says (earliest dataset_data link, or data.dataset_id).
        foreach (var (data, dataset) in store.ExpectedDatasets)
        {
            Assert.Equal(dataset.ToString(), await TestDatabase.ScalarAsync<string>(target,
                $"SELECT s.legacy_id FROM unified.documents d JOIN unified.datasets s ON s.id = d.dataset_id WHERE d.legacy_id = '{data}'"));
        }

        // Each ACL protects the dataset of what it names (a dataset, or up to v0.1.44 a data row).
        Assert.Equal(2, await TestDatabase.ScalarAsync<long>(target,
            $"SELECT count(*) FROM unified.acls a JOIN unified.datasets s ON s.id = a.dataset_id WHERE s.legacy_id = '{CogneeEraStore.Dataset1}'"));

        // Standing grants travel with their principal, sorted.
        Assert.Equal("[\"read\", \"write\"]", await TestDatabase.ScalarAsync<string>(target,
            $"SELECT (metadata->'cognee'->'default_permissions')::text FROM unified.principals WHERE legacy_id = '{CogneeEraStore.Tenant}'"));
        Assert.Equal("[\"read\"]", await TestDatabase.ScalarAsync<string>(target,
            $"SELECT (metadata->'cognee'->'default_permissions')::text FROM unified.principals WHERE legacy_id = '{CogneeEraStore.Role}'"));
        Assert.Equal("[\"write\"]", await TestDatabase.ScalarAsync<string>(target,
            $"SELECT (metadata->'cognee'->'default_permissions')::text FROM unified.principals WHERE legacy_id = '{CogneeEraStore.User2}'"));
        Assert.Equal(CogneeEraSchema.HasParentUser(era) ? CogneeEraStore.User1.ToString("N") : "", await TestDatabase.ScalarAsync<string>(target,
            $"SELECT coalesce(metadata->'source_columns'->>'parent_user_id', '') FROM unified.principals WHERE legacy_id = '{CogneeEraStore.User2}'"));

        await AssertNoSecretAsync(plan, [.. events, .. result.Warnings], target);
    }

    [Fact]
    public async Task A_half_finished_v15_upgrade_takes_datasets_from_the_link_table_and_says_so()
    {
        await CogneeEraStore.CreateAsync(_systemRoot, CogneeEra.V1_5_Unfinished);
        var (plan, _) = await PlanAsync();

        var warning = Assert.Single(plan.Warnings, w => w.Code == "CogneeUpgradeUnfinished");
        Assert.Contains("2 data row(s)", warning.Message);
        Assert.Contains("v1.5 upgrade unfinished", plan.SourceAnalyses[0].Layout);
    }

    [Theory]
    [InlineData("users.email", "users", "email", "v0.1.40")]
    [InlineData("user_tenants.tenant_id", "user_tenants", "tenant_id", "v0.5.0")]
    [InlineData("nodes.slug", "nodes", "slug", "v0.5.3")]
    [InlineData("dataset_data.data_id", "dataset_data", "data_id", "v0.1.40")]
    public async Task A_missing_required_column_blocks_the_plan_naming_table_column_and_version(string omit, string table, string column, string since)
    {
        await CogneeEraStore.CreateAsync(_systemRoot, omit.StartsWith("dataset_data", StringComparison.Ordinal) ? CogneeEra.V1_1_3 : CogneeEra.V1_5_2, omit);
        var (plan, _) = await PlanAsync();

        Assert.False(plan.CanInvoke);
        var blocker = Assert.Single(plan.Blockers, b => b.Code == "CogneeColumnMissing");
        Assert.Contains($"table {table} has no column {column}", blocker.Message);
        Assert.Contains(since, blocker.Message);
        Assert.NotNull(blocker.Remedy);
    }

    [Fact]
    public async Task Acls_with_neither_a_dataset_nor_a_data_column_block_the_plan()
    {
        await CogneeEraStore.CreateAsync(_systemRoot, CogneeEra.V1_5_2, "acls.dataset_id");
        var (plan, _) = await PlanAsync();

        Assert.Contains(plan.Blockers, b => b.Code == "CogneeColumnMissing" && b.Message.Contains("neither dataset_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_ledger_is_a_cross_check_of_the_graph_store_and_a_difference_is_a_warning()
    {
        await CogneeEraStore.CreateAsync(_systemRoot, CogneeEra.V1_0_2);
        // A networkx graph file written by networkx itself (tests/fixtures/cognee/make_graph_fixtures.py): 10 nodes, 13 edges.
        File.Copy(Path.Combine(RepositoryLayout.Root, "tests", "fixtures", "cognee", "graph_links.json"),
            Path.Combine(_systemRoot, "databases", CogneeStores.GraphFile));
        var (plan, _) = await PlanAsync();

        var warning = Assert.Single(plan.Warnings, w => w.Code == "CogneeLedgerMismatch");
        Assert.Contains("records 7 node(s) and 6 edge(s), but the graph store (graph file) holds 10 and 13", warning.Message);
        Assert.Equal(10, plan.Steps.Single(s => s.SourceTable == "graph_nodes").EstimatedRecords);
    }

    /// <summary>dataset_database's *_database_key columns and connection-info passwords appear in no plan text, no progress event, no target row.</summary>
    private static async Task AssertNoSecretAsync(MigrationPlan plan, List<string> events, string target)
    {
        var planText = string.Join("\n", plan.Blockers.Concat(plan.Warnings).Select(i => i.Message + " " + i.Remedy)) + plan.SourceAnalyses[0].Layout;
        var targetText = await TestDatabase.ScalarAsync<string>(target, """
            SELECT coalesce(string_agg(t::text, E'\n'), '') FROM (
              SELECT to_jsonb(p) AS t FROM unified.principals p UNION ALL SELECT to_jsonb(d) FROM unified.datasets d
              UNION ALL SELECT to_jsonb(d) FROM unified.documents d UNION ALL SELECT to_jsonb(a) FROM unified.acls a
              UNION ALL SELECT to_jsonb(n) FROM unified.graph_nodes n UNION ALL SELECT to_jsonb(e) FROM unified.graph_edges e) AS rows
            """);
        Assert.Contains("ada@example.org", targetText);
        foreach (var secret in CogneeEraStore.Secrets.Append("never-copied"))
        {
            Assert.DoesNotContain(secret, planText);
            Assert.DoesNotContain(secret, targetText);
            Assert.DoesNotContain(events, e => e.Contains(secret, StringComparison.Ordinal));
        }
    }
}
