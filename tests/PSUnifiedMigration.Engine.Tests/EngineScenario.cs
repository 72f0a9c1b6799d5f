using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>Source and target databases on the fixture's server, with engine objects for them.</summary>
internal sealed record EngineScenario(string SourceConnection, string TargetConnection)
{
    public static async Task<EngineScenario> CreateAsync(LocalPostgresServer server, ClaudeContextSampleOptions options)
    {
        var scenario = new EngineScenario(await server.CreateDatabaseAsync("src"), await server.CreateDatabaseAsync("dst"));
        await ClaudeContextSample.CreateAsync(scenario.SourceConnection, options);
        return scenario;
    }

    public MigrationSource Source(string name = "cc") =>
        new(ClaudeContextReader.Kind, name, new ClaudeContextLocation(PostgresEndpoint.Parse(SourceConnection), "claude_context"));

    public MigrationTarget Target => new("unified", PostgresEndpoint.Parse(TargetConnection));

    public Task ExecuteOnSourceAsync(string sql) => TestDatabase.ExecuteAsync(SourceConnection, sql);

    public Task ExecuteOnTargetAsync(string sql) => TestDatabase.ExecuteAsync(TargetConnection, sql);

    public Task<T> ScalarOnTargetAsync<T>(string sql) => TestDatabase.ScalarAsync<T>(TargetConnection, sql);

    /// <summary>Changes 5 chunks of the source and adds 3, as a later edit of the indexed code would.</summary>
    public Task EditChunksAsync() => ExecuteOnSourceAsync("""
        UPDATE claude_context.chunks SET repo = 'edited later' WHERE id IN (SELECT id FROM claude_context.chunks ORDER BY id LIMIT 5);
        CREATE TEMP TABLE extra AS SELECT * FROM claude_context.chunks ORDER BY id DESC LIMIT 3;
        UPDATE extra SET id = gen_random_uuid();
        INSERT INTO claude_context.chunks SELECT * FROM extra;
        """);

    /// <summary>
    /// Installs the unified schema for the plan and a BEFORE INSERT trigger on unified.chunks that runs the PL/pgSQL
    /// <paramref name="body"/>; the sequence public.psum_fault counts the rows it sees, to fail or stall a run at a chosen row.
    /// </summary>
    public async Task InstallChunkTriggerAsync(MigrationPlan plan, string body)
    {
        await using (var connection = await PostgresEndpoint.Parse(TargetConnection).OpenAsync(default))
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Targets.Postgres.UnifiedSchemaInstaller.EnsureAsync(connection, transaction, plan.VectorDimensions, default);
            await transaction.CommitAsync();
        }

        await ExecuteOnTargetAsync($"""
            CREATE SEQUENCE IF NOT EXISTS public.psum_fault;
            CREATE OR REPLACE FUNCTION public.psum_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NEW; END $$;
            CREATE OR REPLACE TRIGGER psum_fault BEFORE INSERT ON unified.chunks FOR EACH ROW EXECUTE FUNCTION public.psum_fault();
            """);
    }
}
