using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// A claude-context-core installation as its own code writes it, read with its Qdrant collections: the plain and the
/// hybrid collection's points (each id computed from its row's chunk id, as qdrant-vectordb.ts does) join the rows of
/// claude_context.&lt;collection&gt;_vectors by the default table naming, so every chunk arrives once with its sparse
/// vector, and points the database does not hold become chunks of their own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CoreQdrantJoinTests(PostgresFixture fixture, CoreInstallationSourceFixture source) : IClassFixture<CoreInstallationSourceFixture>, IDisposable
{
    private readonly QdrantWireListener _fake = QdrantWireListener.Start();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public async Task Every_vectors_table_row_takes_its_points_sparse_vector_once_and_orphan_points_become_chunks()
    {
        var join = CoreQdrantJoinCase.Of(source.Facts);
        foreach (var (collection, config, points) in join.Collections())
        {
            _fake.Seed(collection, config, points);
        }

        var target = await fixture.Server.CreateDatabaseAsync("corejoin");
        var location = new ClaudeContextQdrantLocation(QdrantEndpoint.Parse(_fake.Uri.ToString()),
            new ClaudeContextLocation(PostgresEndpoint.Parse(source.ConnectionString), "claude_context"));
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(ClaudeContextReader.Kind, "core", location)],
            new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 8, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(result.Read, result.Migrated + result.Skipped + result.Rejected);
        await join.AssertMigratedAsync(result, target);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }
}
