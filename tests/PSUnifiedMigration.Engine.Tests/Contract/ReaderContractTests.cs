using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources;

namespace PSUnifiedMigration.Engine.Tests.Contract;

/// <summary>
/// What every source reader promises the executor, checked for every source and layout in <see cref="ReaderCases"/>:
/// pages respect the batch size, resuming from any batch's position reads exactly the rest, rejects name their
/// record, and cancellation ends the read.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReaderContractTests(PostgresFixture fixture) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"psum-contract-{Guid.NewGuid():N}", ".cognee_system");
    private readonly List<IAsyncDisposable> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var started in _started)
        {
            await started.DisposeAsync();
        }

        if (Directory.Exists(Path.GetDirectoryName(_folder)))
        {
            Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);
        }
    }

    public static TheoryData<string> Cases => ReaderCases.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_reader_keeps_the_contract(string name)
    {
        var source = await ReaderCases.All[name](fixture, _folder, _started);
        await using var reader = source.System.CreateReader(source);
        var issues = new List<MigrationPlanIssue>();
        var (analysis, steps) = await reader.AnalyzeAsync(issues, default);
        Assert.DoesNotContain(issues, i => i.Severity == PlanIssueSeverity.Blocker);
        Assert.NotEmpty(steps);
        await reader.BeginSnapshotAsync(default);
        var dimensions = analysis.VectorDimensions.Count == 1 ? analysis.VectorDimensions.Keys.Single() : (int?)null;

        foreach (var step in steps)
        {
            var batchSize = (int)Math.Clamp(step.Rows / 4 + 1, 2, 50);
            var batches = await ReadAllAsync(reader, step, null, batchSize, dimensions);

            Assert.All(batches, b => Assert.InRange(b.Read, 1, batchSize));
            Assert.Equal(step.Rows > 0, batches.Count > 0);
            Assert.All(batches.SelectMany(b => b.Rejects), r =>
            {
                Assert.Equal(step.SourceTable, r.SourceTable);
                Assert.False(string.IsNullOrWhiteSpace(r.RecordKey), $"{step.Name}: a reject without a key ({r.ErrorId}).");
            });
            var all = Flatten(batches);
            var before = 0;
            foreach (var batch in batches)
            {
                before += batch.Read;
                var rest = Flatten(await ReadAllAsync(reader, step, batch.Position, batchSize, dimensions));
                Assert.Equal(all.Skip(before), rest);
            }
        }

        foreach (var step in steps.Where(s => s.Rows > 0))
        {
            await AssertCancellationEndsTheReadAsync(reader, step, dimensions);
        }
    }

    private static async Task<List<SourceBatch>> ReadAllAsync(ISourceReader reader, SourceStep step, SourcePosition? after, int batchSize, int? dimensions)
    {
        var batches = new List<SourceBatch>();
        await foreach (var batch in reader.ReadAsync(step, after, batchSize, dimensions, default))
        {
            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Each record and reject in order, as what identifies it: records by legacy id, rejects by key and reason.</summary>
    private static List<string> Flatten(IEnumerable<SourceBatch> batches) =>
        batches.SelectMany(b => b.Records.Select(r => "record " + r.LegacyId).Concat(b.Rejects.Select(r => $"reject {r.RecordKey} {r.ErrorId}"))).ToList();

    /// <summary>Once the token is cancelled after the first batch, no further batch arrives (the read ends or throws).</summary>
    private static async Task AssertCancellationEndsTheReadAsync(ISourceReader reader, SourceStep step, int? dimensions)
    {
        using var cancel = new CancellationTokenSource();
        var after = 0;
        var first = true;
        try
        {
            await foreach (var _ in reader.ReadAsync(step, null, 1, dimensions, cancel.Token))
            {
                if (!first)
                {
                    after++;
                }

                first = false;
                cancel.Cancel();
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(0, after);
    }
}
