using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Validation;

public enum ValidationReportFormat
{
    Json,
    JUnit,
}

/// <summary>
/// A validation report as a file: JSON (everything the report holds) or JUnit XML, which CI systems display: one
/// testsuite per check group, one testcase per check, a failure per failed check carrying expected, actual, details
/// and the differences of the check's step.
/// </summary>
public static class ValidationReportFormats
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(MigrationValidationReport report, ValidationReportFormat format) => format switch
    {
        ValidationReportFormat.Json => ToJson(report),
        ValidationReportFormat.JUnit => ToJUnit(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static string ToJson(MigrationValidationReport report) => JsonSerializer.Serialize(new
    {
        report.IsValid,
        report.RunId,
        Mode = report.Mode.ToString(),
        report.SampleSize,
        report.VectorTolerance,
        DurationMs = (long)report.Duration.TotalMilliseconds,
        report.Errors,
        report.Warnings,
        report.Statistics,
        report.Checks,
        report.Differences,
        report.Rejects,
    }, Indented);

    public static string ToJUnit(MigrationValidationReport report)
    {
        var time = report.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var suites = report.Checks.GroupBy(c => c.Group).Select(group => new XElement("testsuite",
            new XAttribute("name", group.Key),
            new XAttribute("tests", group.Count()),
            new XAttribute("failures", group.Count(c => !c.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", "0"),
            group.Select(check => new XElement("testcase",
                new XAttribute("name", check.Name),
                new XAttribute("classname", $"PSUnifiedMigration.Validation.{group.Key}"),
                new XAttribute("time", "0"),
                check.Passed ? null : new XElement("failure",
                    new XAttribute("message", $"expected {check.Expected}, actual {check.Actual}"),
                    new XAttribute("type", group.Key),
                    FailureText(report, check))))));
        var root = new XElement("testsuites",
            new XAttribute("name", "Test-Migration"),
            new XAttribute("tests", report.Checks.Count),
            new XAttribute("failures", report.Checks.Count(c => !c.Passed)),
            new XAttribute("time", time),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).ToString();
    }

    /// <summary>Expected, actual, details, and the listed differences the check is about.</summary>
    private static string FailureText(MigrationValidationReport report, ValidationCheck check)
    {
        var text = new StringBuilder().AppendLine($"Expected: {check.Expected}").AppendLine($"Actual: {check.Actual}");
        if (check.Details.Length > 0)
        {
            text.AppendLine(check.Details);
        }

        foreach (var difference in report.Differences.Where(d => Belongs(d, check)))
        {
            text.AppendLine(difference.ToString());
        }

        return text.ToString();
    }

    /// <summary>
    /// A projection store's difference (Kind ...In&lt;Store&gt;) belongs to that store's cross-store checks; any other
    /// to the checks of its step, whose names hold "source:table".
    /// </summary>
    private static bool Belongs(ValidationDifference difference, ValidationCheck check)
    {
        var store = Targets.TargetStores.Registered.FirstOrDefault(k => k.Owns(difference));
        if (store is not null || check.Group == ValidationGroups.CrossStore)
        {
            return store is not null && store.Owns(check);
        }

        var step = $" {difference.SourceName}:{difference.SourceTable}";
        return check.Name.EndsWith(step, StringComparison.Ordinal) || check.Name.Contains(step + " ", StringComparison.Ordinal);
    }
}
