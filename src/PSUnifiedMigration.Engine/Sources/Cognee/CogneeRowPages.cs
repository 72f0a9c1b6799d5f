using System.Data.Common;
using System.Globalization;
using PSUnifiedMigration.Engine.Records;

namespace PSUnifiedMigration.Engine.Sources.Cognee;

/// <summary>Keyset pages of <see cref="CogneeRow"/>s on one text column, for the SQL stores (relational tables, ledger, graph tables).</summary>
internal static class CogneeRowPages
{
    /// <summary>
    /// The step's batches; <paramref name="command"/> gives the command for the rows after a key (null: from the
    /// start), at most a limit of them.
    /// </summary>
    public static IAsyncEnumerable<SourceBatch> BatchesAsync(SourceStep step, SourcePosition? after, int batchSize, Func<string?, int, DbCommand> command,
        string keyColumn, IReadOnlySet<string> jsonColumns, Func<CogneeRow, UnifiedRecord> transform, CancellationToken cancellationToken)
    {
        string? KeyOf(CogneeRow row) => Convert.ToString(row[keyColumn], CultureInfo.InvariantCulture);

        async Task<IReadOnlyList<CogneeRow>> ReadPageAsync(string? last, int limit, CancellationToken token)
        {
            var rows = new List<CogneeRow>();
            using var page = command(last, limit);
            using var reader = await page.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                rows.Add(CogneeRow.Read(reader, jsonColumns));
            }

            return rows;
        }

        // A reject is named by the record's own id where it has one, not by the paging key.
        return KeysetPager.BatchesAsync(step, KeysetPager.LastKey(after), batchSize, ReadPageAsync, KeyOf, KeysetPager.KeyPosition, transform,
            row => (row["id"] is { } id ? CogneeValues.Uuid(id, "id") : null) ?? KeyOf(row) ?? "(null)", cancellationToken);
    }
}
