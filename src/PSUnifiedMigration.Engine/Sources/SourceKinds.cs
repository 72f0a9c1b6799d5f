namespace PSUnifiedMigration.Engine.Sources;

/// <summary>The registry of source systems: registering a source is one line here (its kind lives in its folder).</summary>
public static class SourceKinds
{
    public static IReadOnlyList<SourceKind> All { get; } =
    [
        ClaudeContext.ClaudeContextReader.Kind,
        Cognee.CogneeReader.Kind,
    ];
}
