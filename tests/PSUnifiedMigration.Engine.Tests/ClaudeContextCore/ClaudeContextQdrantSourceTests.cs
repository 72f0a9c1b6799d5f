using System.Net;
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
/// claude-context-core's Qdrant collections read alone (New-MigrationSource -ClaudeContext -QdrantUri), against the
/// checking Qdrant fake seeded with the points the real code writes: a hybrid collection with summary and sparse
/// vectors, a plain one without sparse vectors, and a collection of something else that is left alone.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClaudeContextQdrantSourceTests(PostgresFixture fixture) : IDisposable
{
    private const string ApiKey = "qdrant-source-k3y";

    private readonly QdrantWireListener _fake = SeededFake();

    private static ClaudeContextCoreFacts Facts { get; } = ClaudeContextCoreInstallation.Describe(new ClaudeContextCoreOptions { RowsPerTable = 9 });

    private static CoreChunkTable Hybrid => Facts.Table(CoreChunkTableKind.Hybrid);

    private static CoreChunkTable Plain => Facts.Table(CoreChunkTableKind.Plain);

    public void Dispose() => _fake.Dispose();

    private static QdrantWireListener SeededFake()
    {
        var fake = QdrantWireListener.Start(ApiKey);
        fake.Seed(Hybrid.Collection, CoreQdrantPoints.CollectionConfig(8, hybrid: true, sparse: true), Hybrid.CodeRows.Select(c => CoreQdrantPoints.Point(Hybrid, c, sparse: true)));
        fake.Seed(Plain.Collection, CoreQdrantPoints.CollectionConfig(8, hybrid: false, sparse: false), Plain.CodeRows.Select(c => CoreQdrantPoints.Point(Plain, c, sparse: false)));
        fake.Seed("someone_else", JsonNode.Parse("""{"vectors":{"size":4,"distance":"Dot"}}""")!.AsObject(), []);
        return fake;
    }

    private MigrationSource Source(string apiKey = ApiKey) => new(ClaudeContextReader.Kind, "cc-qdrant",
        new ClaudeContextQdrantLocation(QdrantEndpoint.Parse(_fake.Uri.ToString(), new NetworkCredential("", apiKey).SecurePassword), null));

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync(string? target = null, string apiKey = ApiKey)
    {
        target ??= await fixture.Server.CreateDatabaseAsync("dst");
        return (await MigrationPlanner.PlanAsync([Source(apiKey)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 4, default), target);
    }

    private static Task<MigrationResult> RunAsync(MigrationPlan plan, Action<MigrationProgress>? progress = null, bool resume = false, CancellationToken cancellationToken = default) =>
        MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false) { Resume = resume }, progress ?? (_ => { }), cancellationToken);

    private static Task<List<object?[]>> RowsAsync(string connectionString, string sql) => TestDatabase.RowsAsync(connectionString, sql);

    private static IEnumerable<(CoreChunkTable Table, CodebaseChunk Chunk)> Seeded =>
        Hybrid.CodeRows.Select(c => (Hybrid, c)).Concat(Plain.CodeRows.Select(c => (Plain, c)));

    [Fact]
    public void The_point_id_is_claude_context_cores_for_a_known_chunk_id()
    {
        // Computed independently (Python hashlib): sha1("6ba7b810-9dad-11d1-80b4-00c04fd430c8" + "chunk_0123456789abcdef"), version 5, variant 10.
        Assert.Equal(ClaudeContextIds.QdrantPointId("chunk_0123456789abcdef"), ClaudeContextPointIds.ForChunk("chunk_0123456789abcdef"));
        Assert.All(Seeded, s => Assert.Equal(ClaudeContextIds.QdrantPointId(s.Chunk.Id), ClaudeContextPointIds.ForChunk(s.Chunk.Id)));
        Assert.Equal(new Guid("3103e519-8810-5f02-90e5-6b76f6793a90"), ClaudeContextPointIds.ForChunk("chunk_0123456789abcdef"));
    }

    [Fact]
    public async Task Every_point_arrives_once_with_its_vectors_bit_for_bit_validates_fully_and_a_second_run_adds_nothing()
    {
        var (plan, target) = await PlanAsync();

        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        Assert.Equal([$"qdrant/{Hybrid.Collection}", $"qdrant/{Plain.Collection}"], plan.Steps.Select(s => s.SourceTable).Order(StringComparer.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Code == "QdrantCollectionNotClaudeContext" && w.Message.Contains("someone_else"));
        Assert.Equal(8, plan.VectorDimensions);
        var result = await RunAsync(plan);

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(Seeded.Count(), result.Migrated);
        var rows = (await RowsAsync(target,
            "SELECT legacy_id, dense_vector::real[], sparse_vector::text, metadata::text, content, is_code, language, relative_path, start_line, project_id FROM unified.chunks"))
            // Two collections can hold the same chunk (same file, lines and content), so a point id is unique per collection only.
            .ToDictionary(r => ((string)r[0]!, JsonNode.Parse((string)r[3]!)!["claude_context"]!["dataset_id"]!.GetValue<string>()));
        Assert.Equal(Seeded.Count(), rows.Count);
        foreach (var (table, chunk) in Seeded)
        {
            var row = rows[(ClaudeContextIds.QdrantPointId(chunk.Id).ToString("D"), table.DatasetId.ToString("D"))];
            Assert.Equal(chunk.Vector, (float[])row[1]!);
            var metadata = JsonNode.Parse((string)row[3]!)!["claude_context"]!;
            if (table.IsHybrid)
            {
                var sparse = JsonNode.Parse((string)row[2]!)!;
                var (indices, values) = CoreQdrantPoints.SparseOf(chunk.Content);
                Assert.Equal(indices, sparse["indices"]!.AsArray().Select(i => i!.GetValue<uint>()));
                Assert.Equal(values, sparse["values"]!.AsArray().Select(v => v!.GetValue<float>()));
                Assert.Equal(chunk.SummaryVector, metadata["summary_vector"]?.AsArray().Select(v => v!.GetValue<float>()).ToArray());
            }
            else
            {
                Assert.Null(row[2]);
            }

            Assert.Equal((chunk.Content, chunk.IsCode, chunk.Lang, chunk.RelativePath, chunk.StartLine), ((string)row[4]!, (bool)row[5]!, (string)row[6]!, (string)row[7]!, (int)row[8]!));
            Assert.Null(row[9]);
            Assert.Equal(table.ProjectId.ToString("D"), metadata["project_id"]!.GetValue<string>());
            Assert.Equal(table.Repo, metadata["repo"]!.GetValue<string>());
        }

        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors));

        var again = await RunAsync((await PlanAsync(target)).Plan);
        Assert.Equal((0L, (long)Seeded.Count()), (again.Migrated, again.Skipped));
    }

    [Fact]
    public async Task A_cancelled_run_resumes_from_its_scroll_offset_and_ends_identical_to_an_uninterrupted_run()
    {
        var (reference, referenceTarget) = await PlanAsync();
        await RunAsync(reference);
        var (plan, target) = await PlanAsync();
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(plan, p =>
        {
            if (p.Step is { } step && step.SourceTable == "qdrant/" + Hybrid.Collection && step.Read >= 4)
            {
                cancel.Cancel();
            }
        }, cancellationToken: cancel.Token));
        var resumed = await RunAsync((await PlanAsync(target)).Plan, resume: true);

        Assert.Equal(MigrationStatus.Cancelled, resumed.ResumedFrom);
        Assert.Equal(MigrationStatus.Succeeded, resumed.Status);
        Assert.Equal(await TestDatabase.UnifiedContentAsync(referenceTarget), await TestDatabase.UnifiedContentAsync(target));
        Assert.Equal(resumed.Read, resumed.Migrated + resumed.Skipped + resumed.Rejected);
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_blocker_that_says_so_without_showing_either_key()
    {
        var (plan, _) = await PlanAsync(apiKey: "not-the-key");

        var blocker = Assert.Single(plan.Blockers);
        Assert.Equal("QdrantAuthenticationFailed", blocker.Code);
        Assert.DoesNotContain("not-the-key", blocker.ToString());
        Assert.DoesNotContain(ApiKey, blocker.ToString());
        Assert.DoesNotContain("not-the-key", Source("not-the-key").ToString() + Source("not-the-key").ConnectionString);
    }
}
