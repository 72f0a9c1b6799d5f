using System.Runtime.CompilerServices;
using System.Text.Json;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>
/// The one keyset-paging loop every reader uses: ask for the rows after a cursor (never OFFSET), at most a page of
/// them, move the cursor to the last row, stop after a short page. Readers supply the query and the cursor; the
/// pager owns the loop, cancellation, transforming rows into records and naming rejects.
/// </summary>
public static class KeysetPager
{
    /// <summary>Pages of rows after <paramref name="after"/>, each with the cursor after its last row.</summary>
    public static async IAsyncEnumerable<(IReadOnlyList<TRow> Rows, TCursor After)> PagesAsync<TRow, TCursor>(TCursor after, int pageSize,
        Func<TCursor, int, CancellationToken, Task<IReadOnlyList<TRow>>> readPage, Func<TRow, TCursor> cursorOf,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = await readPage(after, pageSize, cancellationToken);
            if (rows.Count == 0)
            {
                yield break;
            }

            after = cursorOf(rows[^1]);
            yield return (rows, after);
            if (rows.Count < pageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// A step's batches: each page transformed row by row; a row that cannot be migrated becomes a reject named by
    /// <paramref name="rejectKey"/> (the record's own id where it has one).
    /// </summary>
    public static async IAsyncEnumerable<SourceBatch> BatchesAsync<TRow, TCursor>(SourceStep step, TCursor after, int batchSize,
        Func<TCursor, int, CancellationToken, Task<IReadOnlyList<TRow>>> readPage, Func<TRow, TCursor> cursorOf, Func<TCursor, SourcePosition> position,
        Func<TRow, UnifiedRecord> transform, Func<TRow, string> rejectKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (rows, next) in PagesAsync(after, batchSize, readPage, cursorOf, cancellationToken))
        {
            var records = new List<UnifiedRecord>(rows.Count);
            var rejects = new List<RejectedRecord>();
            foreach (var row in rows)
            {
                try
                {
                    records.Add(transform(row));
                }
                catch (RecordRejectedException rejected)
                {
                    rejects.Add(new RejectedRecord(step.SourceTable, rejectKey(row), rejected.Field, rejected.Message, rejected.ErrorId));
                }
            }

            yield return new SourceBatch(step, records, rejects, position(next));
        }
    }

    /// <summary>A position that is one key (or count): {"LastKey": ...}, the form checkpoints have always had.</summary>
    public static SourcePosition KeyPosition(string? lastKey) => new(JsonSerializer.Serialize(new KeyToken(lastKey)));

    /// <summary>The key of a position written by <see cref="KeyPosition"/>, or of a checkpoint from before positions were opaque.</summary>
    public static string? LastKey(SourcePosition? position) =>
        position is null ? null : JsonSerializer.Deserialize<KeyToken>(position.Token)?.LastKey;

    private sealed record KeyToken(string? LastKey);
}
