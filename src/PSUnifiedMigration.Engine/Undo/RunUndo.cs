using System.Diagnostics;
using Npgsql;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Undo;

/// <summary>
/// Undoes one run in every configured store. In PostgreSQL, in one transaction with the target lock held, the rows the
/// run inserted are deleted (with their id map entries) and the rows it changed get their before-image back, which the
/// batch writer kept in unified_migration.before_images; the run is marked Undone and its rejects and checkpoints stay as
/// history. Then each graph and vector store removes the run's elements and rewrites the restored rows from PostgreSQL.
/// A run is refused while a later run has rewritten its rows or refers to rows it inserted.
/// </summary>
public static class RunUndo
{
    private static readonly string B = Sql.Quote(UnifiedSchema.BookkeepingSchema);
    private static readonly string Images = Sql.Qualified(UnifiedSchema.BookkeepingSchema, UnifiedSchema.BeforeImagesTable);

    public static async Task<MigrationUndoResult> UndoAsync(MigrationTarget target, Guid runId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await target.Endpoint.OpenAsync(cancellationToken);
        await using var targetLock = await TargetLock.AcquireAsync(connection, runId, cancellationToken);
        var (alreadyUndone, tables) = await UndoPostgresAsync(connection, runId, cancellationToken);
        var stores = new List<UndoStoreResult>
        {
            new("PostgreSQL " + target.Endpoint.Display, tables.Sum(t => t.Deleted), tables.Sum(t => t.Restored), clock.Elapsed),
        };

        var origins = await RestoredOriginsAsync(connection, runId, cancellationToken);
        foreach (var projection in target.Stores.Select(s => s.OpenProjection()))
        {
            await using (projection)
            {
                var storeClock = Stopwatch.StartNew();
                try
                {
                    var undone = await projection.UndoRunAsync(connection, origins, runId, RestoredRows, cancellationToken);
                    stores.Add(new UndoStoreResult(projection.Description, undone.Deleted, undone.Rewritten, storeClock.Elapsed));
                }
                catch (Exception e) when (e is MigrationException or HttpRequestException or OperationCanceledException)
                {
                    throw new MigrationException("RunUndoIncomplete", MigrationErrorKind.InvalidOperation,
                        $"Run {runId} is undone in PostgreSQL{string.Concat(stores.Skip(1).Select(s => $" and in {s.Store}"))}, but undoing it in {projection.Description} " +
                        $"failed: {e.Message} Run Undo-Migration for this run again: it repeats only the graph and vector stores' part.", runId, e);
                }
            }
        }

        return new MigrationUndoResult(runId, alreadyUndone, tables, stores, clock.Elapsed);
    }

    /// <summary>The rows of a unified table that undoing run @run gave their previous version back.</summary>
    private static string RestoredRows(string table) =>
        $"id IN (SELECT row_id FROM {Images} WHERE run_id = @run AND target_table = {Sql.Literal(table)})";

    private static async Task<(bool AlreadyUndone, List<UndoTableResult> Tables)> UndoPostgresAsync(NpgsqlConnection connection, Guid runId,
        CancellationToken cancellationToken)
    {
        if (await UnifiedSchemaInstaller.InstalledVectorStorageAsync(connection, null, cancellationToken) is null)
        {
            throw NotFound(runId);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A store last written by an older module lacks the before-images: it gets them now (and they are empty).
        await UnifiedSchemaInstaller.EnsureBookkeepingAsync(connection, transaction, cancellationToken);
        var status = await ScalarAsync<string>(connection, transaction, $"SELECT status FROM {B}.runs WHERE run_id = @run FOR UPDATE", runId, cancellationToken)
                     ?? throw NotFound(runId);
        if (status == nameof(MigrationStatus.Undone))
        {
            await transaction.CommitAsync(cancellationToken);
            return (true, []);
        }

        var blocking = await BlockingRunsAsync(connection, transaction, runId, cancellationToken);
        if (blocking.Count > 0)
        {
            throw new MigrationException("RunUndoBlocked", MigrationErrorKind.InvalidOperation,
                $"Run {runId} cannot be undone: later run(s) {string.Join(", ", blocking)} rewrote records it wrote or refer to records it inserted. " +
                "Undo those runs first, the latest first, then undo this one.", runId);
        }

        await ExecuteAsync(connection, transaction, "SET CONSTRAINTS ALL DEFERRED", runId, cancellationToken);
        // The run wrote its before-images moments ago, so autovacuum has not counted them: without fresh statistics the planner
        // takes them for one row and compares every row of the run with every image (quadratic; 3.6 s for 10,000 chunks).
        await ExecuteAsync(connection, transaction, $"ANALYZE {Images}", runId, cancellationToken);
        var tables = new List<UndoTableResult>();
        foreach (var table in UnifiedSchema.Tables.Reverse())
        {
            var name = Sql.Qualified(UnifiedSchema.DataSchema, table.Name);
            var literal = Sql.Literal(table.Name);
            var deleted = await ExecuteAsync(connection, transaction, $"""
                DELETE FROM {name} AS t WHERE t.run_id = @run
                  AND NOT EXISTS (SELECT 1 FROM {Images} AS b WHERE b.run_id = @run AND b.target_table = {literal} AND b.row_id = t.id)
                """, runId, cancellationToken);
            // LATERAL parses each image once; (jsonb_populate_record(...)).* would parse it again for every column.
            var restored = await ExecuteAsync(connection, transaction, $"""
                WITH replaced AS (
                    DELETE FROM {name} AS t USING {Images} AS b
                    WHERE t.run_id = @run AND b.run_id = @run AND b.target_table = {literal} AND b.row_id = t.id
                    RETURNING b.image)
                INSERT INTO {name} SELECT restored.* FROM replaced, LATERAL jsonb_populate_record(NULL::{name}, replaced.image) AS restored
                """, runId, cancellationToken);
            tables.Add(new UndoTableResult(table.Name, deleted, restored));
        }

        var idMap = await ExecuteAsync(connection, transaction,
            $"DELETE FROM {Sql.Qualified(UnifiedSchema.DataSchema, UnifiedSchema.IdMapTable)} WHERE run_id = @run", runId, cancellationToken);
        tables.Add(new UndoTableResult(UnifiedSchema.IdMapTable, idMap, 0));
        await ExecuteAsync(connection, transaction, $"UPDATE {B}.runs SET status = '{nameof(MigrationStatus.Undone)}' WHERE run_id = @run", runId, cancellationToken);
        // The graph and vector stores are brought back by the undo's own projection step; that step can fail, so none
        // counts as in step until the next run has projected every record.
        await new RunJournal(connection).ForgetProjectionStateAsync(transaction, cancellationToken);
        // Deferred references are checked here: a row of another run that still needed one of the deleted rows fails the commit.
        await transaction.CommitAsync(cancellationToken);
        tables.Reverse();
        return (false, tables);
    }

    /// <summary>
    /// Runs, not undone, that changed a row after this run wrote it (their before-image's writer is this run), or whose
    /// rows refer to a row this run inserted.
    /// </summary>
    private static async Task<List<Guid>> BlockingRunsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        var queries = new List<string>
        {
            $"""
            SELECT b.run_id FROM {Images} AS b JOIN {B}.runs AS r ON r.run_id = b.run_id
            WHERE b.previous_run_id = @run AND b.run_id <> @run AND r.status <> '{nameof(MigrationStatus.Undone)}'
            """,
        };
        foreach (var table in UnifiedSchema.Tables)
        {
            foreach (var reference in table.References)
            {
                queries.Add($"""
                    SELECT c.run_id FROM {Sql.Qualified(UnifiedSchema.DataSchema, table.Name)} AS c
                    JOIN {Sql.Qualified(UnifiedSchema.DataSchema, reference.ParentTable)} AS p ON p.id = c.{Sql.Quote(reference.Column)}
                    WHERE p.run_id = @run AND c.run_id <> @run
                      AND NOT EXISTS (SELECT 1 FROM {Images} AS b WHERE b.run_id = @run AND b.target_table = {Sql.Literal(reference.ParentTable)} AND b.row_id = p.id)
                    """);
            }
        }

        return await ReadAsync(connection, transaction, $"SELECT DISTINCT run_id FROM ({string.Join("\nUNION ALL\n", queries)}) AS blocking ORDER BY run_id",
            runId, reader => reader.GetGuid(0), cancellationToken);
    }

    /// <summary>The system origins of the rows the undo restored: those the graph and vector stores rewrite.</summary>
    private static Task<List<string>> RestoredOriginsAsync(NpgsqlConnection connection, Guid runId, CancellationToken cancellationToken) =>
        ReadAsync(connection, null, $"SELECT DISTINCT image->>'system_origin' FROM {Images} WHERE run_id = @run", runId, reader => reader.GetString(0), cancellationToken);

    private static MigrationException NotFound(Guid runId) =>
        new("RunNotFound", MigrationErrorKind.ObjectNotFound, $"The target has no run {runId}. Its runs are in unified_migration.runs.", runId);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid runId,
        Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        var values = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(map(reader));
        }

        return values;
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        return await command.ExecuteScalarAsync(cancellationToken) as T;
    }
}
