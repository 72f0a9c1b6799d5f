using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Issue 14's safety points against a real PostgreSQL: every secret keyword Npgsql knows is redacted everywhere, a
/// statement timeout is its own error, the deletion check is one set-based anti-join, and a target that is a source's
/// own database is refused.
/// </summary>
[Collection(PostgresCollection.Name)]
public class SafetyBoundaryTests(PostgresFixture fixture)
{
    /// <summary>Npgsql's secret keywords, found here independently of the engine: marked as password text, or named so.</summary>
    private static IEnumerable<string> SecretKeywordsOfNpgsql() =>
        from property in typeof(NpgsqlConnectionStringBuilder).GetProperties()
        let keyword = property.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName
        where keyword is not null && (property.GetCustomAttribute<PasswordPropertyTextAttribute>()?.Password == true
                                      || keyword.Contains("password", StringComparison.OrdinalIgnoreCase))
        select keyword;

    public static TheoryData<string> NpgsqlSecretKeywords() => new(SecretKeywordsOfNpgsql());

    [Fact]
    public void The_secret_keywords_include_the_password_and_the_ssl_password()
    {
        var keywords = SecretKeywordsOfNpgsql().ToArray();

        Assert.Contains("Password", keywords);
        Assert.Contains("SSL Password", keywords);
        Assert.Equal(keywords.Order(), ConnectionSecrets.Keywords.Order());
    }

    [Theory]
    [MemberData(nameof(NpgsqlSecretKeywords))]
    public async Task Each_secret_keyword_is_redacted_in_every_object_and_error(string keyword)
    {
        const string secret = "Zq9-secret-value";
        var forms = new[]
        {
            $"Host=127.0.0.1;Port=1;Database=cc;Username=ops;{keyword}={secret}",
            $"postgresql://ops:{secret}@127.0.0.1:1/cc?{Uri.EscapeDataString(keyword)}={secret}",
        };
        foreach (var form in forms)
        {
            var endpoint = PostgresEndpoint.Parse(form);
            var source = new MigrationSource(ClaudeContextReader.Kind, "cc", new ClaudeContextLocation(endpoint, "claude_context"));
            var cognee = new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.ForPostgres(endpoint));
            var target = new MigrationTarget("unified", endpoint);
            var error = await Assert.ThrowsAsync<MigrationException>(() => endpoint.OpenAsync(default));
            var texts = new[]
            {
                endpoint.Redacted, endpoint.ToString(), source.ToString(), source.ConnectionString, cognee.ConnectionString, cognee.ToString(),
                target.ConnectionString, target.ToString(), JsonSerializer.Serialize(new { target.ConnectionString, Source = source.ConnectionString }),
                error.Message, error.Target?.ToString() ?? "", error.ToString(),
            };

            Assert.All(texts, text => Assert.DoesNotContain(secret, text));
            Assert.Contains($"{keyword}={ConnectionSecrets.Mask}", endpoint.Redacted);
        }
    }

    [Fact]
    public async Task A_connection_with_every_secret_still_connects_with_them()
    {
        var connection = new NpgsqlConnectionStringBuilder(await fixture.Server.CreateDatabaseAsync("secrets")) { SslPassword = "unused-key-password", SslMode = SslMode.Disable };
        var endpoint = PostgresEndpoint.Parse(connection.ConnectionString);

        await using var open = await endpoint.OpenAsync(default);

        Assert.Equal("unused-key-password", new NpgsqlConnectionStringBuilder(open.ConnectionString).SslPassword);
        Assert.DoesNotContain("unused-key-password", endpoint.Redacted);
    }

    [Fact]
    public async Task Statements_have_no_client_side_limit_unless_the_connection_string_sets_one()
    {
        var database = await fixture.Server.CreateDatabaseAsync("timeouts");
        await using var unlimited = await PostgresEndpoint.Parse(database).OpenAsync(default);
        await using var limited = await PostgresEndpoint.Parse(database + ";Command Timeout=1").OpenAsync(default);

        Assert.Equal(0, unlimited.CommandTimeout);
        Assert.Equal(1, limited.CommandTimeout);
        Assert.DoesNotContain("Command Timeout", PostgresEndpoint.Parse(database).Redacted);
        Assert.Contains("Command Timeout=1", PostgresEndpoint.Parse(database + ";Command Timeout=1").Redacted);
    }

    [Fact]
    public async Task A_statement_that_times_out_is_reported_as_CommandTimedOut_naming_its_purpose_and_is_not_retried()
    {
        var database = await fixture.Server.CreateDatabaseAsync("timeouts");
        await using var limited = await PostgresEndpoint.Parse(database + ";Command Timeout=1").OpenAsync(default);

        var error = await Assert.ThrowsAsync<MigrationException>(() => DatabaseErrors.TimedAsync("checking step chunks for deletions", "chunks", async () =>
        {
            await using var command = new NpgsqlCommand("SELECT pg_sleep(5)", limited);
            return await command.ExecuteScalarAsync();
        }));

        Assert.Equal("CommandTimedOut", error.ErrorId);
        Assert.Equal(MigrationErrorKind.OperationTimeout, error.Kind);
        Assert.Contains("checking step chunks for deletions", error.Message);
        Assert.False(TransientErrors.IsTransient(error));
        Assert.True(DatabaseErrors.IsTimeout(error.InnerException!));
    }

    [Fact]
    public void A_timeout_is_translated_as_a_timeout_and_a_broken_connection_still_as_lost()
    {
        var timedOut = DatabaseErrors.Translate(new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt")), "undoing run x", null);
        var lost = DatabaseErrors.Translate(new NpgsqlException("Exception while reading from stream", new EndOfStreamException()), "undoing run x", null);

        Assert.Equal("CommandTimedOut", timedOut.ErrorId);
        Assert.Contains("undoing run x", timedOut.Message);
        Assert.DoesNotContain("connection to PostgreSQL was lost", timedOut.Message);
        Assert.False(TransientErrors.IsTransient(new NpgsqlException("x", new TimeoutException())));
        Assert.Equal("PostgresConnectionLost", lost.ErrorId);
    }

    [Fact]
    public async Task The_deletion_check_is_one_hash_or_index_anti_join_over_analysed_keys()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 10, Seed = 3 });
        await MigrationExecutor.RunAsync(await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 100, default), new MigrationRunOptions(false), _ => { }, default);
        await using var connection = await PostgresEndpoint.Parse(scenario.TargetConnection).OpenAsync(default);
        var finder = await DeletedRecordFinder.CreateAsync(connection, default);
        await using (var fill = new NpgsqlCommand("""
            INSERT INTO unified.id_map (source_name, source_table, legacy_id, target_table, unified_id, system_origin, run_id)
            SELECT 'big', 'chunks', 'k' || i, 'chunks', gen_random_uuid(), 'claude-context', gen_random_uuid() FROM generate_series(1, 50000) AS i;
            ANALYZE unified.id_map;
            INSERT INTO pg_temp.psum_seen_keys SELECT 'big', 'chunks', 'k' || i FROM generate_series(1, 50000) AS i WHERE i % 1000 <> 0;
            """, connection))
        {
            await fill.ExecuteNonQueryAsync();
        }

        await finder.AnalyzeAsync(default);
        await using var explain = new NpgsqlCommand("EXPLAIN " + DeletedRecordFinder.MissingKeysSql, connection)
        {
            Parameters = { new() { Value = "big" }, new() { Value = "chunks" }, new() { Value = 1000 } },
        };
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join("\n", plan);
        Assert.Contains("Anti Join", text);
        Assert.True(text.Contains("Hash Anti Join") || text.Contains("Merge Anti Join") || text.Contains("Index Only Scan using psum_seen_keys_idx"), text);
        Assert.False(text.Contains("Nested Loop Anti Join") && text.Contains("Seq Scan on psum_seen_keys"), text);
    }

    [Fact]
    public async Task A_target_that_is_the_source_database_is_a_plan_blocker_whatever_the_host_is_called()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 5, Seed = 4 });
        var sameByAnotherName = new NpgsqlConnectionStringBuilder(scenario.SourceConnection);
        sameByAnotherName.Host = sameByAnotherName.Host == "localhost" ? "127.0.0.1" : sameByAnotherName.Host;
        var intoSource = new MigrationTarget("unified", PostgresEndpoint.Parse(sameByAnotherName.ConnectionString));

        var refused = await MigrationPlanner.PlanAsync([scenario.Source()], intoSource, 100, default);
        var cogneeRefused = await MigrationPlanner.PlanAsync(
            [new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.ForPostgres(PostgresEndpoint.Parse(scenario.TargetConnection)))], scenario.Target, 100, default);
        var separate = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 100, default);

        var blocker = Assert.Single(refused.Blockers, i => i.Code == "TargetIsSource");
        Assert.Equal(PlanIssueSeverity.Blocker, blocker.Severity);
        Assert.Contains("same database", blocker.Message);
        Assert.False(refused.CanInvoke);
        Assert.Contains(cogneeRefused.Blockers, i => i.Code == "TargetIsSource" && i.Subject == "cognee");
        Assert.DoesNotContain(separate.Blockers.Concat(separate.Warnings), i => i.Code is "TargetIsSource" or "DatabaseIdentityUnknown");
        Assert.Equal(0L, await TestDatabase.ScalarAsync<long>(scenario.SourceConnection, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'unified%'"));
    }
}
