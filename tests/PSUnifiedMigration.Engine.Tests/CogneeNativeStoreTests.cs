using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// A default Cognee installation (SQLite, backend access control: one LanceDB and one Kuzu store per dataset under
/// databases/&lt;user id&gt;/) whose native stores are written by the real npm @lancedb/lancedb 0.31.0 and kuzu 0.11.3
/// with Cognee's schema (tests/native/write-cognee-stores.js), and read through the module's native reader helper.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CogneeNativeStoreTests(PostgresFixture fixture) : IDisposable
{
    private const int Dimensions = 8;
    private const int ChunksPerDocument = 3;

    private readonly string _systemRoot = Path.Combine(Path.GetTempPath(), $"psum-cognee-{Guid.NewGuid():N}", ".cognee_system");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_systemRoot)!, recursive: true);

    private string Databases => Path.Combine(_systemRoot, "databases");

    /// <summary>What the fixture wrote: per dataset, its chunk ids and its graph's node and edge counts.</summary>
    private sealed record Installation(Dictionary<string, List<string>> Chunks, int Entities, int Nodes, int Edges, Dictionary<string, float[]> Vectors);

    private async Task<Installation> CreateAsync()
    {
        var sample = await CogneeSample.CreateAsync(new CogneeSampleOptions
        {
            SystemRoot = _systemRoot, RelationalLayout = RelationalLayout.DataDatasetId, GraphLayout = GraphLayout.LedgerTables, Users = 1, DatasetsPerUser = 2,
        });
        var documents = new List<(string Data, string Dataset, string Owner)>();
        await using (var connection = new SqliteConnection($"Data Source={sample.RelationalDatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT d.id, d.dataset_id, s.owner_id FROM data d JOIN datasets s ON s.id = d.dataset_id ORDER BY d.id";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    documents.Add((Uuid(reader.GetValue(0)), Uuid(reader.GetValue(1)), Uuid(reader.GetValue(2))));
                }
            }

            // Cognee's Kuzu-era dataset handlers: <dataset id>.lance.db and <dataset id>.pkl under databases/<owner id>/.
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO dataset_database (owner_id, dataset_id, vector_database_name, graph_database_name, vector_database_provider, graph_database_provider,
                    graph_dataset_database_handler, vector_dataset_database_handler, graph_database_connection_info, vector_database_connection_info)
                SELECT owner_id, id, '', '', 'lancedb', 'kuzu', 'kuzu', 'lancedb', '{}', '{}' FROM datasets
                """;
            await insert.ExecuteNonQueryAsync();
        }

        var installation = new Installation([], 0, 0, 0, []);
        var lance = new JsonArray();
        var graphs = new JsonArray();
        var entities = 0;
        foreach (var dataset in documents.GroupBy(d => (d.Dataset, d.Owner)))
        {
            var folder = Directory.CreateDirectory(Path.Combine(Databases, dataset.Key.Owner)).FullName;
            var chunkRows = new JsonArray();
            var nodes = new JsonArray();
            var edges = new JsonArray();
            var entity = Id($"Entity:{dataset.Key.Dataset}");
            nodes.Add(Node(entity, "Entity", "entity of " + dataset.Key.Dataset));
            entities++;
            installation.Chunks[dataset.Key.Dataset] = [];
            foreach (var document in dataset)
            {
                nodes.Add(Node(document.Data, "TextDocument", "document " + document.Data));
                for (var index = 0; index < ChunksPerDocument; index++)
                {
                    var chunk = Id($"{document.Data}-{index}");
                    var vector = Enumerable.Range(0, Dimensions).Select(i => (float)Math.Sin(chunk.GetHashCode() + i) / 3f).ToArray();
                    installation.Chunks[dataset.Key.Dataset].Add(chunk);
                    installation.Vectors[chunk] = vector;
                    chunkRows.Add(new JsonObject
                    {
                        ["id"] = chunk,
                        ["vector"] = new JsonArray(vector.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                        ["payload"] = new JsonObject
                        {
                            ["id"] = chunk, ["created_at"] = 1_700_000_000_000L, ["updated_at"] = 1_700_000_000_000L, ["type"] = "IndexSchema",
                            ["text"] = $"chunk {index} of {document.Data}", ["document_id"] = document.Data, ["document_name"] = "doc.txt", ["chunk_index"] = index,
                        },
                    });
                    nodes.Add(Node(chunk, "DocumentChunk", null));
                    edges.Add(Edge(chunk, "is_part_of", document.Data));
                    edges.Add(Edge(chunk, "contains", entity));
                }
            }

            var entityRow = new JsonObject
            {
                ["id"] = entity, ["vector"] = new JsonArray(Enumerable.Range(0, Dimensions).Select(_ => (JsonNode?)JsonValue.Create(0.25f)).ToArray()),
                ["payload"] = new JsonObject { ["id"] = entity, ["type"] = "IndexSchema", ["text"] = "entity of " + dataset.Key.Dataset },
            };
            lance.Add(new JsonObject
            {
                ["uri"] = Path.Combine(folder, $"{dataset.Key.Dataset}.lance.db"), ["dimensions"] = Dimensions,
                ["tables"] = new JsonObject { ["DocumentChunk_text"] = chunkRows, ["Entity_name"] = new JsonArray(entityRow) },
            });
            installation = installation with { Nodes = installation.Nodes + nodes.Count, Edges = installation.Edges + edges.Count };
            graphs.Add(new JsonObject { ["engine"] = "kuzu", ["path"] = Path.Combine(folder, $"{dataset.Key.Dataset}.pkl"), ["nodes"] = nodes, ["edges"] = edges });
        }

        await WriteStoresAsync(new JsonObject { ["lance"] = lance, ["graphs"] = graphs });
        return installation with { Entities = entities };
    }

    private static JsonObject Node(string id, string type, string? name) => new()
    {
        ["id"] = id, ["name"] = name, ["type"] = type, ["created_at"] = "2025-01-02 03:04:05", ["properties"] = new JsonObject { ["description"] = $"{type} {id}" },
    };

    private static JsonObject Edge(string source, string relationship, string target) => new()
    {
        ["source"] = source, ["target"] = target, ["relationship_name"] = relationship, ["created_at"] = "2025-01-02 03:04:05",
        ["properties"] = new JsonObject { ["source_node_id"] = source, ["target_node_id"] = target, ["relationship_name"] = relationship },
    };

    /// <summary>A uuid-shaped id derived from a name, as Cognee derives its uuid5 ids.</summary>
    private static string Id(string name) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes(name))).ToString("D");

    private static string Uuid(object value) => Guid.Parse(value is byte[] bytes ? Convert.ToHexString(bytes) : value.ToString()!).ToString("D");

    private static async Task WriteStoresAsync(JsonObject spec)
    {
        var start = new ProcessStartInfo("node", [RepositoryLayout.NativeStoreWriter]) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(spec.ToJsonString());
        process.StandardInput.Close();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
    }

    private async Task<(MigrationPlan Plan, string Target)> PlanAsync(int batchSize = 50, string? helper = null, string? target = null)
    {
        target ??= await fixture.Server.CreateDatabaseAsync("dst");
        var stores = CogneeStores.Locate(_systemRoot) with { NativeReaderFolder = helper ?? RepositoryLayout.NativeReader };
        return (await MigrationPlanner.PlanAsync([new MigrationSource(CogneeReader.Kind, "cognee", stores)], new MigrationTarget("unified", PostgresEndpoint.Parse(target)), batchSize, default), target);
    }

    [Fact]
    public async Task A_default_installation_with_per_dataset_lancedb_and_kuzu_stores_migrates_completely_with_each_dataset_and_validates()
    {
        var installation = await CreateAsync();
        var (plan, target) = await PlanAsync();

        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        foreach (var dataset in installation.Chunks.Keys)
        {
            Assert.Contains($"{dataset}.lance.db (LanceDB vector store of dataset {dataset})", plan.SourceAnalyses[0].Layout);
            Assert.Contains($"{dataset}.pkl (Kuzu graph database of dataset {dataset})", plan.SourceAnalyses[0].Layout);
        }

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
        var report = await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default);

        Assert.True(report.IsValid, string.Join("\n", report.Errors));
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(installation.Chunks.Values.Sum(c => c.Count), await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks"));
        Assert.Equal(installation.Entities, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.data_points"));
        Assert.Equal(installation.Entities, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.data_point_vectors"));
        Assert.Equal(installation.Nodes, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.graph_nodes"));
        Assert.Equal(installation.Edges, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.graph_edges"));
        Assert.Equal(installation.Nodes, result.Steps.Where(s => s.SourceTable.StartsWith("graph_nodes@", StringComparison.Ordinal)).Sum(s => s.Migrated));
        Assert.Equal(result.Read, result.Migrated + result.Skipped + result.Rejected);
        foreach (var (dataset, chunks) in installation.Chunks)
        {
            // Every chunk once, in the dataset of the store it came from, with its vector bit for bit.
            Assert.Equal(chunks.Count, await TestDatabase.ScalarAsync<long>(target, $"""
                SELECT count(*) FROM unified.chunks c JOIN unified.datasets d ON d.id = c.dataset_id
                WHERE c.legacy_id IN ({string.Join(", ", chunks.Select(c => $"'{c}'"))}) AND d.legacy_id::uuid = '{dataset}'::uuid AND c.document_id IS NOT NULL
                """));
            Assert.Equal(1L, await TestDatabase.ScalarAsync<long>(target,
                $"SELECT count(*) FROM unified.data_points p JOIN unified.datasets d ON d.id = p.dataset_id WHERE d.legacy_id::uuid = '{dataset}'::uuid"));
        }

        var (first, vector) = installation.Vectors.First();
        var stored = await TestDatabase.ScalarAsync<string>(target, $"SELECT dense_vector::text FROM unified.chunks WHERE legacy_id = '{first}'");
        Assert.Equal(vector, stored.Trim('[', ']', '{', '}').Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(installation.Nodes, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.graph_nodes WHERE properties ? 'cognee_dataset_id' AND properties ? 'description'"));
    }

    [Fact]
    public async Task A_killed_run_over_native_stores_resumes_and_ends_complete()
    {
        var installation = await CreateAsync();
        var (plan, target) = await PlanAsync(batchSize: 5);
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), progress =>
        {
            if (progress.Step is { } step && step.SourceTable.StartsWith("graph_edges@", StringComparison.Ordinal) && step.Read >= 2)
            {
                cancel.Cancel();
            }
        }, cancel.Token));
        var resumed = await MigrationExecutor.RunAsync((await PlanAsync(batchSize: 5, target: target)).Plan, new MigrationRunOptions(false) { Resume = true }, _ => { }, default);

        Assert.Equal(MigrationStatus.Cancelled, resumed.ResumedFrom);
        Assert.Equal(MigrationStatus.Succeeded, resumed.Status);
        Assert.True((await MigrationValidator.ValidateAsync(resumed, new ValidationOptions(), null, default)).IsValid);
        Assert.Equal(installation.Edges, await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.graph_edges"));
        Assert.Equal(installation.Chunks.Values.Sum(c => c.Count), await TestDatabase.ScalarAsync<long>(target, "SELECT count(*) FROM unified.chunks"));
    }

    [Fact]
    public async Task A_ladybug_store_blocks_the_plan_with_the_export_commands()
    {
        await CreateAsync();
        var owner = Directory.GetDirectories(Databases).First();
        var dataset = Guid.NewGuid().ToString("D");
        await File.WriteAllBytesAsync(Path.Combine(owner, $"{dataset}.lbug"), new byte[4096]);

        var (plan, _) = await PlanAsync();

        var blocker = Assert.Single(plan.Blockers, b => b.Code == "CogneeStoreUnreadable");
        Assert.Contains($"{dataset}.lbug", blocker.Message);
        Assert.Contains("Ladybug", blocker.Message);
        Assert.Contains("cognee.export(", blocker.Remedy);
        Assert.Contains("EXPORT DATABASE", blocker.Remedy);
    }

    [Fact]
    public async Task Without_the_native_reader_helper_the_plan_blocks_with_the_install_command()
    {
        await CreateAsync();
        var empty = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(_systemRoot)!, "no-helper")).FullName;

        var (plan, _) = await PlanAsync(helper: empty);

        var blocker = Assert.Single(plan.Blockers, b => b.Code == "CogneeNativeReaderMissing");
        Assert.Contains(".lance.db", blocker.Message);
        Assert.Contains($"npm ci --omit=dev --prefix \"{empty}\"", blocker.Remedy);
    }
}
