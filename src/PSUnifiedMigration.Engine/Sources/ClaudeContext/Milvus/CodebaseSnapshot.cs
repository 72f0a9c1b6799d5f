using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PSUnifiedMigration.Engine.Model;

namespace PSUnifiedMigration.Engine.Sources.ClaudeContext.Milvus;

/// <summary>A codebase upstream's MCP server lists, with its status there (indexed, indexing, indexfailed).</summary>
internal sealed record SnapshotCodebase(string Path, string Status);

/// <summary>
/// Upstream's ~/.context/mcp-codebase-snapshot.json (zilliztech/claude-context 6fc318b packages/mcp/src/snapshot.ts
/// and config.ts), which names the codebases whose collections Milvus holds only as code_chunks_&lt;md5(path)[:8]&gt;.
/// Both formats it has written: v1 {indexedCodebases: [path], indexingCodebases: [path] or {path: percent}} and v2
/// {formatVersion: "v2", codebases: {path: {status, ...}}}. A collection belongs to the codebase whose path hash ends
/// its name (getCollectionName keeps the _&lt;hash&gt; suffix even under a name override).
/// </summary>
internal sealed class CodebaseSnapshot
{
    private readonly IReadOnlyList<SnapshotCodebase> _codebases;

    private CodebaseSnapshot(IReadOnlyList<SnapshotCodebase> codebases) => _codebases = codebases;

    /// <summary>Where upstream's MCP server writes it: path.join(os.homedir(), '.context', 'mcp-codebase-snapshot.json').</summary>
    public static string DefaultPath => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".context", "mcp-codebase-snapshot.json");

    public static CodebaseSnapshot Empty { get; } = new([]);

    /// <summary>
    /// Reads the file. The default file may be absent (it exists only where upstream's MCP server ran); a file given
    /// by the user that is absent, or any file that cannot be read, is a warning naming it, and no codebase is named.
    /// </summary>
    public static CodebaseSnapshot Load(string path, bool given, string sourceName, ICollection<MigrationPlanIssue> issues)
    {
        if (!File.Exists(path))
        {
            if (given)
            {
                issues.Add(Unreadable(path, "does not exist", sourceName));
            }

            return Empty;
        }

        try
        {
            return new CodebaseSnapshot(Parse(JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object")));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            issues.Add(Unreadable(path, e.Message, sourceName));
            return Empty;
        }
    }

    /// <summary>The codebase of a code_chunks_* / hybrid_code_chunks_* collection, if the snapshot lists it.</summary>
    public SnapshotCodebase? ForCollection(string collection) =>
        _codebases.FirstOrDefault(c => collection.EndsWith("_" + PathHash(c.Path), StringComparison.Ordinal));

    /// <summary>The first 8 hex digits of the MD5 of the path, after path.resolve's trimming of a trailing separator.</summary>
    public static string PathHash(string path)
    {
        var resolved = path.Length > 1 ? path.TrimEnd('/', '\\') : path;
        return Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(resolved)))[..8].ToLowerInvariant();
    }

    private static List<SnapshotCodebase> Parse(JsonObject snapshot)
    {
        if (snapshot["formatVersion"]?.GetValue<string>() == "v2")
        {
            return [.. (snapshot["codebases"] as JsonObject ?? throw new JsonException("v2 without a 'codebases' object"))
                .Select(c => new SnapshotCodebase(c.Key, c.Value?["status"]?.GetValue<string>() ?? "unknown"))];
        }

        var indexed = (snapshot["indexedCodebases"] as JsonArray ?? throw new JsonException("neither v2 nor v1 (no 'indexedCodebases' array)"))
            .Select(p => new SnapshotCodebase(p!.GetValue<string>(), "indexed"));
        var indexing = snapshot["indexingCodebases"] switch
        {
            JsonArray paths => paths.Select(p => p!.GetValue<string>()),
            JsonObject progress => progress.Select(p => p.Key),
            _ => [],
        };
        return [.. indexed.Concat(indexing.Select(p => new SnapshotCodebase(p, "indexing")))];
    }

    private static MigrationPlanIssue Unreadable(string path, string why, string sourceName) => new(PlanIssueSeverity.Warning, "CodebaseSnapshotUnreadable",
        $"Source '{sourceName}': the codebase snapshot {path} cannot be read ({why}); collections are named by their entities' codebasePath, else by their own name.",
        "Give -CodebaseSnapshotPath the mcp-codebase-snapshot.json that upstream Claude-Context's MCP server wrote (in ~/.context of the user who ran it), or leave it out.",
        sourceName);
}
