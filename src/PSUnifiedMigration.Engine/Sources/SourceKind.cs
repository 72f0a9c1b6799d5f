using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Sources;

/// <summary>
/// A kind of source system: its name (what MigrationSource.System prints), the system_origin its records carry, and
/// how to read it. A source's folder declares one; <see cref="SourceKinds"/> lists them.
/// </summary>
public sealed class SourceKind(string name, string origin, Func<MigrationSource, ISourceReader> createReader)
{
    /// <summary>The name scripts see and compare (ClaudeContext, Cognee).</summary>
    public string Name { get; } = name;

    /// <summary>The unified store's system_origin for this kind's records (claude, cognee).</summary>
    public string Origin { get; } = origin;

    public ISourceReader CreateReader(MigrationSource source) => createReader(source);

    /// <summary>The registered kind of that name, so PowerShell can compare <c>$source.System -eq 'Cognee'</c>.</summary>
    public static SourceKind Parse(string name) =>
        SourceKinds.All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new MigrationException("SourceSystemUnsupported", MigrationErrorKind.InvalidArgument,
            $"No source system is named '{name}'; known: {string.Join(", ", SourceKinds.All.Select(k => k.Name))}.", name);

    public override string ToString() => Name;
}
