namespace PSUnifiedMigration.Engine;

/// <summary>What kind of failure an engine error is; cmdlets map it to a PowerShell ErrorCategory.</summary>
public enum MigrationErrorKind
{
    InvalidArgument,
    ConnectionError,
    AuthenticationError,
    ObjectNotFound,
    InvalidData,
    InvalidOperation,
    ResourceBusy,
    PermissionDenied,

    /// <summary>A statement ran out of time (a command or statement timeout), which is not a lost connection.</summary>
    OperationTimeout,
}

/// <summary>
/// An engine failure with a stable ErrorId and a message that says what to do.
/// Messages never contain passwords: connection details are always redacted first.
/// </summary>
public class MigrationException : Exception
{
    public MigrationException(string errorId, MigrationErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public MigrationErrorKind Kind { get; }

    /// <summary>The object the error is about (a source, a target, a record key, a savepoint).</summary>
    public object? Target { get; }
}
