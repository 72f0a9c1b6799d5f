using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Targets.Postgres;

namespace PSUnifiedMigration;

/// <summary>
/// Completes -RunId with the runs in the journal of the target already bound: -Target, or the -Plan's target
/// (Invoke-Migration). Newest first, each with its status and counts. Without a target, or when the journal cannot be
/// read, it offers nothing (completion never fails the prompt).
/// </summary>
public sealed class RunIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var target = Unwrap(fakeBoundParameters["Target"]) as MigrationTarget ?? (Unwrap(fakeBoundParameters["Plan"]) as MigrationPlan)?.Target;
        if (target is null)
        {
            return [];
        }

        IReadOnlyList<MigrationRun> runs;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            runs = RunJournalReader.ListAsync(target, null, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            return [];
        }

        var typed = wordToComplete.Trim('\'', '"');
        return runs.Where(r => r.RunId.ToString().StartsWith(typed, StringComparison.OrdinalIgnoreCase)).Select(r => new CompletionResult(
            r.RunId.ToString(), r.RunId.ToString(), CompletionResultType.ParameterValue,
            string.Format(CultureInfo.InvariantCulture, "{0}, started {1:u} by {2}, {3:N0} read", r.Status, r.StartedAt, r.StartedBy ?? "?", r.Read)));
    }

    private static object? Unwrap(object? bound) => bound is PSObject wrapped ? wrapped.BaseObject : bound;
}
