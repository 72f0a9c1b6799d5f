using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// The Qdrant collections read with the PostgreSQL installation: a point joins the row whose chunk id it was computed
/// from, giving it its sparse vector, and points without a row become chunks of their own. Until the PostgreSQL reader
/// reads claude-context-core's &lt;collection&gt;_vectors tables, the join is shown against the live chunks table (the
/// location's table-of-collection mapping points the collection there); without such a table nothing is joined.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaudeContextQdrantJoinTests(PostgresFixture fixture) : IDisposable
{
    private const string Collection = "code_chunks_live";

    private readonly QdrantWireListener _fake = QdrantWireListener.Start();

    public void Dispose() => _fake.Dispose();

    private sealed record SourceChunk(string Id, string Content, string? ProjectId, string? DatasetId);

    /// <summary>Seeds the collection with points for the first <paramref name="joined"/> rows and <paramref name="orphans"/> points without a row.</summary>
    private async Task<(EngineScenario Scenario, List<SourceChunk> Rows, List<Guid> Orphans)> ScenarioAsync(int joined, int orphans)
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 14, Layout = ChunkLayout.Live, Dimensions = 8 });
        var rows = new List<SourceChunk>();
        await using (var connection = new NpgsqlConnection(scenario.SourceConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT id::text, content, project_id::text, dataset_id::text FROM claude_context.chunks ORDER BY id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(new SourceChunk(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        var orphanIds = Enumerable.Range(0, orphans).Select(i => ClaudeContextIds.QdrantPointId($"chunk_orphan{i:x10}")).ToList();
        var points = rows.Take(joined).Select(r => Point(ClaudeContextIds.QdrantPointId(r.Id), r))
            .Concat(orphanIds.Select((id, i) => Point(id, rows[i] with { Content = $"orphan {i}" })));
        _fake.Seed(Collection, CoreQdrantPoints.CollectionConfig(8, hybrid: false, sparse: true), points);
        return (scenario, rows, orphanIds);
    }

    private static JsonObject Point(Guid id, SourceChunk chunk)
    {
        var (indices, values) = CoreQdrantPoints.SparseOf(chunk.Content);
        return new JsonObject
        {
            ["id"] = id.ToString("D"),
            ["vector"] = new JsonObject
            {
                ["vector"] = new JsonArray([.. Enumerable.Range(1, 8).Select(i => (JsonNode)JsonValue.Create(i / 8f))]),
                ["sparse"] = new JsonObject { ["indices"] = new JsonArray([.. indices.Select(i => (JsonNode)JsonValue.Create(i))]), ["values"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]) },
            },
            ["payload"] = new JsonObject
            {
                ["content"] = chunk.Content, ["relative_path"] = "src/a.ts", ["start_line"] = 1, ["end_line"] = 2, ["file_extension"] = ".ts",
                ["project_id"] = chunk.ProjectId, ["dataset_id"] = chunk.DatasetId, ["source_type"] = "code", ["lang"] = "typescript", ["metadata"] = new JsonObject(),
            },
        };
    }

    private MigrationSource Source(EngineScenario scenario, Func<string, string>? tableOfCollection = null)
    {
        var location = new ClaudeContextQdrantLocation(QdrantEndpoint.Parse(_fake.Uri.ToString()), new ClaudeContextLocation(PostgresEndpoint.Parse(scenario.SourceConnection), "claude_context"));
        return new MigrationSource(ClaudeContextReader.Kind, "cc", tableOfCollection is null ? location : new ClaudeContextQdrantLocation(location.Qdrant, location.Database) { TableOfCollection = tableOfCollection });
    }

    [Fact]
    public async Task Joined_points_give_their_rows_sparse_vectors_without_a_second_chunk_and_orphan_points_become_chunks()
    {
        var (scenario, rows, orphans) = await ScenarioAsync(joined: 9, orphans: 3);
        var plan = await MigrationPlanner.PlanAsync([Source(scenario, _ => "chunks")], scenario.Target, 4, default);

        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Steps.Single(s => s.SourceTable == "qdrant/" + Collection).Migrated);
        Assert.Equal(rows.Count + 3L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
        foreach (var row in rows.Take(9))
        {
            var sparse = JsonNode.Parse(await scenario.ScalarOnTargetAsync<string>($"SELECT sparse_vector::text FROM unified.chunks WHERE legacy_id = '{row.Id}'"))!;
            Assert.Equal(CoreQdrantPoints.SparseOf(row.Content).Values, sparse["values"]!.AsArray().Select(v => v!.GetValue<float>()));
        }

        Assert.Equal(orphans.Select(o => o.ToString("D")).Order(), (await scenario.ScalarOnTargetAsync<string>(
            "SELECT string_agg(legacy_id, ',' ORDER BY legacy_id) FROM unified.chunks WHERE content LIKE 'orphan %'")).Split(','));
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }

    [Fact]
    public async Task Without_a_table_read_for_the_collection_every_row_and_every_point_arrives_once()
    {
        var (scenario, rows, _) = await ScenarioAsync(joined: 5, orphans: 2);
        var plan = await MigrationPlanner.PlanAsync([Source(scenario)], scenario.Target, 4, default);

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(rows.Count + 7L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
        Assert.Equal(result.Read, result.Migrated + result.Skipped + result.Rejected);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));
    }
}
