using PSUnifiedMigration.Engine.Sources.ClaudeContext;
using PSUnifiedMigration.Engine.Connections;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Targets.Postgres;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// pgvector on both sides, against the real extension: PGlite serves it, since this machine's
/// PostgreSQL has none. Each PGlite holds one database, so source and target get one each.
/// </summary>
[Collection(PostgresCollection.Name)]
public class PgvectorTests(PostgresFixture fixture)
{
    private static readonly string PackageDirectory = RepositoryLayout.PglitePackages;
    private static readonly ClaudeContextSampleOptions Sample = new() { Chunks = 120, Layout = ChunkLayout.Live, Seed = 9 };

    private static async Task<MigrationResult> MigrateAsync(MigrationSource source, MigrationTarget target)
    {
        var plan = await MigrationPlanner.PlanAsync([source], target, 40, default);
        Assert.True(plan.CanInvoke, string.Join(" ", plan.Blockers));
        return await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default);
    }

    [Fact]
    public async Task A_source_with_pgvector_embeddings_migrates_and_validates_bit_for_bit()
    {
        await using var pglite = await PgliteServer.StartAsync(PackageDirectory);
        await ClaudeContextSample.CreateAsync(pglite.ConnectionString, Sample with { UsePgvector = true, UseInsertInsteadOfCopy = true });
        var target = new MigrationTarget("unified", PostgresEndpoint.Parse(await fixture.Server.CreateDatabaseAsync("dst")));
        var source = new MigrationSource(ClaudeContextReader.Kind, "cc", new ClaudeContextLocation(PostgresEndpoint.Parse(pglite.ConnectionString), "claude_context"));

        var result = await MigrateAsync(source, target);

        Assert.Equal("vector(768)", Assert.Single(await PlanAnalysesAsync(source, target)).VectorType);
        Assert.Equal(MigrationStatus.Succeeded, result.Status);
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(), null, default)).IsValid);
    }

    /// <summary>
    /// Only the schema is checked against a pgvector target: PGlite's socket server cannot carry COPY FROM STDIN
    /// (electric-sql/pglite#1028), and batches are written with binary COPY.
    /// </summary>
    [Fact]
    public async Task A_target_with_pgvector_gets_a_dense_vector_column_of_the_plan_dimension()
    {
        await using var pglite = await PgliteServer.StartAsync(PackageDirectory);
        await using var connection = await PostgresEndpoint.Parse(pglite.ConnectionString).OpenAsync(default);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var storage = await UnifiedSchemaInstaller.EnsureAsync(connection, transaction, 768, default);
            await transaction.CommitAsync();
            Assert.Equal(new VectorStorage(true, 768), storage);
        }

        Assert.Equal("vector(768)", await TestDatabase.ScalarAsync<string>(pglite.ConnectionString,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'unified.chunks'::regclass AND attname = 'dense_vector'"));
        Assert.Equal(new VectorStorage(true, 768), await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, null, default));
    }

    private static async Task<IReadOnlyList<SourceAnalysis>> PlanAnalysesAsync(MigrationSource source, MigrationTarget target) =>
        (await MigrationPlanner.PlanAsync([source], target, 40, default)).SourceAnalyses;
}
