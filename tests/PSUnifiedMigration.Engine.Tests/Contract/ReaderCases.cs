using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Sources.ClaudeContext.Qdrant;
using PSUnifiedMigration.Engine.Sources.Cognee;
using PSUnifiedMigration.Engine.Targets.Qdrant;
using PSUnifiedMigration.Sandbox;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;
using PSUnifiedMigration.Sandbox.Cognee;

namespace PSUnifiedMigration.Engine.Tests.Contract;

/// <summary>
/// Every source and layout the reader contract runs against, built from the sandbox's sample generators. Adding a
/// source or a layout means adding one entry here.
/// </summary>
internal static class ReaderCases
{
    /// <summary>Builds a source on the fixture's server under a temporary folder; what it started is disposed with the test.</summary>
    public delegate Task<MigrationSource> Build(PostgresFixture fixture, string folder, List<IAsyncDisposable> started);

    /// <summary>Rows with a null id and rows repeating an id, so the null-key pass, ties on ctid and rejects are read too.</summary>
    private const string ClaudeContextDirt = """
        DO $$ DECLARE c text; BEGIN
          SELECT conname INTO c FROM pg_constraint WHERE conrelid = 'claude_context.chunks'::regclass AND contype = 'p';
          IF c IS NOT NULL THEN EXECUTE format('ALTER TABLE claude_context.chunks DROP CONSTRAINT %I CASCADE', c); END IF;
        END $$;
        ALTER TABLE claude_context.chunks ALTER COLUMN id DROP NOT NULL;
        CREATE TEMP TABLE extra AS SELECT * FROM claude_context.chunks ORDER BY id LIMIT 3;
        INSERT INTO claude_context.chunks SELECT * FROM extra;
        UPDATE extra SET id = NULL;
        INSERT INTO claude_context.chunks SELECT * FROM extra;
        """;

    public static IReadOnlyDictionary<string, Build> All { get; } = new Dictionary<string, Build>
    {
        ["ClaudeContext, schema chunks"] = (fixture, _, _) => ClaudeContextAsync(fixture, ChunkLayout.Schema),
        ["ClaudeContext, live chunks"] = (fixture, _, _) => ClaudeContextAsync(fixture, ChunkLayout.Live),
        ["ClaudeContext, claude-context-core collections"] = async (_, _, started) =>
        {
            var core = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
            started.Add(core);
            await ClaudeContextCoreInstallation.CreateAsync(core.ConnectionString, new ClaudeContextCoreOptions { RowsPerTable = 10 });
            return new MigrationSource(ClaudeContextReader.Kind, "core", new ClaudeContextLocation(PostgresEndpoint.Parse(core.ConnectionString), "claude_context"));
        },
        ["ClaudeContext, upstream on Milvus"] = (_, _, started) =>
        {
            var fake = ClaudeContextCore.MilvusSeed.Start("contract-token");
            started.Add(new Disposing(fake));
            return Task.FromResult(ClaudeContextCore.MilvusSeed.Source(fake, "contract-token", queryLimit: 8));
        },
        ["Cognee, SQLite and networkx file"] = (_, folder, _) => CogneeAsync(new CogneeSampleOptions { SystemRoot = folder, GraphLayout = GraphLayout.NetworkxFile }),
        ["Cognee, SQLite and ledger"] = (_, folder, _) => CogneeAsync(new CogneeSampleOptions { SystemRoot = folder, GraphLayout = GraphLayout.LedgerTables }),
        ["Cognee, PostgreSQL with graph tables"] = async (fixture, folder, _) =>
        {
            var relational = await fixture.Server.CreateDatabaseAsync("cognee");
            await CogneeSample.CreateAsync(new CogneeSampleOptions
            {
                SystemRoot = folder, GraphLayout = GraphLayout.PostgresTables, RelationalConnectionString = relational, Users = 1, DatasetsPerUser = 2,
            });
            return new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.ForPostgres(PostgresEndpoint.Parse(relational)));
        },
        ["Cognee, pgvector collections"] = async (_, folder, started) =>
        {
            var vectors = await PgliteServer.StartAsync(RepositoryLayout.PglitePackages);
            started.Add(vectors);
            await CogneeSample.CreateAsync(new CogneeSampleOptions
            {
                SystemRoot = folder, GraphLayout = GraphLayout.NetworkxFile, VectorConnectionString = vectors.ConnectionString, UseInsertInsteadOfCopy = true,
                Users = 1, DatasetsPerUser = 2,
            });
            return new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(folder) with { Vectors = PostgresEndpoint.Parse(vectors.ConnectionString) });
        },
        ["ClaudeContext, Qdrant collections"] = (_, _, started) =>
        {
            var fake = QdrantWireListener.Start("contract-key");
            started.Add(new DisposeAsAsync(fake));
            var facts = ClaudeContextCoreInstallation.Describe(new ClaudeContextCoreOptions { RowsPerTable = 11 });
            foreach (var table in facts.ChunkTables.Where(t => t.CodeRows.Count > 0))
            {
                fake.Seed(table.Collection, CoreQdrantPoints.CollectionConfig(8, table.IsHybrid, sparse: true), table.CodeRows.Select(c => CoreQdrantPoints.Point(table, c, sparse: true)));
            }

            var endpoint = QdrantEndpoint.Parse(fake.Uri.ToString(), new System.Net.NetworkCredential("", "contract-key").SecurePassword);
            return Task.FromResult(new MigrationSource(ClaudeContextReader.Kind, "cc-qdrant", new ClaudeContextQdrantLocation(endpoint, null)));
        },
    };

    public static TheoryData<string> Names => new(All.Keys);

    /// <summary>A synchronous resource (a wire fake) in the list of what the test disposes.</summary>
    private sealed class Disposing(IDisposable resource) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            resource.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<MigrationSource> ClaudeContextAsync(PostgresFixture fixture, ChunkLayout layout)
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 40, Layout = layout, Dimensions = 8 });
        await scenario.ExecuteOnSourceAsync(ClaudeContextDirt);
        return scenario.Source();
    }

    private sealed class DisposeAsAsync(IDisposable disposable) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            disposable.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<MigrationSource> CogneeAsync(CogneeSampleOptions options)
    {
        await CogneeSample.CreateAsync(options with { Users = 1, DatasetsPerUser = 2 });
        return new MigrationSource(CogneeReader.Kind, "cognee", CogneeStores.Locate(options.SystemRoot));
    }
}
