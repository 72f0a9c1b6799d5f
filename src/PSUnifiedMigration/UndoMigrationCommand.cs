using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Model;
using PSUnifiedMigration.Engine.Undo;

namespace PSUnifiedMigration;

/// <summary>
/// Undo-Migration: removes exactly what one run wrote, in every configured store. Rows it inserted are deleted, rows
/// it changed get their previous version back; other runs' data stays untouched. Refused while a later run depends on it.
/// </summary>
[Cmdlet(VerbsCommon.Undo, "Migration", HelpUri = ModuleLinks.CmdletHelp + "Undo-Migration.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = RunIdSet)]
[OutputType(typeof(MigrationUndoResult))]
public sealed class UndoMigrationCommand : MigrationCmdletBase
{
    private const string RunIdSet = "RunId";
    private const string ResultSet = "Result";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RunIdSet)]
    [ValidateNotNull]
    public MigrationTarget? Target { get; set; }

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = RunIdSet)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public Guid RunId { get; set; }

    /// <summary>The result Invoke-Migration returned; its plan names the target.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ResultSet)]
    [ValidateNotNull]
    public MigrationResult? Result { get; set; }

    protected override void ProcessRecord()
    {
        var target = Result?.Plan.Target ?? Target!;
        var runId = Result?.RunId ?? RunId;
        if (!ShouldProcess(target.ToString(), $"Undo run {runId}: delete the records it inserted and give the records it changed their previous version back"))
        {
            return;
        }

        var progress = new ProgressRecord(1, $"Undoing run {runId}", "PostgreSQL in one transaction, then the graph and vector stores");
        WriteProgress(progress);
        try
        {
            var result = RunEngine((_, token) => RunUndo.UndoAsync(target, runId, token));
            foreach (var store in result.Stores)
            {
                WriteVerbose($"{store.Store}: {store.Deleted} deleted, {store.Rewritten} restored or rewritten in {store.Duration.TotalSeconds:0.0} s.");
            }

            if (result.AlreadyUndone)
            {
                WriteWarning($"Run {runId} had already been undone in PostgreSQL; only the graph and vector stores were brought in line again.");
            }

            WriteObject(result);
        }
        catch (MigrationException e)
        {
            ThrowAsTerminating(e);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
