using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>Cognee's pgvector collections, against the real extension (PGlite, one database per server).</summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeVectorTests(PostgresFixture fixture) : IDisposable
{
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);

    private async Task<(CogneeSampleSummary Sample, MigrationPlan Plan, string Target)> PlanAsync(PgliteServer vectors, string? sqlOnVectors = null)
    {
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile, VectorConnectionString = vectors.ConnectionString, UseInsertInsteadOfCopy = true,
            Users = 1, DatasetsPerUser = 2,
        });
        if (sqlOnVectors is not null)
        {
            await TestDatabase.ExecuteAsync(vectors.ConnectionString, sqlOnVectors);
        }

        var target = await fixture.Server.CreateDatabaseAsync("dst");
        var stores = CogneeStores.Locate(_systemRoot) with { Vectors = PostgresEndpoint.Parse(vectors.ConnectionString) };
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 40, default);
        return (sample, plan, target);
    }

    [Fact]
    public async Task Chunks_data_points_and_their_vectors_migrate_and_validate_bit_for_bit()
    {
        await using var vectors = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
        var (sample, plan, target) = await PlanAsync(vectors);

        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(768, plan.VectorDimensions);
        Assert.All(plan.SourceAnalyses[0].Tables.Where(t => t.VectorDimensions is not null), t => Assert.Equal([768], t.VectorDimensions!.Keys));
        Assert.Equal(sample.VectorRows["DocumentChunk_text"], result.Steps.Single(s => s.SourceTable == "DocumentChunk_text").Migrated);
        var otherRows = sample.VectorRows.Where(kv => kv.Key != "DocumentChunk_text").Sum(kv => kv.Value);
        Assert.Equal(otherRows, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.data_points"));
        Assert.Equal(otherRows, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.data_point_vectors v JOIN unified.data_points p ON p.id = v.data_point_id"));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.chunks WHERE system_origin = 'cognee' AND (dataset_id IS NULL OR document_id IS NULL OR content_hash IS NULL)"));
    }

    [Fact]
    public async Task A_vector_whose_dimension_differs_within_its_collection_is_rejected()
    {
        await using var vectors = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
        var (_, plan, _) = await PlanAsync(vectors, """
            ALTER TABLE "Entity_name" ALTER COLUMN vector TYPE vector;
            UPDATE "Entity_name" SET vector = '[0.5,0.5,0.5]' WHERE id = (SELECT min(id::text)::uuid FROM "Entity_name");
            """);

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(ContinueOnError: true), _ => { }, default);

        Assert.Contains(plan.Warnings, w => w.Code == "VectorDimensionsMixed" && w.Message.Contains("Entity_name"));
        var reject = Assert.Single(result.Errors);
        Assert.Equal(("Entity_name:vectors", "vector", "VectorDimensionMismatch"), (reject.SourceTable, reject.Field, reject.ErrorId));
        Assert.Equal(result.Read, result.Migrated + result.Rejected + result.Skipped);
    }
}
