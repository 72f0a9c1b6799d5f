using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Identity;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.Engine.Tests.ClaudeContextCore;

/// <summary>
/// A generated claude-context-core installation in PGlite (real pgvector) as the source, with two changes a real one
/// can have: crawl4ai's table keeps some chunks without their dataset and project (dataset_collections names them), and a
/// table with a vector but no text column. PGlite serves one connection at a time and cannot carry COPY FROM STDIN, so
/// the tests run one after another and every target is a private cluster database.
/// </summary>
public sealed class CoreInstallationSourceFixture : IAsyncLifetime
{
    public const string NotUnderstood = "notes_vectors";

    private PgliteServer? _server;

    public string ConnectionString => _server!.ConnectionString;

    public ClaudeContextCoreFacts Facts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
        Facts = await ClaudeContextCoreInstallation.CreateAsync(ConnectionString, new ClaudeContextCoreOptions { Seed = 3, RowsPerTable = 24 });
        var crawl = Facts.Table(CoreChunkTableKind.CrawlWritten).Table;
        await TestDatabase.ExecuteAsync(ConnectionString, $"""
            UPDATE claude_context."{crawl}" SET dataset_id = NULL, project_id = NULL WHERE start_line % 2 = 0;
            CREATE TABLE claude_context."{NotUnderstood}" (id text PRIMARY KEY, vector vector(8), title text);
            """);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Every chunk table of a real claude-context-core installation migrates, resumes and validates (issue 12, points 1 and 2).</summary>
[Collection(PostgresCollection.Name)]
public class CoreMigrationTests(PostgresFixture fixture, CoreInstallationSourceFixture source) : IClassFixture<CoreInstallationSourceFixture>
{
    private const int BatchSize = 8;

    private ClaudeContextCoreFacts Facts => source.Facts;

    private MigrationSource Source() =>
        new(ClaudeContextReader.Kind, "core", new ClaudeContextLocation(PostgresEndpoint.Parse(source.ConnectionString), "claude_context"));

    private async Task<MigrationPlan> PlanAsync(string target) =>
        await MigrationPlanner.PlanAsync([Source()], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), BatchSize, default);

    private async Task<(string Target, MigrationResult Result)> MigrateAsync()
    {
        var target = await fixture.Server.CreateDatabaseAsync("core");
        var plan = await PlanAsync(target);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return (target, await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default));
    }

    private static async Task<Dictionary<string, object?[]>> ChunksAsync(string target)
    {
        await using var connection = new NpgsqlConnection(target);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT legacy_id, id, is_code, chunk_type, summary, summary_vector::real[], dataset_id, project_id, metadata::text FROM unified.chunks", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add((string)row[0]!, row);
        }

        return rows;
    }

    /// <summary>The known columns without a unified column of their own, as metadata.claude_context keeps them.</summary>
    private static JsonNode Carried(object?[] chunk) => JsonNode.Parse((string)chunk[8]!)!["claude_context"]!;

    private static Guid Unified(object legacyId) => DeterministicId.ForLegacyId("claude", Convert.ToString(legacyId, CultureInfo.InvariantCulture)!);

    [Fact]
    public async Task The_plan_names_every_collection_with_its_layout_rows_and_dimension_and_warns_on_a_table_it_does_not_understand()
    {
        var plan = await PlanAsync(await fixture.Server.CreateDatabaseAsync("plan"));

        var tables = plan.SourceAnalyses.Single().Tables.Where(t => t.Layout is not null).ToDictionary(t => t.Table);
        Assert.Equal(Facts.ChunkTables.Select(t => t.Table).Append("chunks").Order(StringComparer.Ordinal), tables.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("plain", tables[Facts.Table(CoreChunkTableKind.Plain).Table].Layout);
        Assert.StartsWith("hybrid", tables[Facts.Table(CoreChunkTableKind.Hybrid).Table].Layout);
        Assert.StartsWith("crawl4ai (", tables[Facts.Table(CoreChunkTableKind.CrawlWritten).Table].Layout);
        Assert.StartsWith("crawl4ai chunks", tables[Facts.Table(CoreChunkTableKind.CrawlChunks).Table].Layout);
        Assert.StartsWith("init-schema", tables["chunks"].Layout);
        foreach (var table in Facts.ChunkTables)
        {
            Assert.Equal(24, tables[table.Table].Rows);
            Assert.Equal(new Dictionary<int, long> { [8] = 24 }, tables[table.Table].VectorDimensions);
        }

        Assert.Equal(0, tables["chunks"].Rows);
        Assert.Equal(8, plan.VectorDimensions);
        Assert.Equal(Facts.ChunkTables.Select(t => t.Table).Append("chunks").Order(StringComparer.Ordinal),
            plan.Steps.Where(s => s.TargetTable == "chunks").Select(s => s.SourceTable).Order(StringComparer.Ordinal));
        var warning = Assert.Single(plan.Warnings, w => w.Code == "ChunkTableNotUnderstood");
        Assert.Contains(CoreInstallationSourceFixture.NotUnderstood, warning.Message);
        Assert.Contains("content, text or chunk_text", warning.Remedy);
    }

    [Fact]
    public async Task Every_row_of_every_collection_arrives_once_code_is_code_and_summary_vectors_survive_bit_for_bit()
    {
        var (target, result) = await MigrateAsync();

        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Rejected);
        var chunks = await ChunksAsync(target);
        Assert.Equal(Facts.ChunkTables.SelectMany(t => t.Ids).Order(StringComparer.Ordinal), chunks.Keys.Order(StringComparer.Ordinal));
        foreach (var table in Facts.ChunkTables)
        {
            Assert.Equal(24, result.Steps.Single(s => s.SourceTable == table.Table).Migrated);
            foreach (var id in table.Ids)
            {
                var row = chunks[id];
                Assert.Equal(Unified(id), row[1]);
                Assert.Equal(Unified(table.DatasetId), row[6]);
                Assert.Equal(Unified(table.ProjectId), row[7]);
                Assert.Equal(table.Collection, (string?)Carried(row)["collection"]);
            }

            foreach (var chunk in table.CodeRows)
            {
                var row = chunks[chunk.Id];
                Assert.Equal((chunk.Lang != "text", chunk.Lang != "text" ? "code" : "text"), ((bool)row[2]!, (string)row[3]!));
                Assert.Equal(chunk.Summary, row[4]);
                Assert.Equal(chunk.SummaryVector?.Select(BitConverter.SingleToInt32Bits), (row[5] as float[])?.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(table.Sha, (string?)Carried(row)["sha"]);
            }

            foreach (var chunk in table.CrawledRows)
            {
                Assert.Equal(chunk.IsCode, (bool)chunks[chunk.Id][2]!);
            }
        }

        Assert.Contains(Facts.Table(CoreChunkTableKind.Hybrid).CodeRows, c => c.Lang == "text");
        Assert.Contains(Facts.Table(CoreChunkTableKind.Hybrid).CodeRows, c => c.SummaryVector is not null);
        Assert.Contains(Facts.Table(CoreChunkTableKind.CrawlChunks).CrawledRows, c => c.IsCode);
        var crawled = Facts.Table(CoreChunkTableKind.CrawlChunks).CrawledRows[0];
        Assert.Equal((crawled.ModelUsed, crawled.Scope), ((string?)Carried(chunks[crawled.Id])["model_used"], (string?)Carried(chunks[crawled.Id])["scope"]));
    }

    [Fact]
    public async Task A_second_run_adds_nothing_and_full_validation_is_clean_until_a_summary_vector_changes()
    {
        var (target, first) = await MigrateAsync();
        var content = await TestDatabase.UnifiedContentAsync(target);

        var second = await MigrationExecutor.RunAsync(await PlanAsync(target), new MigrationRunOptions(false), _ => { }, default);

        Assert.Equal((MigrationStatus.Succeeded, 0L), (second.Status, second.Migrated));
        Assert.Equal(content, await TestDatabase.UnifiedContentAsync(target));
        var report = await MigrationValidator.ValidateAsync(second, new ValidationOptions(ValidationMode.Full), null, default);
        Assert.True(report.IsValid, string.Join("\n", report.Errors.Concat(report.Differences.Select(d => d.ToString()))));
        Assert.Empty(report.Differences);

        var hybrid = Facts.Table(CoreChunkTableKind.Hybrid);
        var changed = hybrid.CodeRows.First(c => c.SummaryVector is not null).Id;
        await TestDatabase.ExecuteAsync(target,
            $"UPDATE unified.chunks SET summary_vector[1] = summary_vector[1] + 1e-6 WHERE legacy_id = '{changed}'");
        var difference = Assert.Single((await MigrationValidator.ValidateAsync(first, new ValidationOptions(ValidationMode.Full), null, default)).Differences);
        Assert.Equal((hybrid.Table, changed), (difference.SourceTable, difference.RecordKey));
        Assert.Contains("summary_vector", difference.Fields);
    }

    [Fact]
    public async Task A_run_cancelled_inside_a_collection_resumes_and_completes_exactly()
    {
        var hybrid = Facts.Table(CoreChunkTableKind.Hybrid).Table;
        var reference = (await MigrateAsync()).Target;
        var target = await fixture.Server.CreateDatabaseAsync("resume");
        var plan = await PlanAsync(target);
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationExecutor.RunAsync(
            plan, new MigrationRunOptions(false), p =>
            {
                if (p.Step is { } step && step.SourceTable == hybrid && step.Read >= BatchSize)
                {
                    cancel.Cancel();
                }
            }, cancel.Token));
        Assert.InRange(await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks"), 1, Facts.ChunkTables.Sum(t => t.RowCount) - 1);

        var resumed = await MigrationExecutor.RunAsync(await PlanAsync(target), new MigrationRunOptions(false) { Resume = true }, _ => { }, default);

        Assert.Equal((MigrationStatus.Succeeded, MigrationStatus.Cancelled), (resumed.Status, resumed.ResumedFrom));
        Assert.Equal(await TestDatabase.UnifiedContentAsync(reference), await TestDatabase.UnifiedContentAsync(target));
        Assert.Equal(resumed.Read, resumed.Migrated + resumed.Skipped + resumed.Rejected);
        Assert.Equal(24, resumed.Steps.Single(s => s.SourceTable == hybrid).Read);
        Assert.True((await MigrationValidator.ValidateAsync(resumed, new ValidationOptions(ValidationMode.Full), null, default)).IsValid);
    }
}
