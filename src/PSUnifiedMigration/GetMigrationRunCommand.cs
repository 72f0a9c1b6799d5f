using System.Globalization;
using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Execution;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration;

/// <summary>
/// Get-MigrationRun: the runs in a target's journal as objects (status, phase, counts, rate, failure, latest rejects),
/// newest first, or one run by -RunId. With -Watch it follows a run from another console as a progress display,
/// reading the journal every -Interval seconds until the run ends (or Ctrl+C), then writes the run as it ended.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MigrationRun", HelpUri = ModuleLinks.CmdletHelp + "Get-MigrationRun.md")]
[OutputType(typeof(MigrationRun))]
public sealed class GetMigrationRunCommand : MigrationCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    /// <summary>The run to read; without it, every run (or, with -Watch, the newest).</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public Guid RunId { get; set; }

    /// <summary>Follows the run until it ends, showing its progress; writes the run when it has ended.</summary>
    [Parameter]
    public SwitchParameter Watch { get; set; }

    /// <summary>Seconds between two reads of the journal with -Watch.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int Interval { get; set; } = 2;

    protected override void ProcessRecord()
    {
        Guid? runId = MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null;
        try
        {
            if (Watch)
            {
                WriteObject(RunEngine((post, token) => WatchAsync(runId, post, token)));
                return;
            }

            var runs = RunEngine((_, token) => RunJournalReader.ListAsync(Target!, runId, token));
            if (runId is not null && runs.Count == 0)
            {
                throw NotFound(runId.Value);
            }

            WriteObject(runs, enumerateCollection: true);
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
    }

    private async Task<MigrationRun> WatchAsync(Guid? runId, Action<Action> post, CancellationToken cancellationToken)
    {
        var rate = new ProgressRate();
        while (true)
        {
            var run = (await RunJournalReader.ListAsync(Target!, runId, cancellationToken)).FirstOrDefault()
                      ?? throw (runId is { } id ? NotFound(id) : new MigrationException("RunNotFound", MigrationErrorKind.ObjectNotFound,
                          $"The journal of {Target} holds no run yet. Start one with Invoke-Migration.", Target));
            runId = run.RunId;
            rate.Sample(run.Read, run.Elapsed);
            var finished = run.Status != MigrationStatus.Running;
            post(() => WriteProgress(Render(run, rate, finished)));
            if (finished)
            {
                return run;
            }

            await Task.Delay(TimeSpan.FromSeconds(Interval), cancellationToken);
        }
    }

    /// <summary>
    /// A new progress record per read (the host may keep the records it is given): the run, its phase and counts against the
    /// plan's total, the rate seen while watching, the time left at that rate (once enough of it was measured) and the newest
    /// reject. The host shows PercentComplete and SecondsRemaining itself, so the status text does not repeat them.
    /// </summary>
    private static ProgressRecord Render(MigrationRun run, ProgressRate rate, bool finished) => new(1, $"Run {run.RunId} ({run.Sources})",
        string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:N0}{2} read, {3:N0} migrated, {4:N0} skipped, {5:N0} rejected, {6:N0} rec/s, running {7}",
            run.Phase, run.Read, run.Total is { } total ? $" of about {total:N0}" : "", run.Migrated, run.Skipped, run.Rejected,
            rate.RecordsPerSecond, run.Elapsed))
    {
        CurrentOperation = run.Failure ?? (run.LatestRejects.FirstOrDefault() is { } reject ? $"Latest reject: {reject}" : ""),
        RecordType = finished ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        PercentComplete = run.PercentComplete is { } percent ? (int)percent : -1,
        SecondsRemaining = !finished && run.Total is { } planned && rate.EstimateRemaining(Math.Max(0, planned - run.Read)) is { } left
            ? (int)Math.Min(int.MaxValue, left.TotalSeconds)
            : -1,
    };

    private MigrationException NotFound(Guid runId) => new("RunNotFound", MigrationErrorKind.ObjectNotFound,
        $"No run {runId} exists in the journal of {Target}. Get-MigrationRun -Target <target> lists the runs.", runId);
}
