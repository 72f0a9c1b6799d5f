using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>Every kind of bad record is rejected with its reason under -ContinueOnError, and stops the run, named, without it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BadInputTests(PostgresFixture fixture) : IDisposable
{
    /// <summary>kind → (SQL that changes the copied row x, its key, the field named, the ErrorId).</summary>
    public static readonly TheoryData<string> Kinds = new() { "dimension", "nan", "infinity", "null-id", "duplicate-id", "nul-text", "dangling-project", "dangling-dataset" };

    private static readonly Dictionary<string, (string Change, string Key, string Field, string ErrorId)> BadRecords = new()
    {
        ["dimension"] = ("UPDATE x SET id = 'bad_dimension', vector = vector[1:767]", "bad_dimension", "vector", "VectorDimensionMismatch"),
        ["nan"] = ("UPDATE x SET id = 'bad_nan', vector[5] = 'NaN'", "bad_nan", "vector", "VectorNotFinite"),
        ["infinity"] = ("UPDATE x SET id = 'bad_infinity', vector[7] = 'Infinity'", "bad_infinity", "vector", "VectorNotFinite"),
        ["null-id"] = ("UPDATE x SET id = NULL", "ctid", "id", "RecordIdNull"),
        ["duplicate-id"] = ("UPDATE x SET content = 'a second record with the same id'", "", "id", "RecordIdDuplicate"),
        ["nul-text"] = ("UPDATE x SET id = 'bad_nul', metadata = '{\"note\": \"a\\u0000b\"}'", "bad_nul", "metadata", "TextContainsNul"),
        ["dangling-project"] = ("UPDATE x SET id = 'bad_project', project_id = '00000000-0000-4000-8000-000000000001'", "bad_project", "project_id", "ReferenceDangling"),
        ["dangling-dataset"] = ("UPDATE x SET id = 'bad_dataset', dataset_id = '00000000-0000-4000-8000-000000000002'", "bad_dataset", "dataset_id", "ReferenceDangling"),
    };

    private const string Plan = """
        $source = New-MigrationSource -ClaudeContext -ConnectionString $SourceConnection -Name 'cc'
        $target = New-MigrationTarget -ConnectionString $TargetConnection
        $plan = New-MigrationPlan -Source $source -Target $target -BatchSize 50

        """;

    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    /// <summary>A live-layout source whose chunks table allows what real ones sometimes hold: no key constraint, json metadata.</summary>
    private async Task<MigrationScenario> ScenarioWithAsync(IEnumerable<string> kinds)
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 120, Layout = ChunkLayout.Live, Seed = 11 });
        await scenario.ExecuteOnSourceAsync("""
            ALTER TABLE claude_context.chunks DROP CONSTRAINT chunks_pkey;
            ALTER TABLE claude_context.chunks ALTER COLUMN id DROP NOT NULL;
            ALTER TABLE claude_context.chunks ALTER COLUMN metadata TYPE json USING metadata::json;
            """);
        foreach (var kind in kinds)
        {
            await scenario.ExecuteOnSourceAsync($"""
                CREATE TEMP TABLE x AS SELECT * FROM claude_context.chunks WHERE id LIKE 'chunk\_%' ORDER BY id LIMIT 1;
                {BadRecords[kind].Change};
                INSERT INTO claude_context.chunks SELECT * FROM x;
                """);
        }

        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        return scenario;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Without_ContinueOnError_a_bad_record_stops_the_run_with_an_error_naming_record_and_field(string kind)
    {
        await ScenarioWithAsync([kind]);
        var (_, key, field, errorId) = BadRecords[kind];

        var run = _session.Run(Plan + "$plan | Invoke-Migration -Confirm:$false");

        var error = Assert.Single(run.AllErrors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains($"field '{field}'", error.Exception.Message);
        Assert.Contains(key, error.Exception.Message);
        Assert.Contains("-ContinueOnError", error.Exception.Message);
        Assert.DoesNotContain("   at ", error.Exception.Message);
        Assert.Equal("Failed", run.Single().Properties["Status"].Value.ToString());
    }

    [Fact]
    public async Task With_ContinueOnError_every_bad_record_is_rejected_with_its_reason_and_the_counts_add_up()
    {
        var scenario = await ScenarioWithAsync(BadRecords.Keys);

        var run = _session.Run(Plan + "$result = $plan | Invoke-Migration -ContinueOnError -Confirm:$false\n$result\n$result | Test-Migration");

        Assert.Empty(run.AllErrors);
        var result = run.Output[0];
        Assert.Equal("CompletedWithRejects", result.Properties["Status"].Value.ToString());
        var read = (long)result.Properties["Read"].Value;
        Assert.Equal(scenario.TotalRecords + BadRecords.Count, read);
        Assert.Equal((long)BadRecords.Count, result.Properties["Rejected"].Value);
        Assert.Equal(read, (long)result.Properties["Migrated"].Value + (long)result.Properties["Rejected"].Value + (long)result.Properties["Skipped"].Value);
        var members = _session.Run("$result.CountsAddUp; $result.RejectQuery");
        Assert.True((bool)members.Output[0].BaseObject);
        Assert.Equal((long)BadRecords.Count, await scenario.ScalarOnTargetAsync<long>($"SELECT count(*) FROM ({members.Output[1]}) AS rejects"));
        Assert.Contains(run.Warnings, w => w.Message.Contains($"{BadRecords.Count} record(s) were rejected"));
        var rejects = await scenario.ScalarOnTargetAsync<string>(
            "SELECT string_agg(error_id || '/' || field, ',' ORDER BY error_id, field) FROM unified_migration.rejects");
        var expected = string.Join(",", BadRecords.Values.Select(b => b.ErrorId + "/" + b.Field).Order(StringComparer.Ordinal));
        Assert.Equal(expected, rejects);
        var report = run.Output[1];
        Assert.True((bool)report.Properties["IsValid"].Value, string.Join("\n", (IEnumerable<string>)report.Properties["Errors"].Value));
    }

    [Fact]
    public async Task A_run_stopped_by_a_bad_record_is_continued_by_resume_with_ContinueOnError_counting_every_record_once()
    {
        var scenario = await ScenarioWithAsync(["nan"]);
        var stopped = _session.Run(Plan + "$plan | Invoke-Migration -Confirm:$false");

        var resumed = _session.Run(Plan + "$result = $plan | Invoke-Migration -Resume -ContinueOnError -Confirm:$false\n$result\n$result | Test-Migration");

        Assert.Equal("VectorNotFinite", Assert.Single(stopped.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Empty(resumed.AllErrors);
        var result = resumed.Output[0];
        Assert.Equal(stopped.Single().Properties["RunId"].Value, result.Properties["RunId"].Value);
        Assert.Equal("Failed", result.Properties["ResumedFrom"].Value.ToString());
        Assert.Equal(scenario.TotalRecords + 1L, result.Properties["Read"].Value);
        Assert.Equal(1L, result.Properties["Rejected"].Value);
        Assert.True((bool)resumed.Output[1].Properties["IsValid"].Value);
    }

    [Fact]
    public async Task A_failed_run_of_a_plan_made_with_RollbackOnFailure_leaves_the_target_as_it_was_and_says_so()
    {
        var scenario = await ScenarioWithAsync(["nan"]);

        var run = _session.Run(Plan.Replace("-BatchSize 50", "-BatchSize 50 -RollbackOnFailure") + "$plan | Invoke-Migration -Confirm:$false");

        Assert.Equal("VectorNotFinite", Assert.Single(run.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("RolledBack", run.Single().Properties["Status"].Value.ToString());
        Assert.Contains(run.Warnings, w => w.Message.Contains("rolled back to savepoint 'rollback-", StringComparison.Ordinal));
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.projects"));
        Assert.Equal(0L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified_migration.savepoints"));
    }
}
