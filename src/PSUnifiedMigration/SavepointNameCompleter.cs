using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Savepoints;

namespace PSUnifiedMigration;

/// <summary>
/// Completes -Name of the savepoint cmdlets with the savepoints of the -Target already bound. Without a target, or when
/// the target cannot be read, it offers nothing (completion never fails the prompt).
/// </summary>
public sealed class SavepointNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Target"] is not { } bound || (bound is PSObject wrapped ? wrapped.BaseObject : bound) is not MigrationTarget target)
        {
            return [];
        }

        IReadOnlyList<MigrationSavepoint> savepoints;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            savepoints = MigrationSavepoints.ListAsync(target, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            return [];
        }

        var pattern = new WildcardPattern(WildcardPattern.Escape(wordToComplete.Trim('\'', '"')) + "*", WildcardOptions.None);
        return savepoints.Where(s => pattern.IsMatch(s.Name)).Select(s => new CompletionResult(
            "'" + CodeGeneration.EscapeSingleQuotedStringContent(s.Name) + "'", s.Name, CompletionResultType.ParameterValue,
            $"{s.Name}: {string.Join(", ", s.Stores)}, created {s.CreatedAt:u}, {s.TotalRows} rows"));
    }
}
