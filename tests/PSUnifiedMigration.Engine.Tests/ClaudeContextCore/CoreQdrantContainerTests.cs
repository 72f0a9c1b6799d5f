using System.Net;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Tests.Qdrant;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// claude-context-core's Qdrant collections in the real qdrant/qdrant image, the authority QdrantWireListener imitates:
/// created and filled over REST as qdrant-vectordb.ts does (named dense 'vector', hybrid 'summary_vector', sparse 'sparse'
/// with the idf modifier; point id from the chunk id), read alone and joined to a generated installation in PGlite.
/// Skipped, with the reason, where no Docker engine is configured.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CoreQdrantContainerTests(PostgresFixture fixture, QdrantContainerFixture qdrant) : IClassFixture<QdrantContainerFixture>
{
    private QdrantEndpoint Endpoint => QdrantEndpoint.Parse(qdrant.Uri, new NetworkCredential("", QdrantContainerFixture.ApiKey).SecurePassword);

    /// <summary>PUT /collections/{name} and PUT /collections/{name}/points?wait=true, each collection under a fresh name.</summary>
    private async Task SeedAsync(string collection, JsonObject config, IEnumerable<JsonObject> points)
    {
        using var client = new WireFakeClient(new Uri(qdrant.Uri), h => h.Add("api-key", QdrantContainerFixture.ApiKey));
        var created = await client.SendAsync(HttpMethod.Put, $"collections/{collection}", config.ToJsonString());
        Assert.True(created.Status == HttpStatusCode.OK, $"create {collection}: {created.Body}");
        var body = new JsonObject { ["points"] = new JsonArray([.. points]) };
        var upserted = await client.SendAsync(HttpMethod.Put, $"collections/{collection}/points?wait=true", body.ToJsonString());
        Assert.True(upserted.Status == HttpStatusCode.OK, $"upsert {collection}: {upserted.Body}");
    }

    private static async Task<MigrationResult> MigrateAsync(ISourceLocation location, string target)
    {
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(ClaudeContextReader.Kind, "core", location)],
            new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 8, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(result.Read, result.Migrated + result.Skipped + result.Rejected);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors.Concat(report.Differences.Select(d => d.ToString()))));
        return result;
    }

    [DockerFact]
    public async Task Real_qdrant_collections_join_their_vectors_tables_every_row_takes_its_sparse_vector_and_an_orphan_point_becomes_a_chunk()
    {
        await using var sample = await ClaudeContextCoreSample.StartAsync(RepositoryLayout.PglitePackages, chunks: 24, dimension: 8);
        var join = CoreQdrantJoinCase.Of(sample.Facts);
        foreach (var (collection, config, points) in join.Collections())
        {
            await SeedAsync(collection, config, points);
        }

        var target = await fixture.Server.CreateDatabaseAsync("qdrantjoin");
        var result = await MigrateAsync(new ClaudeContextQdrantLocation(Endpoint,
            new ClaudeContextLocation(PostgresEndpoint.Parse(sample.ConnectionString), "claude_context")), target);

        await join.AssertMigratedAsync(result, target);
    }

    [DockerFact]
    public async Task Real_qdrant_collections_read_alone_migrate_every_point_once_and_validate()
    {
        var facts = ClaudeContextCoreInstallation.Describe(new ClaudeContextCoreOptions { Seed = 7, RowsPerTable = 9 });
        var hybrid = facts.Table(CoreChunkTableKind.Hybrid);
        var plain = facts.Table(CoreChunkTableKind.Plain);
        // Collections of their own: the join test's collections of the same codebases live in the same server.
        var (hybridName, plainName) = (hybrid.Collection + "_alone", plain.Collection + "_alone");
        await SeedAsync(hybridName, CoreQdrantPoints.CollectionConfig(8, hybrid: true, sparse: true), hybrid.CodeRows.Select(c => CoreQdrantPoints.Point(hybrid, c, sparse: true)));
        await SeedAsync(plainName, CoreQdrantPoints.CollectionConfig(8, hybrid: false, sparse: false), plain.CodeRows.Select(c => CoreQdrantPoints.Point(plain, c, sparse: false)));

        var result = await MigrateAsync(new ClaudeContextQdrantLocation(Endpoint, null), await fixture.Server.CreateDatabaseAsync("qdrantalone"));

        Assert.Equal(hybrid.RowCount, result.Steps.Single(s => s.SourceTable == "qdrant/" + hybridName).Migrated);
        Assert.Equal(plain.RowCount, result.Steps.Single(s => s.SourceTable == "qdrant/" + plainName).Migrated);
    }
}
