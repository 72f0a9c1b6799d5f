using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Planning;

/// <summary>
/// Import-MigrationPlan: re-plans a plan file's sources, freshly built by the operator (the file holds no credentials),
/// with the file's options, and blocks the plan when a source is missing or has changed since the file was exported,
/// so that what runs is what was reviewed.
/// </summary>
public static class PlanImporter
{
    public static async Task<MigrationPlan> ImportAsync(PlanFile file, IReadOnlyList<MigrationSource> given, MigrationTarget target, CancellationToken cancellationToken)
    {
        var issues = new List<MigrationPlanIssue>();
        var matched = new List<MigrationSource>();
        foreach (var recorded in file.Sources)
        {
            var byName = given.FirstOrDefault(s => s.Name == recorded.Name);
            if (byName is not null && string.Equals(byName.System.Name, recorded.Kind, StringComparison.OrdinalIgnoreCase))
            {
                matched.Add(byName);
                continue;
            }

            var why = byName is null
                ? $"no source named '{recorded.Name}' was given"
                : $"the source named '{recorded.Name}' that was given is {byName.System.Name}, the plan's is {recorded.Kind}";
            issues.Add(new(PlanIssueSeverity.Blocker, "PlanSourceMissing",
                $"The plan file's {recorded.Kind} source '{recorded.Name}' ({recorded.Display}): {why}.",
                $"Build it with New-MigrationSource -{recorded.Kind} -Name '{recorded.Name}' and pass it to -Source.", recorded.Name, MigrationErrorKind.ObjectNotFound));
        }

        foreach (var extra in given.Where(s => file.Sources.All(r => r.Name != s.Name)))
        {
            issues.Add(new(PlanIssueSeverity.Warning, "PlanSourceNotInFile",
                $"Source '{extra.Name}' is not in the plan file; it is left out of the plan.", "Make a new plan with New-MigrationPlan to include it.", extra.Name));
        }

        var plan = await MigrationPlanner.PlanAsync(matched, target, file.BatchSize, cancellationToken);
        plan.RollbackOnFailure = file.RollbackOnFailure;
        foreach (var recorded in file.Sources.Where(r => matched.Any(s => s.Name == r.Name)))
        {
            if (plan.SourceAnalyses.FirstOrDefault(a => a.SourceName == recorded.Name) is not { } analysis)
            {
                continue; // Not analysed: the planner already blocked the plan with the reason (unreachable, no schema, ...).
            }

            if (Changes(recorded, analysis, file.Steps, plan.Steps) is { } changed)
            {
                issues.Add(new(PlanIssueSeverity.Blocker, "PlanSourceChanged",
                    $"Source '{recorded.Name}' changed since the plan was exported ({file.CreatedAt:u}): {changed}.",
                    "Review the source, then make and export a new plan (New-MigrationPlan | Export-MigrationPlan).", recorded.Name));
            }
        }

        plan.AddIssues(issues);
        return plan;
    }

    /// <summary>What differs between the recorded source and the one analysed now, or null when nothing does (row counts may grow).</summary>
    private static string? Changes(PlanFileSource recorded, SourceAnalysis analysis, IReadOnlyList<PlanFileStep> recordedSteps, IReadOnlyList<MigrationPlanStep> steps)
    {
        var before = recordedSteps.Where(s => s.SourceName == recorded.Name).Select(s => $"{s.SourceTable} -> {s.TargetTable}").ToHashSet();
        var now = steps.Where(s => s.SourceName == recorded.Name).Select(s => $"{s.SourceTable} -> {s.TargetTable}").ToHashSet();
        var parts = new List<string>();
        if (now.Except(before).ToArray() is { Length: > 0 } added)
        {
            parts.Add($"new step(s) {string.Join(", ", added)}");
        }

        if (before.Except(now).ToArray() is { Length: > 0 } removed)
        {
            parts.Add($"step(s) gone {string.Join(", ", removed)}");
        }

        if (recorded.CatalogFingerprint != analysis.CatalogFingerprint)
        {
            parts.Add($"its tables or columns differ (catalog fingerprint {recorded.CatalogFingerprint ?? "none"} then, {analysis.CatalogFingerprint} now)");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
