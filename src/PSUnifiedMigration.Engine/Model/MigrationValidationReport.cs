namespace PSUnifiedMigration.Engine.Model;

public sealed record ValidationCheck(string Name, bool Passed, string Expected, string Actual, string Details)
{
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: expected {Expected}, actual {Actual}";
}

/// <summary>One record that differs between source and target, and how.</summary>
public sealed record ValidationDifference(string SourceName, string SourceTable, string RecordKey, string Kind, IReadOnlyList<string> Fields)
{
    public override string ToString() => Fields.Count == 0
        ? $"{Kind}: {SourceTable} {RecordKey}"
        : $"{Kind}: {SourceTable} {RecordKey} ({string.Join(", ", Fields)})";
}

public sealed class MigrationValidationReport
{
    public Guid? RunId { get; init; }

    public bool IsValid => Errors.Count == 0;

    public List<string> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<ValidationCheck> Checks { get; } = [];

    public List<ValidationDifference> Differences { get; } = [];

    public SortedDictionary<string, long> Statistics { get; } = new(StringComparer.Ordinal);

    public TimeSpan Duration { get; internal set; }

    internal void Add(ValidationCheck check)
    {
        Checks.Add(check);
        if (!check.Passed)
        {
            Errors.Add($"{check.Name}: expected {check.Expected}, found {check.Actual}. {check.Details}".TrimEnd());
        }
    }
}
