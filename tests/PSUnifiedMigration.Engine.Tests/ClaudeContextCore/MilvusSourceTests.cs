using System.Net;
using System.Text.RegularExpressions;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// Upstream Claude-Context on Milvus as a source, against the Milvus REST v2 wire fake (unordered results, a query
/// window of 16,384, BM25 output refused, Bearer token) and a real PostgreSQL target. A small query limit makes
/// buckets fill it, so the reader must split them to see every entity.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MilvusSourceTests(PostgresFixture fixture) : IDisposable
{
    private const string Token = "root:Milvus-s3cret";
    private const int QueryLimit = 8;

    private readonly MilvusWireListener _fake = MilvusSeed.Start(Token);

    public void Dispose() => _fake.Dispose();

    private MigrationSource Source(string token = Token) => MilvusSeed.Source(_fake, token, QueryLimit);

    private static Task<MigrationResult> RunAsync(MigrationPlan plan, MigrationRunOptions options, Action<MigrationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        MigrationExecutor.RunAsync(plan, options with { Retry = new RetryPolicy(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) },
            progress ?? (_ => { }), cancellationToken);

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync(string? target = null)
    {
        target ??= await fixture.Server.CreateDatabaseAsync("dst");
        return (await MigrationPlanner.PlanAsync([Source()], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 20, default), target);
    }

    [Fact]
    public async Task Every_entity_of_every_collection_arrives_once_a_second_run_adds_nothing_and_full_validation_is_clean()
    {
        var (plan, target) = await PlanAsync();

        Assert.Empty(plan.Blockers);
        var sparse = Assert.Single(plan.Warnings, i => i.Code == "MilvusSparseVectorsNotCarried");
        Assert.Contains(MilvusSeed.Hybrid.Name, sparse.Message);
        Assert.Equal(["codebases", "collections", .. MilvusSeed.All.Select(c => c.Name).Order(StringComparer.Ordinal)], plan.Steps.Select(s => s.SourceTable));
        var result = await RunAsync(plan, new MigrationRunOptions(false));

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        var expected = MilvusSeed.All.SelectMany(c => c.Entities.Select(e => e["id"]!.GetValue<string>())).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, expected.Distinct().Count());
        var migrated = (await TestDatabase.ScalarAsync<string>(target,
            "SELECT string_agg(legacy_id || '=' || id::text, ',' ORDER BY legacy_id COLLATE \"C\") FROM unified.chunks")).Split(',');
        Assert.Equal(expected.Select(id => $"{id}={DeterministicId.ForLegacyId("claude", id)}"), migrated);
        Assert.Equal(2L, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.projects"));
        Assert.Equal(3L, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.datasets"));
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(target,
            "SELECT count(*) FROM unified.chunks WHERE project_id IS NULL OR dataset_id IS NULL OR dense_vector IS NULL OR relative_path IS NULL OR start_line IS NULL"));
        var code = MilvusSeed.All.SelectMany(c => c.Entities).Count(e => System.Text.Json.Nodes.JsonNode.Parse(e["metadata"]!.GetValue<string>())!["language"]!.GetValue<string>() is not ("markdown" or "text"));
        Assert.InRange(code, 1, expected.Count - 1);
        Assert.Equal(code, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks WHERE is_code AND chunk_type = 'code'"));
        // Buckets filled the limit of 8 and were split into longer prefixes.
        Assert.Contains(_fake.Requests, r => r.Path.EndsWith("/entities/query") && Regex.IsMatch(r.Body, "chunk_[0-9a-f]{2}%") && r.Body.Contains("\"limit\":8"));
        Assert.All(_fake.Requests, r => Assert.Equal(0, r.Code));

        var state = await TestDatabase.UnifiedContentAsync(target);
        var second = await RunAsync((await PlanAsync(target)).Plan, new MigrationRunOptions(false));
        Assert.Equal(0, second.Migrated);
        Assert.Equal(state, await TestDatabase.UnifiedContentAsync(target));

        var report = await MigrationValidator.ValidateAsync(second, new ValidationOptions(ValidationMode.Full, RangeSize: 7), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Checks.Where(c => !c.Passed)));
    }

    [Fact]
    public async Task A_cancelled_run_resumes_to_exactly_what_an_uninterrupted_run_gives()
    {
        var (reference, referenceTarget) = await PlanAsync();
        await RunAsync(reference, new MigrationRunOptions(false));
        var (plan, target) = await PlanAsync();
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(plan, new MigrationRunOptions(false), p =>
        {
            if (p.Step is { SourceTable: var table } step && table == MilvusSeed.Hybrid.Name && step.Read >= 60)
            {
                cancel.Cancel();
            }
        }, cancel.Token));

        var resumed = await RunAsync(plan, new MigrationRunOptions(false) { Resume = true });

        Assert.Equal(MigrationStatus.Succeeded, resumed.Status);
        Assert.Equal(await TestDatabase.UnifiedContentAsync(referenceTarget), await TestDatabase.UnifiedContentAsync(target));
        Assert.Equal(MilvusSeed.Hybrid.Entities.Count, await TestDatabase.ScalarAsync<long>(target,
            $"SELECT count(*) FROM unified.chunks c JOIN unified.datasets d ON d.id = c.dataset_id WHERE d.name = '{MilvusSeed.Hybrid.Name}'"));
        Assert.True((await MigrationValidator.ValidateAsync(resumed, new ValidationOptions(), null, default)).IsValid);
    }

    [Fact]
    public async Task A_wrong_token_blocks_the_plan_with_an_authentication_error_that_does_not_show_it()
    {
        var source = Source("wrong-t0ken");
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));

        var plan = await MigrationPlanner.PlanAsync([source], target, 20, default);

        var blocker = Assert.Single(plan.Blockers);
        Assert.Equal("MilvusAuthenticationFailed", blocker.Code);
        Assert.Equal(MigrationErrorKind.AuthenticationError, blocker.Kind);
        Assert.Contains("-Token", blocker.Message);
        Assert.DoesNotContain("wrong-t0ken", blocker.ToString());
        Assert.DoesNotContain("wrong-t0ken", source.ToString() + source.ConnectionString);
        Assert.Contains("token ********", source.ConnectionString);
        Assert.Contains(_fake.Requests, r => r.HttpStatus == (int)HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void The_location_refuses_an_address_that_could_carry_a_secret()
    {
        var error = Assert.Throws<MigrationException>(() => MilvusLocation.Parse("http://root:s3cret@milvus01:19530"));

        Assert.Equal("MilvusUriInvalid", error.ErrorId);
        Assert.DoesNotContain("s3cret", error.Message);
        Assert.Same(ClaudeContextReader.Kind, MilvusSeed.Source(_fake, null, QueryLimit).System);
    }
}
