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
        var facts = source.Facts;
        var tables = new[] { facts.Table(CoreChunkTableKind.Plain), facts.Table(CoreChunkTableKind.Hybrid) };
        var orphan = tables[0].CodeRows[0] with { Id = "chunk_00000000deadbeef", Content = "an orphan point without a row" };
        foreach (var table in tables)
        {
            var points = table.CodeRows.Select(c => CoreQdrantPoints.Point(table, c, sparse: true)).ToList();
            if (table.Kind == CoreChunkTableKind.Plain)
            {
                points.Add(CoreQdrantPoints.Point(table, orphan, sparse: true));
            }

            _fake.Seed(table.Collection, CoreQdrantPoints.CollectionConfig(table.Dimension, table.IsHybrid, sparse: true), points);
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
        foreach (var table in tables)
        {
            Assert.Equal(table.Table, result.Steps.Single(s => s.SourceTable == table.Table).SourceTable);
            var qdrantStep = result.Steps.Single(s => s.SourceTable == "qdrant/" + table.Collection);
            Assert.Equal(table.Kind == CoreChunkTableKind.Plain ? 1 : 0, qdrantStep.Migrated);
            foreach (var chunk in table.CodeRows)
            {
                var rows = await TestDatabase.RowsAsync(target, $"SELECT sparse_vector::text FROM unified.chunks WHERE legacy_id = '{chunk.Id}'");
                var sparse = JsonNode.Parse((string)Assert.Single(rows)[0]!)!;
                Assert.Equal(CoreQdrantPoints.SparseOf(chunk.Content).Values, sparse["values"]!.AsArray().Select(v => v!.GetValue<float>()));
            }
        }

        var orphanPoint = ClaudeContextIds.QdrantPointId(orphan.Id).ToString("D");
        Assert.Single(await TestDatabase.RowsAsync(target, $"SELECT 1 FROM unified.chunks WHERE legacy_id = '{orphanPoint}' AND content = '{orphan.Content}'"));
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }
}
