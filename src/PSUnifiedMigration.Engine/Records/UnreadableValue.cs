namespace PSUnifiedMigration.Engine.Records;

/// <summary>
/// Stands in for a field the source driver could read but not represent; a record whose transform touches it is
/// rejected naming the field (ValueUnreadable), so one odd value never ends the run.
/// </summary>
public sealed record UnreadableValue(string Reason, string ErrorId = "ValueUnreadable");
