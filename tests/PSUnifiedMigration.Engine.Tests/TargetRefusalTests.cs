using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Planning;
using PSUnifiedMigration.Engine.Validation;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Engine.Tests;

/// <summary>
/// Issue 14: a record PostgreSQL refuses when its batch is written (here a key too long for the id map's btree index,
/// 54000) is isolated by bisecting the batch and rejected by name; the rest of the batch is written.
/// </summary>
[Collection(PostgresCollection.Name)]
public class TargetRefusalTests(PostgresFixture fixture)
{
    private static readonly ClaudeContextSampleOptions Live = new() { Chunks = 12, Layout = ChunkLayout.Live, Dimensions = 8, Seed = 15 };

    [Fact]
    public async Task A_record_whose_id_is_too_long_for_the_index_is_a_named_reject_and_its_batch_mates_arrive()
    {
        var scenario = await EngineScenario.CreateAsync(fixture.Server, Live);
        // 8,000 hex digits (4,000 bytes of entropy) exceed the btree maximum of 2,704 bytes even compressed; the source holds
        // it because its id has no index (a unique index could not hold it either).
        await scenario.ExecuteOnSourceAsync("""
            DO $$ DECLARE c text; BEGIN
              FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'claude_context.chunks'::regclass AND contype IN ('p', 'u') LOOP
                EXECUTE format('ALTER TABLE claude_context.chunks DROP CONSTRAINT %I', c);
              END LOOP; END $$;
            INSERT INTO claude_context.chunks SELECT * FROM claude_context.chunks ORDER BY id LIMIT 1;
            UPDATE claude_context.chunks SET id = 'chunk_' || (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 250))
            WHERE ctid = (SELECT max(ctid) FROM claude_context.chunks);
            """);
        var longId = await TestDatabase.ScalarAsync<string>(scenario.SourceConnection, "SELECT id FROM claude_context.chunks WHERE length(id) > 5000");
        var plan = await MigrationPlanner.PlanAsync([scenario.Source()], scenario.Target, 25, default);

        var failure = await Assert.ThrowsAsync<MigrationRunFailedException>(() => MigrationExecutor.RunAsync(plan, new MigrationRunOptions(false), _ => { }, default));
        Assert.Equal("RecordRefusedByTarget", failure.ErrorId);
        Assert.Contains("field 'id'", failure.Message);
        Assert.Contains("54000", failure.Message);

        var result = await MigrationExecutor.RunAsync(plan, new MigrationRunOptions(true), _ => { }, default);

        var error = Assert.Single(result.Errors);
        Assert.Equal((longId, "id", "RecordRefusedByTarget"), (error.RecordKey, error.Field, error.ErrorId));
        Assert.Equal(12L, await scenario.ScalarOnTargetAsync<long>("SELECT count(*) FROM unified.chunks"));
        var chunks = result.Steps.Single(s => s.SourceTable == "chunks");
        Assert.Equal((13L, 12L, 1L), (chunks.Read, chunks.Migrated + chunks.Skipped, chunks.Rejected));
        Assert.True((await MigrationValidator.ValidateAsync(result, new ValidationOptions(ValidationMode.Full), null, default)).IsValid);
    }
}
