using PSUnifiedMigration.Engine.Records;
using PSUnifiedMigration.Engine.Sources;
using System.Diagnostics;
using System.Globalization;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration.Engine.Validation;

/// <summary>
/// Proves a migration, with or without the run that did it. Per step: source = target + rejected, the content of
/// every record (Full: range digests on both sides, bisected down to the differing records; Quick: a sample), and
/// the target's extra records. Then the relationships (no orphans, degree per node type), the vectors, and each
/// configured projection store against PostgreSQL. The source is read in pages while the target works on the
/// previous page; key sets go to temp tables on the target, so memory stays bounded whatever the size.
/// </summary>
public static class MigrationValidator
{
    /// <summary>Validates a run's migration; the run's reject table is where rejected records must be.</summary>
    public static Task<MigrationValidationReport> ValidateAsync(MigrationResult run, ValidationOptions options, Action<string, long>? progress, CancellationToken cancellationToken) =>
        ValidateAsync(run.Plan, run, options, progress, cancellationToken);

    /// <summary>
    /// Validates the plan's sources against its target. Without a run (a migration done earlier), a rejected record
    /// is one the transform rejects today, or one absent from the target that some run recorded as rejected.
    /// </summary>
    public static async Task<MigrationValidationReport> ValidateAsync(MigrationPlan plan, MigrationResult? run, ValidationOptions options, Action<string, long>? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var report = new MigrationValidationReport
        {
            RunId = run?.RunId,
            Mode = options.Mode,
            SampleSize = options.Mode == ValidationMode.Quick ? options.SampleSize : 0,
            MaxDifferences = options.MaxDifferences,
            VectorTolerance = plan.Target.Stores.Select(s => s.Kind.VectorTolerance).DefaultIfEmpty(0).Max(),
        };
        if (run is not null)
        {
            report.Add(new ValidationCheck("Run completed", run.Status is MigrationStatus.Succeeded or MigrationStatus.CompletedWithRejects,
                "Succeeded or CompletedWithRejects", run.Status.ToString(), run.FailureMessage ?? ""));
        }

        if (options.Mode == ValidationMode.Quick)
        {
            report.Warnings.Add($"Quick mode: counts are complete, but only a sample of up to {options.SampleSize} records per step was compared.");
        }

        await using var target = await plan.Target.Endpoint.OpenAsync(cancellationToken);
        await using (var snapshot = await target.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken))
        {
            var context = new ValidationContext(plan, run, options, target, report, progress);
            var degrees = new GraphDegreeCheck(context);
            foreach (var source in plan.Sources)
            {
                await using var reader = source.System.CreateReader(source);
                await reader.BeginSnapshotAsync(cancellationToken);
                foreach (var planStep in plan.Steps.Where(s => s.SourceName == source.Name))
                {
                    var step = new SourceStep(planStep.SourceName, planStep.SourceTable, UnifiedSchema.Get(planStep.TargetTable), planStep.EstimatedRecords, planStep.EstimatedBytes);
                    await ValidateStepAsync(context, step, reader, degrees, cancellationToken);
                }
            }

            context.Progress("Checking relationships and vectors", 0);
            await ReferenceCheck.CheckAsync(context, cancellationToken);
            await degrees.CheckAsync(cancellationToken);
            await VectorCheck.CheckAsync(context, cancellationToken);
            foreach (var store in plan.Target.Stores.Select(s => s.OpenProjection()))
            {
                await using (store)
                {
                    context.Progress($"Checking {store.Description}", 0);
                    await store.ValidateAsync(target, plan.SystemOrigins, report, cancellationToken);
                }
            }
        }

        if (report.Statistics.GetValueOrDefault("digest_only_mismatches") is var digestOnly and > 0)
        {
            // Not a difference (the fields are the truth), but a sign that the canonical row form needs fixing.
            report.Warnings.Add($"{digestOnly} record(s) had differing digests but equal fields; validation fetched them one by one. Please report this.");
        }

        report.Duration = clock.Elapsed;
        report.Statistics["duration_ms"] = (long)clock.Elapsed.TotalMilliseconds;
        return report;
    }

    private static async Task ValidateStepAsync(ValidationContext context, SourceStep step, ISourceReader reader, GraphDegreeCheck degrees, CancellationToken cancellationToken)
    {
        var report = context.Report;
        var keys = new StepKeys(context, step);
        var content = new ContentCheck(context, step);
        await keys.StartAsync(cancellationToken);
        long sourceRows = 0, readerRejects = 0, unrecordedRejects = 0;
        Task pending = Task.CompletedTask;
        try
        {
            await foreach (var batch in reader.ReadAsync(step, null, context.Options.RangeSize, context.Plan.VectorDimensions, cancellationToken))
            {
                // The target works on this page while the source reads the next one; the target's work stays in page order.
                await pending;
                sourceRows += batch.Read;
                readerRejects += batch.Rejects.Count;
                pending = OnTargetAsync(batch);
                context.Progress(step.Name, sourceRows);
            }
        }
        catch
        {
            // The source failed: let the target's work end before the connection is disposed; the source's error is the one raised.
            await Task.WhenAny(pending);
            throw;
        }

        await pending;
        var tally = await keys.TallyAsync(cancellationToken);
        var rejected = readerRejects + tally.RejectedByWriter;
        var accounted = tally.TargetRows + rejected;
        var system = context.Plan.Sources.First(s => s.Name == step.SourceName).SystemOrigin;
        report.Statistics[$"{step.Name}:source_rows"] = sourceRows;
        report.Statistics[$"{step.Name}:target_rows"] = tally.TargetRows;
        report.Statistics[$"{step.Name}:rejected_rows"] = rejected;
        report.Count($"{system}:{step.Target.Name}:source_rows", sourceRows);
        report.Count($"{system}:{step.Target.Name}:target_rows", tally.TargetRows);
        report.Count($"{system}:{step.Target.Name}:rejected_rows", rejected);
        report.Add(new ValidationCheck($"Count {step.Name} -> {step.Target.Name}", sourceRows == accounted,
            $"source {sourceRows} = target + rejected", $"target {tally.TargetRows} + rejected {rejected} = {accounted}",
            accounted == sourceRows ? (rejected > 0 ? "The rejected records are listed in Rejects." : "")
                : accounted > sourceRows ? $"The target holds {accounted - sourceRows} more record(s) than the source accounts for."
                : $"{sourceRows - accounted} source record(s) are neither in the target nor rejected.", ValidationGroups.Counts));
        content.Complete();
        report.Add(new ValidationCheck($"Extra records {step.Name}", tally.Extra == 0, "0 target records without a source record",
            tally.Extra.ToString(CultureInfo.InvariantCulture), tally.Extra > 0 ? "See Differences (Kind Extra) for the record ids." : "", ValidationGroups.Content));
        if (context.Run is not null && unrecordedRejects > 0)
        {
            report.Add(new ValidationCheck($"Rejects {step.Name}", false, "every invalid source record is in the run's reject table",
                $"{unrecordedRejects} invalid record(s) not recorded", "The source changed after the run; run Invoke-Migration again.", ValidationGroups.Counts));
        }

        async Task OnTargetAsync(SourceBatch batch)
        {
            await keys.AddAsync(batch.Records, cancellationToken);
            await degrees.AddAsync(step, batch.Records, cancellationToken);
            await content.CheckPageAsync(batch.Records, cancellationToken);
            var recorded = context.Run is null ? [] : await context.RecordedRejectsAsync(step, batch.Rejects.Select(r => r.RecordKey).ToArray(), cancellationToken);
            foreach (var reject in batch.Rejects)
            {
                report.AddReject(new ValidationReject(step.SourceName, step.SourceTable, reject.RecordKey, reject.Field, reject.Reason, reject.ErrorId));
                unrecordedRejects += context.Run is not null && !recorded.ContainsKey(reject.RecordKey) ? 1 : 0;
            }
        }
    }
}
