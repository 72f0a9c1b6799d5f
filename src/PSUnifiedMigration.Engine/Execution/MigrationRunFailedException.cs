using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Execution;

/// <summary>A run that stopped on an error; carries the result so far, which the journal also holds.</summary>
public sealed class MigrationRunFailedException(MigrationResult result, MigrationException cause)
    : MigrationException(cause.ErrorId, cause.Kind, cause.Message, cause.Target, cause)
{
    public MigrationResult Result { get; } = result;
}
