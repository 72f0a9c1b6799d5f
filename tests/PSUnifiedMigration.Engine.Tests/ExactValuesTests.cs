using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Issue 14: every value PostgreSQL legally holds arrives exactly, or is a reject naming the record and field, never a
/// failed run; and Full validation flags the target when it is altered afterwards.
/// </summary>
[Collection(PostgresCollection.Name)]
public class ExactValuesTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Live = new() { Chunks = 12, Layout = ChunkLayout.Live, Dimensions = 8, Seed = 14 };
    private static readonly ClaudeContextSampleOptions Schema = new() { Chunks = 12, Layout = ChunkLayout.Schema, Dimensions = 8, Seed = 14 };

    private static Task<MigrationResult> RunAsync(MigrationPlan plan, bool continueOnError = false) =>
        MigrationExecutor.RunAsync(plan, new MigrationRunOptions(continueOnError), _ => { }, default);

    private static async Task<MigrationValidationReport> FullAsync(MigrationResult result) =>
        await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default);

    /// <summary>The n-th chunk id (0-based, in id order) of the source.</summary>
    private static Task<string> ChunkIdAsync(EngineScenario scenario, int n) =>
        TestDatabase.ScalarAsync<string>(scenario.SourceConnection, $"SELECT id::text FROM claude_context.chunks ORDER BY id OFFSET {n} LIMIT 1");

    [Fact]
    public async Task Timestamps_beyond_DotNet_range_and_infinities_arrive_exactly_and_validation_flags_an_alteration()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Live);
        string[] values = ["294276-12-31 23:59:59.999999+00", "0001-01-01 00:00:00+00", "4713-01-01 00:00:00+00 BC", "10000-01-01 00:00:00+00",
            "infinity", "-infinity", "1999-12-31 23:59:59.123456+00"];
        for (var i = 0; i < values.Length; i++)
        {
            await scenario.ExecuteOnSourceAsync($"UPDATE claude_context.chunks SET created_at = '{values[i]}' WHERE id = '{await ChunkIdAsync(scenario, i)}'");
        }

        var result = await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 5, default));

        Assert.Empty(result.Errors);
        var source = await TestDatabase.ScalarAsync<string>(scenario.SourceConnection,
            "SELECT string_agg(id || '=' || encode(timestamptz_send(created_at), 'hex'), ',' ORDER BY id) FROM claude_context.chunks");
        var target = await scenario.ScalarOnTargetAsync<string>(
            "SELECT string_agg(legacy_id || '=' || encode(timestamptz_send(created_at), 'hex'), ',' ORDER BY legacy_id) FROM unified.chunks");
        Assert.Equal(source, target);
        Assert.Equal(1L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks WHERE created_at = '0001-01-01 00:00:00+00'"));
        Assert.True((await FullAsync(result)).IsValid);

        // The two silent changes issue 14 saw: year 294276 wrapped into 1999, and 0001-01-01 turned into -infinity.
        var wrapped = await ChunkIdAsync(scenario, 0);
        var first = await ChunkIdAsync(scenario, 1);
        await scenario.ExecuteOnTargetAsync($"""
            UPDATE unified.chunks SET created_at = '1999-12-23 19:59:04.224192+00' WHERE legacy_id = '{wrapped}';
            UPDATE unified.chunks SET created_at = '-infinity' WHERE legacy_id = '{first}';
            """);
        var report = await FullAsync(result);
        Assert.False(report.IsValid);
        Assert.Equal(new[] { first, wrapped }.Order(), report.Differences.Where(d => d.Kind == "Changed" && d.Fields.Contains("created_at")).Select(d => d.RecordKey).Order());
    }

    [Fact]
    public async Task Json_with_repeated_keys_deep_nesting_and_huge_numbers_arrives_and_a_lone_surrogate_or_excess_depth_is_a_named_reject()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Live);
        await scenario.ExecuteOnSourceAsync("ALTER TABLE claude_context.chunks ALTER COLUMN metadata TYPE json USING metadata::json");
        var deep = new string('[', 100) + "1" + new string(']', 100);
        var tooDeep = new string('[', 600) + "1" + new string(']', 600);
        string[] metadata = [@"{""a"": 1, ""a"": 2}", $@"{{""deep"": {deep}}}", @"{""n"": 1e400}", @"{""s"": ""\ud800""}", $@"{{""deep"": {tooDeep}}}"];
        var ids = new string[metadata.Length];
        for (var i = 0; i < metadata.Length; i++)
        {
            ids[i] = await ChunkIdAsync(scenario, i);
            await scenario.ExecuteOnSourceAsync($"UPDATE claude_context.chunks SET metadata = '{metadata[i]}' WHERE id = '{ids[i]}'");
        }

        var result = await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 5, default), continueOnError: true);

        Assert.Equal(["JsonInvalidUnicode", "JsonTooDeep"], result.Errors.OrderBy(e => e.ErrorId).Select(e => e.ErrorId));
        Assert.All(result.Errors, e => Assert.Equal("metadata", e.Field));
        Assert.Equal([ids[3], ids[4]], result.Errors.OrderBy(e => e.ErrorId).Select(e => e.RecordKey));
        Assert.Equal("2", await scenario.ScalarOnTargetAsync<string>($"SELECT metadata->>'a' FROM unified.chunks WHERE legacy_id = '{ids[0]}'"));
        Assert.True(await scenario.ScalarOnTargetAsync<bool>($"SELECT metadata->'deep' = '{deep}'::jsonb FROM unified.chunks WHERE legacy_id = '{ids[1]}'"));
        Assert.True(await scenario.ScalarOnTargetAsync<bool>($"SELECT metadata->'n' = '1e400'::jsonb FROM unified.chunks WHERE legacy_id = '{ids[2]}'"));
        Assert.True((await FullAsync(result)).IsValid);

        await scenario.ExecuteOnTargetAsync($"UPDATE unified.chunks SET metadata = jsonb_set(metadata, '{{a}}', '1') WHERE legacy_id = '{ids[0]}'");
        var report = await FullAsync(result);
        var changed = Assert.Single(report.Differences);
        Assert.Equal((ids[0], "Changed", "metadata"), (changed.RecordKey, changed.Kind, Assert.Single(changed.Fields)));
    }

    [Fact]
    public async Task Double_precision_vectors_narrow_exactly_and_out_of_float32_range_is_a_named_reject()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Live);
        await scenario.ExecuteOnSourceAsync("ALTER TABLE claude_context.chunks ALTER COLUMN vector TYPE double precision[]");
        var ids = new string[4];
        string[] updates = ["vector[1] = 1e39", "vector[2] = 1e-50", "vector[3] = 1e-40", "vector[4] = '-0'"];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await ChunkIdAsync(scenario, i);
            await scenario.ExecuteOnSourceAsync($"UPDATE claude_context.chunks SET {updates[i]} WHERE id = '{ids[i]}'");
        }

        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 5, default);
        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => RunAsync(plan));
        Assert.Equal("VectorOutOfRange", failure.ErrorId);
        Assert.Contains(ids[0], failure.Message);
        Assert.Contains("vector", failure.Message);

        var result = await RunAsync(plan, continueOnError: true);

        Assert.Equal([(ids[0], "vector", "VectorOutOfRange"), (ids[1], "vector", "VectorOutOfRange")],
            result.Errors.Select(e => (e.RecordKey, e.Field, e.ErrorId)).Order());
        Assert.Contains("element 0 is 1E+39", result.Errors.Single(e => e.RecordKey == ids[0]).Reason);
        // A float32 denormal keeps its bits (as PostgreSQL's own float8-to-float4 cast gives them), and -0 stays -0.
        Assert.True(await scenario.ScalarOnTargetAsync<bool>(
            $"SELECT float4send(dense_vector[3]) = float4send(1e-40::float8::real) FROM unified.chunks WHERE legacy_id = '{ids[2]}'"));
        Assert.Equal("\\x80000000", await scenario.ScalarOnTargetAsync<string>(
            $"SELECT float4send(dense_vector[4])::text FROM unified.chunks WHERE legacy_id = '{ids[3]}'"));
        Assert.True((await FullAsync(result)).IsValid);

        await scenario.ExecuteOnTargetAsync($"UPDATE unified.chunks SET dense_vector[4] = 0 WHERE legacy_id = '{ids[3]}'");
        var changed = Assert.Single((await FullAsync(result)).Differences);
        Assert.Equal((ids[3], "Changed"), (changed.RecordKey, changed.Kind));
    }

    [Fact]
    public async Task A_chunk_index_beyond_int_and_a_text_created_at_that_is_no_timestamp_are_named_rejects()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Schema);
        await scenario.ExecuteOnSourceAsync("""
            ALTER TABLE claude_context.chunks ALTER COLUMN chunk_index TYPE numeric;
            ALTER TABLE claude_context.chunks ALTER COLUMN created_at TYPE text USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
            """);
        var ids = new string[3];
        string[] updates = ["chunk_index = 1e30", "chunk_index = 3000000000", "created_at = 'last Tuesday'"];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await ChunkIdAsync(scenario, i);
            await scenario.ExecuteOnSourceAsync($"UPDATE claude_context.chunks SET {updates[i]} WHERE id = '{ids[i]}'");
        }

        var result = await RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 5, default), continueOnError: true);

        Assert.Equal([(ids[0], "chunk_index", "IntegerOutOfRange"), (ids[1], "chunk_index", "IntegerOutOfRange"), (ids[2], "created_at", "TimestampInvalid")],
            result.Errors.Select(e => (e.RecordKey, e.Field, e.ErrorId)).OrderBy(e => e.Field).ThenBy(e => e.RecordKey));
        Assert.Equal(9L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
        // The text timestamps that are ISO 8601 arrive as the instants they spell.
        var source = await TestDatabase.ScalarAsync<string>(scenario.SourceConnection,
            $"SELECT string_agg(id::text || '=' || created_at::timestamptz::text, ',' ORDER BY id::text) FROM claude_context.chunks WHERE id::text NOT IN ('{string.Join("','", ids)}')");
        var target = await scenario.ScalarOnTargetAsync<string>("SELECT string_agg(legacy_id || '=' || created_at::text, ',' ORDER BY legacy_id) FROM unified.chunks");
        Assert.Equal(source, target);
        Assert.True((await FullAsync(result)).IsValid);
    }
}
