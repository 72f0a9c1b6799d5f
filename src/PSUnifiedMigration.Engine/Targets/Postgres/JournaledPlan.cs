using System.Text.Json;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Targets.Postgres;

/// <summary>
/// What a run row keeps of its plan (the runs.planned column): the estimated records in total and per step, and the plan's
/// warnings as "Code: text" lines. Another console reading the journal needs the total for a percentage and a time left,
/// and the warnings to show what the run was warned of; it does not have the plan object.
/// </summary>
internal sealed record JournaledPlan(long Total, Dictionary<string, long> Steps, string[] Warnings)
{
    /// <summary>Enough warnings to read; the plan object holds them all.</summary>
    private const int MaxWarnings = 100;

    public static JournaledPlan Of(MigrationPlan plan) => new(plan.TotalRecords,
        plan.Steps.ToDictionary(s => s.Name, s => s.EstimatedRecords, StringComparer.Ordinal),
        plan.Warnings.Take(MaxWarnings).Select(w => $"{w.Code}: {w}").ToArray());

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The plan a run row holds; null for a run journaled before version 6 or whose column cannot be read.</summary>
    public static JournaledPlan? Parse(string? json)
    {
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<JournaledPlan>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
