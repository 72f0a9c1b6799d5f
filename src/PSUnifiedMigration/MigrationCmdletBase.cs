using System.Collections.Concurrent;
using System.Management.Automation;
using PSUnifiedMigration.Engine;
using PSUnifiedMigration.Engine.Connections;

namespace PSUnifiedMigration;

/// <summary>
/// What every cmdlet shares: engine work runs on the thread pool while this pipeline thread writes
/// its progress and output (PowerShell requires that); Ctrl+C cancels the work; engine errors become
/// ErrorRecords with their ErrorId, category and target.
/// </summary>
public abstract class MigrationCmdletBase : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs engine work, executing the actions it posts (progress, verbose) on the pipeline thread as they come.
    /// </summary>
    protected T RunEngine<T>(Func<Action<Action>, CancellationToken, Task<T>> work)
    {
        using var posted = new BlockingCollection<Action>();
        var task = Task.Run(() => work(action => posted.Add(action), _stopping.Token));
        task.ContinueWith(_ => posted.CompleteAdding(), TaskScheduler.Default);
        foreach (var action in posted.GetConsumingEnumerable())
        {
            action();
        }

        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (e is not MigrationException and not OperationCanceledException)
        {
            // Database and other failures reach the user as MigrationExceptions with an ErrorId and a remedy.
            throw DatabaseErrors.Translate(e, $"running {MyInvocation.MyCommand.Name}", null);
        }
    }

    /// <summary>
    /// The error as a record. The exception keeps its inner exceptions (the database's own error among them); what the
    /// database said is also added to the displayed message (ErrorDetails), so it reaches the console and $Error[0].
    /// </summary>
    protected static ErrorRecord ToErrorRecord(MigrationException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e.Kind), e.Target);
        if (DatabaseErrors.ServerSaid(e) is { } said && !e.Message.Contains(said, StringComparison.Ordinal))
        {
            record.ErrorDetails = new ErrorDetails($"{e.Message}{Environment.NewLine}{said}");
        }

        return record;
    }

    protected void ThrowAsTerminating(MigrationException e) => ThrowTerminatingError(ToErrorRecord(e));

    private static ErrorCategory Category(MigrationErrorKind kind) => kind switch
    {
        MigrationErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        MigrationErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        MigrationErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        MigrationErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        MigrationErrorKind.InvalidData => ErrorCategory.InvalidData,
        MigrationErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        MigrationErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        MigrationErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.InvalidOperation,
    };
}
