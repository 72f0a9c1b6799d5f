using System.Collections;
using System.Management.Automation;
using System.Reflection;
using PSUnifiedMigration.Sandbox;

namespace PSUnifiedMigration.Module.Tests;

/// <summary>
/// Issue 16, point 2: every public type of the engine's model (what the cmdlets write and every type nested in it) reads
/// at a glance. Real objects come from a real run (with a rejected record), its validation, a savepoint, its restore, the
/// journal and an undo; a type no run produced here is built through its public constructor. Each is shown as a user
/// would see it in a string ("$x", also inside a list) and as an error record's target, and no text may show a type name
/// instead of the object. Format-Table and Format-List of the same objects are checked by the Pester suite in real pwsh.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ObjectDisplayTests(PostgresFixture fixture) : IDisposable
{
    private const string ModelNamespace = "PSUnifiedMigration.Engine.Model";

    /// <summary>What a type name looks like when it stands where an object's text should.</summary>
    private static readonly string[] TypeNameMarks = ["PSUnifiedMigration.", "`1", "`2", "System.String[]", "System.Collections.", "System.Object[]"];

    private readonly PowerShellSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public async Task Every_public_model_type_shows_its_content_not_its_type_name()
    {
        var scenario = await MigrationScenario.CreateAsync(fixture.Server, new ClaudeContextSampleOptions { Chunks = 60, Layout = ChunkLayout.Live, Seed = 13 });
        await scenario.ExecuteOnSourceAsync("UPDATE claude_context.chunks SET vector[5] = 'NaN' WHERE id = (SELECT min(id) FROM claude_context.chunks)");
        _session.Set("SourceConnection", scenario.Source);
        _session.Set("TargetConnection", scenario.Target);
        var made = _session.Run("""
            $target = New-MigrationTarget $TargetConnection
            $plan = New-MigrationPlan -Source (New-MigrationSource -ClaudeContext $SourceConnection -Name 'cc') -Target $target -BatchSize 25
            $savepoint = New-MigrationSavepoint -Target $target -Name 'before'
            $result = $plan | Invoke-Migration -ContinueOnError -Confirm:$false -WarningAction SilentlyContinue
            $report = $result | Test-Migration -WarningAction SilentlyContinue
            $runs = Get-MigrationRun -Target $target
            $undo = $result | Undo-Migration -Confirm:$false
            $restore = Restore-MigrationSavepoint -Target $target -Name 'before' -Confirm:$false
            $plan, $savepoint, $result, $report, $runs, $undo, $restore, $plan.Sources[0], $target
            """);
        Assert.Empty(made.AllErrors);

        var instances = new Dictionary<Type, object>();
        foreach (var output in made.Output)
        {
            Collect(output.BaseObject, instances, 0);
        }

        var assembly = made.Output[0].BaseObject.GetType().Assembly;
        var modelTypes = assembly.GetExportedTypes()
            .Where(t => t.Namespace == ModelNamespace && t is { IsEnum: false, IsInterface: false } && !(t.IsAbstract && t.IsSealed) && !typeof(Exception).IsAssignableFrom(t))
            .ToArray();
        Assert.Contains(modelTypes, t => t.Name == "MigrationPlan");
        var failures = new List<string>();
        foreach (var type in modelTypes)
        {
            var instance = instances.GetValueOrDefault(type) ?? Construct(type);
            if (instance is null)
            {
                failures.Add($"{type.Name}: no instance from the run and no public constructor to build one");
                continue;
            }

            _session.Set("x", instance);
            // The hosted engine has no Format-Table (it lives in Microsoft.PowerShell.Utility); the Pester suite formats them in real pwsh.
            var shown = _session.Run("\"$x\"; \"in a list: $(@($x, $x))\"; [System.Management.Automation.ErrorRecord]::new([Exception]::new('e'), 'Id', 'InvalidData', $x).CategoryInfo.ToString()");
            Assert.Empty(shown.AllErrors);
            var text = string.Join("\n", shown.Output.Select(o => o.BaseObject.ToString()));
            if (TypeNameMarks.FirstOrDefault(mark => text.Contains(mark, StringComparison.Ordinal)) is { } mark)
            {
                failures.Add($"{type.Name} shows '{mark}':\n{text}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(instances.Count >= 15, $"the run produced only {instances.Count} model types: {string.Join(", ", instances.Keys.Select(t => t.Name))}");
    }

    /// <summary>Walks an object's public properties and collections, keeping the first instance of every model type.</summary>
    private static void Collect(object? value, Dictionary<Type, object> instances, int depth)
    {
        if (value is null || depth > 5 || value is string)
        {
            return;
        }

        if (value is IEnumerable items and not IDictionary)
        {
            foreach (var item in items.Cast<object?>().Take(3))
            {
                Collect(item is PSObject wrapped ? wrapped.BaseObject : item, instances, depth + 1);
            }

            return;
        }

        var type = value.GetType();
        if (type.Namespace != ModelNamespace || !instances.TryAdd(type, value))
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            Collect(property.GetValue(value), instances, depth + 1);
        }
    }

    /// <summary>Builds a type the run did not produce through its widest public constructor, with plain sample values.</summary>
    private static object? Construct(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        return constructor?.Invoke(constructor.GetParameters().Select(p => Sample(p.ParameterType)).ToArray());
    }

    private static object? Sample(Type type) => type switch
    {
        _ when type == typeof(string) => "sample",
        _ when type == typeof(long) => 1234L,
        _ when type == typeof(int) => 12,
        _ when type == typeof(double) => 1.5,
        _ when type == typeof(bool) => true,
        _ when type == typeof(Guid) => Guid.NewGuid(),
        _ when type == typeof(TimeSpan) => TimeSpan.FromSeconds(1.25),
        _ when type == typeof(DateTimeOffset) => DateTimeOffset.UtcNow,
        { IsEnum: true } => Enum.GetValues(type).GetValue(0),
        { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) =>
            type.GetGenericArguments()[0] == typeof(string) ? new[] { "first", "second" } : Array.CreateInstance(type.GetGenericArguments()[0], 0),
        _ when Nullable.GetUnderlyingType(type) is { } inner => Sample(inner),
        _ => null,
    };
}
