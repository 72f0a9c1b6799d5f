using PSUnifiedMigration.Engine.Records;
namespace PSUnifiedMigration.Engine.Sources;

/// <summary>Language names for file extensions, for sources that store only a path.</summary>
public static class Languages
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".ts"] = "typescript", [".tsx"] = "typescript", [".js"] = "javascript", [".jsx"] = "javascript", [".mjs"] = "javascript",
        [".py"] = "python", [".cs"] = "csharp", [".go"] = "go", [".rs"] = "rust", [".java"] = "java", [".kt"] = "kotlin",
        [".rb"] = "ruby", [".php"] = "php", [".c"] = "c", [".h"] = "c", [".cpp"] = "cpp", [".hpp"] = "cpp", [".swift"] = "swift",
        [".scala"] = "scala", [".sh"] = "shell", [".ps1"] = "powershell", [".sql"] = "sql",
        [".md"] = "markdown", [".rst"] = "restructuredtext", [".txt"] = "text", [".html"] = "html", [".json"] = "json", [".yaml"] = "yaml", [".yml"] = "yaml",
    };

    private static readonly HashSet<string> Prose = ["markdown", "restructuredtext", "text", "html"];

    public static string? FromExtension(string? extension) =>
        extension is not null && ByExtension.TryGetValue(extension, out var language) ? language : null;

    public static bool IsCode(string? language) => language is not null && !Prose.Contains(language);
}
