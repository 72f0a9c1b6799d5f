namespace PSUnifiedMigration.Engine.Model;

/// <summary>How much of the data a validation compares.</summary>
public enum ValidationMode
{
    /// <summary>Counts plus a sample of records per step, compared field by field.</summary>
    Quick,

    /// <summary>Counts and every record: range digests on both sides, bisected down to the records that differ.</summary>
    Full,
}

/// <summary>The group a check belongs to (one JUnit test suite per group).</summary>
public static class ValidationGroups
{
    public const string Run = "Run";
    public const string Counts = "Counts";
    public const string Content = "Content";
    public const string Relationships = "Relationships";
    public const string Vectors = "Vectors";
    public const string CrossStore = "CrossStore";
}

public sealed record ValidationCheck(string Name, bool Passed, string Expected, string Actual, string Details, string Group = ValidationGroups.Run)
{
    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name}: expected {Expected}, actual {Actual}";
}

/// <summary>
/// One record that differs between source and target, and how: Kind is Missing, Extra or Changed (PostgreSQL
/// against the source), or MissingIn&lt;Store&gt;, ChangedIn&lt;Store&gt; (a projection store against PostgreSQL, named by its StoreKind).
/// </summary>
public sealed record ValidationDifference(string SourceName, string SourceTable, string RecordKey, string Kind, IReadOnlyList<string> Fields)
{
    public override string ToString() => Fields.Count == 0
        ? $"{Kind}: {SourceTable} {RecordKey}"
        : $"{Kind}: {SourceTable} {RecordKey} ({string.Join(", ", Fields)})";
}

/// <summary>A source record that is not in the target because it was rejected, with the reason.</summary>
public sealed record ValidationReject(string SourceName, string SourceTable, string RecordKey, string Field, string Reason, string ErrorId)
{
    public override string ToString() => $"{SourceTable} {RecordKey} ({Field}): {ErrorId}";
}

public sealed class MigrationValidationReport
{
    public Guid? RunId { get; init; }

    public ValidationMode Mode { get; init; } = ValidationMode.Full;

    /// <summary>Records compared per step in Quick mode; 0 in Full mode, which compares every record.</summary>
    public int SampleSize { get; init; }

    /// <summary>How far a projected vector may drift from PostgreSQL's (the largest tolerance of the configured stores: a store may normalise vectors); PostgreSQL vectors must match bit for bit.</summary>
    public double VectorTolerance { get; init; }

    /// <summary>How many differences and rejects the report lists; Statistics counts all of them.</summary>
    public int MaxDifferences { get; init; } = 100;

    public bool IsValid => Errors.Count == 0;

    public List<string> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<ValidationCheck> Checks { get; } = [];

    /// <summary>The differing records, at most MaxDifferences of them; Statistics counts all (differences_total, differences_not_listed).</summary>
    public List<ValidationDifference> Differences { get; } = [];

    /// <summary>The rejected source records (source = target + rejected), at most MaxDifferences of them.</summary>
    public List<ValidationReject> Rejects { get; } = [];

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

    internal void AddDifference(ValidationDifference difference)
    {
        Count("differences_total");
        if (Differences.Count < MaxDifferences)
        {
            Differences.Add(difference);
        }
        else
        {
            Count("differences_not_listed");
        }
    }

    internal void AddReject(ValidationReject reject)
    {
        Count("rejects_total");
        if (Rejects.Count < MaxDifferences)
        {
            Rejects.Add(reject);
        }
    }

    internal void Count(string statistic, long by = 1) => Statistics[statistic] = Statistics.GetValueOrDefault(statistic) + by;

    public override string ToString() =>
        $"{Mode} validation{(RunId is { } run ? $" of run {run}" : "")}: {(IsValid ? "valid" : "NOT valid")}, {Checks.Count(c => c.Passed)} of {Checks.Count} checks passed, " +
        $"{DisplayText.Count(Statistics.GetValueOrDefault("differences_total"))} difference(s) in {DisplayText.Duration(Duration)}";
}
