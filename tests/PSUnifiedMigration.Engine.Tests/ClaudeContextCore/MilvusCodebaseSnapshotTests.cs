using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// Upstream's ~/.context/mcp-codebase-snapshot.json names the codebase of a collection whose entities do not (here their
/// metadata lacks codebasePath), in both formats upstream's snapshot.ts has written, and a codebase it lists as still
/// indexing is a warning; a snapshot file that was given but cannot be read is a warning naming it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MilvusCodebaseSnapshotTests(PostgresFixture fixture) : IDisposable
{
    private const string Legacy = "/home/dev/legacy";
    private const string Pending = "/home/dev/pending";

    private static readonly UpstreamMilvusCollection Unnamed = WithoutCodebasePath(UpstreamMilvusCollections.Generate(Legacy, hybrid: false, count: 12, dimension: 4, seed: 9));
    private static readonly UpstreamMilvusCollection Indexing = UpstreamMilvusCollections.Generate(Pending, hybrid: true, count: 5, dimension: 4, seed: 10);

    private readonly MilvusWireListener _fake = Seeded();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"psum-mcp-codebase-snapshot-{Guid.NewGuid():N}.json");

    public void Dispose()
    {
        _fake.Dispose();
        File.Delete(_file);
    }

    private static UpstreamMilvusCollection WithoutCodebasePath(UpstreamMilvusCollection collection) => collection with
    {
        Entities = [.. collection.Entities.Select(e =>
        {
            var entity = (JsonObject)e.DeepClone();
            var metadata = JsonNode.Parse(entity["metadata"]!.GetValue<string>())!.AsObject();
            metadata.Remove("codebasePath");
            entity["metadata"] = metadata.ToJsonString();
            return entity;
        })],
    };

    private static MilvusWireListener Seeded()
    {
        var fake = MilvusWireListener.Start(null);
        fake.AddCollection(MilvusSeed.Blog);
        fake.AddCollection(Unnamed);
        fake.AddCollection(Indexing);
        return fake;
    }

    /// <summary>The files as upstream's SnapshotManager writes them: v1 (indexingCodebases as a progress map) and v2.</summary>
    public static TheoryData<string> Snapshots() => new()
    {
        $$"""{"indexedCodebases":["{{Legacy}}","/home/dev/blog"],"indexingCodebases":{"{{Pending}}":40},"lastUpdated":"2025-08-01T10:00:00.000Z"}""",
        $$"""
        {
          "formatVersion": "v2",
          "codebases": {
            "{{Legacy}}": {"status": "indexed", "indexedFiles": 7, "totalChunks": 12, "indexStatus": "completed", "lastUpdated": "2025-09-01T10:00:00.000Z"},
            "{{Pending}}": {"status": "indexing", "indexingPercentage": 40, "lastUpdated": "2025-09-01T10:05:00.000Z"}
          },
          "lastUpdated": "2025-09-01T10:05:00.000Z"
        }
        """,
    };

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync()
    {
        var target = await fixture.Server.CreateDatabaseAsync("snapshot");
        var source = new MigrationSource(ClaudeContextReader.Kind, "upstream", MilvusLocation.Parse(_fake.Uri.ToString(), codebaseSnapshotPath: _file));
        return (await MigrationPlanner.PlanAsync([source], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 20, default), target);
    }

    [Theory]
    [MemberData(nameof(Snapshots))]
    public async Task The_snapshot_names_a_collections_codebase_in_the_plan_and_as_its_chunks_project_and_an_indexing_codebase_is_a_warning(string snapshot)
    {
        File.WriteAllText(_file, snapshot);

        var (plan, target) = await PlanAsync();

        Assert.Empty(plan.Blockers);
        Assert.Equal(CodebaseSnapshot.PathHash(Legacy), Unnamed.Name[^8..]);
        var layouts = plan.SourceAnalyses.Single().Tables.ToDictionary(t => t.Table, t => t.Layout);
        Assert.Equal($"upstream plain collection of codebase {Legacy}", layouts[Unnamed.Name]);
        Assert.Equal($"upstream hybrid collection of codebase {Pending}", layouts[Indexing.Name]);
        Assert.Equal("upstream plain collection of codebase /home/dev/blog", layouts[MilvusSeed.Blog.Name]);
        var indexing = Assert.Single(plan.Warnings, w => w.Code == "ClaudeContextCodebaseNotIndexed");
        Assert.Contains(Indexing.Name, indexing.Message);
        Assert.Contains("'indexing'", indexing.Message);
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        var projects = await TestDatabase.RowsAsync(target, $"""
            SELECT DISTINCT p.name FROM unified.chunks c JOIN unified.projects p ON p.id = c.project_id
            WHERE c.legacy_id IN ({string.Join(", ", Unnamed.Entities.Select(e => $"'{e["id"]}'"))})
            """);
        Assert.Equal(Legacy, Assert.Single(projects)[0]);
        Assert.Equal(3L, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.projects"));
    }

    [Theory]
    [InlineData("{\"lastUpdated\": \"2025-09-01\"}", "indexedCodebases")]
    [InlineData("not json", "")]
    [InlineData(null, "does not exist")]
    public async Task A_given_snapshot_that_cannot_be_read_is_a_warning_naming_it_and_collections_fall_back_to_their_names(string? content, string reason)
    {
        if (content is not null)
        {
            File.WriteAllText(_file, content);
        }

        var (plan, _) = await PlanAsync();

        var warning = Assert.Single(plan.Warnings, w => w.Code == "CodebaseSnapshotUnreadable");
        Assert.Contains(_file, warning.Message);
        Assert.Contains(reason, warning.Message);
        Assert.Equal($"upstream plain collection of codebase {Unnamed.Name}", plan.SourceAnalyses.Single().Tables.Single(t => t.Table == Unnamed.Name).Layout);
        Assert.DoesNotContain(plan.Warnings, w => w.Code == "ClaudeContextCodebaseNotIndexed");
    }
}
