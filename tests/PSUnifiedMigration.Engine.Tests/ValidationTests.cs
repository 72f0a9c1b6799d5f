using System.Text.Json;
using System.Xml.Linq;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Test-Migration's engine against real PostgreSQL: each seeded discrepancy is found and named with the record's id and
/// fields, and a clean migration reports nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ValidationTests(PostgresFixture fixture) : IDisposable
{
    private static readonly ClaudeContextSampleOptions Small = new() { Chunks = 80, Dimensions = 16, Seed = 11, Layout = ChunkLayout.Live };
    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-validation-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(_systemRoot)))
        {
            Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);
        }
    }

    private async Task<(EngineScenario Scenario, MigrationResult Result)> MigrateClaudeAsync(ChunkLayout layout = ChunkLayout.Live)
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small with { Layout = layout });
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        return (scenario, result);
    }

    private async Task<(MigrationResult Result, string Target)> MigrateCogneeAsync()
    {
        await CogneeSample.CreateAsync(new CogneeSampleOptions { SystemRoot = _systemRoot, GraphLayout = GraphLayout.NetworkxFile });
        var target = await fixture.Server.CreateDatabaseAsync("dst");
        var plan = await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(_systemRoot))],
            new MigrationTarget("unified", PostgresEndpoint.Parse(target)), 50, default);
        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        return (result, target);
    }

    private static Task<MigrationValidationReport> ValidateAsync(MigrationResult result, ValidationOptions? options = null) =>
        MigrationValidator.ValidateAsync(result, options ?? new ValidationOptions(), null, default);

    private static ValidationDifference SingleDifference(MigrationValidationReport report)
    {
        Assert.False(report.IsValid);
        return Assert.Single(report.Differences);
    }

    /// <summary>The legacy id of the first chunk with a sparse vector.</summary>
    private static Task<string> ChunkAsync(EngineScenario scenario, string where = "sparse_vector IS NOT NULL") =>
        scenario.ScalarOnTargetAsync<string>($"SELECT legacy_id FROM unified.chunks WHERE {where} ORDER BY legacy_id LIMIT 1");

    /// <summary>Migrates, changes one chunk (one with a sparse vector) in the target, and returns its id and the one difference validation reports.</summary>
    private async Task<(string Chunk, ValidationDifference Difference)> ChangeOneChunkAsync(string set)
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, $"UPDATE unified.chunks AS c SET {set} WHERE legacy_id = '{chunk}'");
        return (chunk, SingleDifference(await ValidateAsync(result)));
    }

    [Theory]
    [InlineData(ChunkLayout.Live)]
    [InlineData(ChunkLayout.Schema)]
    public async Task A_clean_claude_context_migration_is_valid_with_no_differences_and_no_digest_only_mismatches(ChunkLayout layout)
    {
        var (_, result) = await MigrateClaudeAsync(layout);

        var report = await ValidateAsync(result);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Empty(report.Differences);
        Assert.Equal(0, report.Statistics.GetValueOrDefault("digest_only_mismatches"));
        Assert.Equal(0, report.Statistics.GetValueOrDefault("ranges_bisected"));
        Assert.True(report.Statistics["records_compared"] > 80);
    }

    [Fact]
    public async Task A_clean_cognee_migration_is_valid_with_no_differences_and_no_digest_only_mismatches()
    {
        var (result, _) = await MigrateCogneeAsync();

        var report = await ValidateAsync(result);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Empty(report.Differences);
        Assert.Equal(0, report.Statistics.GetValueOrDefault("digest_only_mismatches"));
        Assert.Contains(report.Checks, c => c.Name == "Degree per node type" && c.Passed);
    }

    [Fact]
    public async Task A_deleted_target_row_is_reported_missing_with_its_id()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, $"DELETE FROM unified.chunks WHERE legacy_id = '{chunk}'");

        var difference = SingleDifference(await ValidateAsync(result));

        Assert.Equal(("chunks", chunk, "Missing"), (difference.SourceTable, difference.RecordKey, difference.Kind));
    }

    [Fact]
    public async Task Changed_content_is_reported_with_the_record_and_the_field()
    {
        var (chunk, difference) = await ChangeOneChunkAsync("content = content || ' '");

        Assert.Equal((chunk, "Changed", "content"), (difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task The_last_bit_of_one_vector_component_changed_is_reported_as_a_changed_dense_vector()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        var vector = await scenario.ScalarOnTargetAsync<float[]>($"SELECT dense_vector::real[] FROM unified.chunks WHERE legacy_id = '{chunk}'");
        vector[3] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(vector[3]) ^ 1);
        await using (var connection = await PostgresEndpoint.Parse(scenario.TargetConnection).OpenAsync(default))
        {
            await using var command = new Npgsql.NpgsqlCommand("UPDATE unified.chunks SET dense_vector = $1 WHERE legacy_id = $2", connection)
            {
                Parameters = { new() { Value = vector }, new() { Value = chunk } },
            };
            await command.ExecuteNonQueryAsync();
        }

        var difference = SingleDifference(await ValidateAsync(result));

        Assert.Equal((chunk, "Changed", "dense_vector"), (difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task A_dropped_sparse_vector_is_reported_with_the_record_and_the_field()
    {
        var (chunk, difference) = await ChangeOneChunkAsync("sparse_vector = NULL");

        Assert.Equal((chunk, "Changed", "sparse_vector"), (difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task A_swapped_project_id_is_reported_with_the_record_and_the_field()
    {
        var (chunk, difference) = await ChangeOneChunkAsync("project_id = (SELECT p.id FROM unified.projects AS p WHERE p.id <> c.project_id LIMIT 1)");

        Assert.Equal((chunk, "Changed", "project_id"), (difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task An_extra_target_row_is_reported_with_its_id()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await scenario.ExecuteOnSourceAsync($"DELETE FROM claude_context.chunks WHERE id::text = '{chunk}'");

        var report = await ValidateAsync(result);

        var difference = SingleDifference(report);
        Assert.Equal(("chunks", chunk, "Extra"), (difference.SourceTable, difference.RecordKey, difference.Kind));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("Count cc:chunks", StringComparison.Ordinal) && !c.Passed);
    }

    [Fact]
    public async Task A_changed_owner_is_reported_with_the_record_and_the_field()
    {
        var (result, target) = await MigrateCogneeAsync();
        var dataset = await TestDatabase.ScalarAsync<string>(target, "SELECT legacy_id FROM unified.datasets WHERE owner_id IS NOT NULL ORDER BY legacy_id LIMIT 1");
        await TestDatabase.ExecuteAsync(target, $"""
            UPDATE unified.datasets AS d SET owner_id = (SELECT p.id FROM unified.principals AS p WHERE p.id <> d.owner_id AND p.principal_type = 'user' LIMIT 1)
            WHERE legacy_id = '{dataset}'
            """);

        var difference = SingleDifference(await ValidateAsync(result));

        Assert.Equal(("datasets", dataset, "Changed", "owner_id"), (difference.SourceTable, difference.RecordKey, difference.Kind, string.Join(",", difference.Fields)));
    }

    [Fact]
    public async Task A_dropped_edge_is_reported_missing_with_its_id_and_the_degree_per_node_type_differs()
    {
        var (result, target) = await MigrateCogneeAsync();
        var edge = await TestDatabase.ScalarAsync<string>(target, "SELECT legacy_id FROM unified.graph_edges ORDER BY legacy_id LIMIT 1");
        await TestDatabase.ExecuteAsync(target, $"DELETE FROM unified.graph_edges WHERE legacy_id = '{edge}'");

        var report = await ValidateAsync(result);

        var difference = SingleDifference(report);
        Assert.Equal(("graph_edges", edge, "Missing"), (difference.SourceTable, difference.RecordKey, difference.Kind));
        Assert.Contains(report.Checks, c => c.Name == "Degree per node type" && !c.Passed && c.Details.Contains("out-degree", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bisecting_locates_one_changed_record_without_fetching_the_clean_ranges()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, $"UPDATE unified.chunks SET language = 'cobol' WHERE legacy_id = '{chunk}'");

        var report = await ValidateAsync(result, new ValidationOptions(RangeSize: 8));

        Assert.Equal((chunk, "language"), (SingleDifference(report).RecordKey, string.Join(",", SingleDifference(report).Fields)));
        Assert.True(report.Statistics["ranges_compared"] >= 10);
        Assert.Equal(1, report.Statistics["ranges_bisected"]);
        Assert.Equal(1, report.Statistics["records_fetched"]);
        // One query per range, then two per level of halving a range of 8 (8 -> 4 -> 2 -> 1).
        Assert.Equal(report.Statistics["ranges_compared"] + 6, report.Statistics["digest_queries"]);
    }

    [Fact]
    public async Task Max_differences_caps_the_list_but_counts_every_difference()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        await TestDatabase.ExecuteAsync(scenario.TargetConnection,
            "UPDATE unified.chunks SET content = content || ' ' WHERE legacy_id IN (SELECT legacy_id FROM unified.chunks ORDER BY legacy_id LIMIT 5)");

        var report = await ValidateAsync(result, new ValidationOptions(MaxDifferences: 2));

        Assert.Equal(2, report.Differences.Count);
        Assert.Equal(5, report.Statistics["differences_total"]);
        Assert.Equal(3, report.Statistics["differences_not_listed"]);
    }

    [Fact]
    public async Task Quick_mode_checks_counts_and_compares_a_sample_it_names_as_such()
    {
        var (_, result) = await MigrateClaudeAsync();

        var report = await ValidateAsync(result, new ValidationOptions(ValidationMode.Quick, SampleSize: 5));

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal((ValidationMode.Quick, 5), (report.Mode, report.SampleSize));
        Assert.Contains(report.Warnings, w => w.Contains("sample of up to 5", StringComparison.Ordinal));
        var chunks = Assert.Single(report.Checks, c => c.Name == "Content cc:chunks");
        Assert.Equal("5 compared (sample), 0 changed, 0 missing", chunks.Actual);
        Assert.Contains(report.Checks, c => c.Name.StartsWith("Count cc:chunks", StringComparison.Ordinal) && c.Passed);
        Assert.False(report.Statistics.ContainsKey("ranges_compared"));
    }

    [Fact]
    public async Task A_migration_done_earlier_validates_from_a_new_plan_without_its_run()
    {
        var (scenario, _) = await MigrateClaudeAsync();
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 1000, default);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection,
            "UPDATE unified.documents SET title = 'renamed' WHERE legacy_id = (SELECT min(legacy_id) FROM unified.documents)");

        var report = await MigrationValidator.ValidateAsync(plan, null, new ValidationOptions(), null, default);

        Assert.Null(report.RunId);
        Assert.Equal("title", Assert.Single(SingleDifference(report).Fields));
        Assert.DoesNotContain(report.Checks, c => c.Name == "Run completed");
    }

    [Fact]
    public async Task The_json_export_carries_validity_checks_and_differences()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, $"UPDATE unified.chunks SET content = 'x' WHERE legacy_id = '{chunk}'");
        var report = await ValidateAsync(result);

        using var json = JsonDocument.Parse(ValidationReportFormats.ToJson(report));

        var root = json.RootElement;
        Assert.False(root.GetProperty("IsValid").GetBoolean());
        Assert.Equal("Full", root.GetProperty("Mode").GetString());
        Assert.Equal(report.Checks.Count, root.GetProperty("Checks").GetArrayLength());
        Assert.Equal(chunk, root.GetProperty("Differences")[0].GetProperty("RecordKey").GetString());
        Assert.Equal("content", root.GetProperty("Differences")[0].GetProperty("Fields")[0].GetString());
        Assert.Equal(report.Statistics["records_compared"], root.GetProperty("Statistics").GetProperty("records_compared").GetInt64());
    }

    [Fact]
    public async Task The_junit_export_has_a_suite_per_group_a_case_per_check_and_failures_with_the_differences()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        var chunk = await ChunkAsync(scenario);
        await TestDatabase.ExecuteAsync(scenario.TargetConnection, $"UPDATE unified.chunks SET content = 'x' WHERE legacy_id = '{chunk}'");
        var report = await ValidateAsync(result);

        var root = XDocument.Parse(ValidationReportFormats.ToJUnit(report)).Root!;

        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(report.Checks.Count, (int)root.Attribute("tests")!);
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal(report.Checks.Select(c => c.Group).Distinct().Order(), suites.Select(s => (string)s.Attribute("name")!).Order());
        Assert.All(suites, s => Assert.Equal((int)s.Attribute("tests")!, s.Elements("testcase").Count()));
        Assert.All(suites, s => Assert.NotNull(s.Attribute("time")));
        Assert.All(suites.SelectMany(s => s.Elements("testcase")), c => Assert.True(c.Attribute("name") is not null && c.Attribute("classname") is not null && c.Attribute("time") is not null));
        var failure = Assert.Single(suites.SelectMany(s => s.Elements("testcase")).Where(c => c.Element("failure") is not null));
        Assert.Equal("Content cc:chunks", (string)failure.Attribute("name")!);
        Assert.Equal(1, (int)suites.Single(s => (string)s.Attribute("name")! == "Content").Attribute("failures")!);
        Assert.Contains($"Changed: chunks {chunk} (content)", failure.Element("failure")!.Value, StringComparison.Ordinal);
        Assert.StartsWith("expected every record identical", (string)failure.Element("failure")!.Attribute("message")!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"b": 1, "a": [1.50, -0, 1e3, 1.5E-7, 12345678901234567890.5], "aa": {"z": null, "y": true}}""")]
    [InlineData("""{"k": "quote \" backslash \\ tab \t newline \n bell \u0007 slash \/ é 😀", "k": "last wins"}""")]
    [InlineData("""[{"indices": [3, 17], "values": [0.25, 1.0000001]}, "", [], {}, false]""")]
    [InlineData("""{"éa": 1, "z": 2, "ab": 3, "B": 4}""")]
    [InlineData("""[-0.0, -0.000, -0.010, 0, -12, 7.250, -1e0, 0e5]""")]
    public async Task The_canonical_jsonb_text_is_what_postgresql_prints(string json)
    {
        var database = await fixture.Server.CreateDatabaseAsync("json");

        var printed = await TestDatabase.ScalarAsync<string>(database, $"SELECT $json${json}$json$::jsonb::text");

        Assert.Equal(printed, JsonbText.Canonical(json));
    }

    [Fact]
    public async Task Without_a_run_a_record_the_transform_rejects_is_listed_and_counted_as_rejected()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Small);
        var bad = await TestDatabase.ScalarAsync<string>(scenario.SourceConnection, "SELECT min(id::text) FROM claude_context.chunks");
        await scenario.ExecuteOnSourceAsync($"UPDATE claude_context.chunks SET vector[5] = 'NaN' WHERE id::text = '{bad}'");
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);
        await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(true), _ => { }, default);

        var report = await MigrationValidator.ValidateAsync(plan, null, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        var reject = Assert.Single(report.Rejects);
        Assert.Equal((bad, "VectorNotFinite"), (reject.RecordKey, reject.ErrorId));
        Assert.Equal(1, report.Statistics["cc:chunks:rejected_rows"]);
    }

    [Fact]
    public async Task A_nan_in_a_target_vector_fails_the_finite_values_check()
    {
        var (scenario, result) = await MigrateClaudeAsync();
        await TestDatabase.ExecuteAsync(scenario.TargetConnection,
            "UPDATE unified.chunks SET dense_vector[2] = 'NaN' WHERE legacy_id = (SELECT min(legacy_id) FROM unified.chunks)");

        var report = await ValidateAsync(result);

        var check = Assert.Single(report.Checks, c => c.Name == "Vector values finite chunks");
        Assert.Equal((false, "1 row(s) failing", ValidationGroups.Vectors), (check.Passed, check.Actual, check.Group));
    }
}
