using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Planning;

/// <summary>A source as a plan file records it: the location redacted (the file is shared; credentials are supplied again on import).</summary>
public sealed record PlanFileSource(string Kind, string Name, string Location, string Display, IReadOnlyDictionary<string, string> Options, string? CatalogFingerprint);

/// <summary>The target as a plan file records it, redacted.</summary>
public sealed record PlanFileTarget(string Name, string Location, IReadOnlyList<string> Stores);

/// <summary>A step as a plan file records it.</summary>
public sealed record PlanFileStep(int Order, string Name, string SourceName, string SourceTable, string TargetTable, long EstimatedRecords);

/// <summary>
/// A reviewed plan as JSON (Export-/Import-MigrationPlan): enough to re-plan the same sources with the same options and to
/// tell whether a source changed since. It holds no secret: every location is the redacted text the objects show.
/// </summary>
public sealed record PlanFile(
    int FormatVersion,
    Guid PlanId,
    DateTimeOffset CreatedAt,
    string ModuleVersion,
    int BatchSize,
    bool RollbackOnFailure,
    string Fingerprint,
    IReadOnlyList<PlanFileSource> Sources,
    PlanFileTarget Target,
    IReadOnlyList<PlanFileStep> Steps)
{
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static PlanFile From(MigrationPlan plan) => new(
        CurrentFormatVersion,
        plan.PlanId,
        plan.CreatedAt,
        typeof(PlanFile).Assembly.GetName().Version?.ToString() ?? "",
        plan.BatchSize,
        plan.RollbackOnFailure,
        plan.Fingerprint,
        plan.Sources.Select(s => new PlanFileSource(s.System.Name, s.Name, s.ConnectionString, s.Location.Display,
            new Dictionary<string, string> { ["schema"] = s.Schema },
            plan.SourceAnalyses.FirstOrDefault(a => a.SourceName == s.Name)?.CatalogFingerprint)).ToArray(),
        new PlanFileTarget(plan.Target.Name, plan.Target.ConnectionString, plan.Target.Stores.Select(s => $"{s.Kind.Name} {s.Redacted}").ToArray()),
        plan.Steps.Select(s => new PlanFileStep(s.Order, s.Name, s.SourceName, s.SourceTable, s.TargetTable, s.EstimatedRecords)).ToArray());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes the file (UTF-8, no BOM); a failure to write is PlanFileNotWritten naming the path.</summary>
    public void Write(string path)
    {
        try
        {
            File.WriteAllText(path, ToJson(), new UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MigrationException("PlanFileNotWritten", MigrationErrorKind.InvalidOperation, $"Cannot write {path}: {e.Message}", path);
        }
    }

    /// <summary>Reads a plan file; a missing file is PlanFileNotFound, one that is not a plan file (or lacks a field) is PlanFileInvalid.</summary>
    public static PlanFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new MigrationException("PlanFileNotFound", MigrationErrorKind.ObjectNotFound,
                $"The plan file {path} does not exist. Check -Path, or export the plan again with Export-MigrationPlan.", path);
        }

        PlanFile? file;
        try
        {
            file = JsonSerializer.Deserialize<PlanFile>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"it is not valid plan JSON ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, e.Message);
        }

        if (file is null)
        {
            throw Invalid(path, "it is empty (null)");
        }

        if (file.FormatVersion != CurrentFormatVersion)
        {
            throw Invalid(path, $"its formatVersion is {file.FormatVersion}; this module reads version {CurrentFormatVersion}");
        }

        // The positional record leaves an absent array or object null: name the first missing field.
        var missing = new (string Field, object? Value)[] { ("sources", file.Sources), ("target", file.Target), ("steps", file.Steps) }
            .FirstOrDefault(f => f.Value is null).Field;
        if (missing is not null || file.Sources.Any(s => s is null || string.IsNullOrEmpty(s.Name) || string.IsNullOrEmpty(s.Kind)))
        {
            throw Invalid(path, missing is not null ? $"the field '{missing}' is missing" : "a source lacks its 'name' or 'kind'");
        }

        if (file.BatchSize is < 1 or > 100_000)
        {
            throw Invalid(path, $"its batchSize {file.BatchSize} is outside 1 to 100000");
        }

        return file;
    }

    private static MigrationException Invalid(string path, string why) =>
        new("PlanFileInvalid", MigrationErrorKind.InvalidData,
            $"The plan file {path} cannot be read: {why}. Export the plan again with Export-MigrationPlan; do not edit the file by hand.", path);
}
