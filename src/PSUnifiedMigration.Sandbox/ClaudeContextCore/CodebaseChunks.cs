using System.Globalization;
using System.Text.Json.Nodes;

namespace PSUnifiedMigration.Sandbox.ClaudeContextCore;

/// <summary>One indexed code chunk as Claude-Context holds it, whichever store it went to.</summary>
public sealed record CodebaseChunk(
    string Id,
    string RelativePath,
    int StartLine,
    int EndLine,
    int ChunkIndex,
    string FileExtension,
    string Lang,
    string Content,
    float[] Vector,
    float[]? SummaryVector,
    string? Summary,
    JsonObject Metadata)
{
    /// <summary>What a reader should conclude: claude-context-core marks prose files with lang 'text'.</summary>
    public bool IsCode => Lang != "text";
}

/// <summary>
/// Deterministic chunks of a made-up codebase that mixes code and prose files, shaped the way Claude-Context's
/// indexer builds them (claude-context-core 5b02fcb src/context.ts processChunkBatch, getLanguageFromExtension;
/// upstream zilliztech/claude-context 6fc318b packages/core/src/context.ts): the extension with its dot, lang from
/// the extension map ('text' when unmapped, markdown included), metadata with the splitter's language, chunkTitle,
/// symbol (code only), file_path, codebasePath and chunkIndex.
/// </summary>
public static class CodebaseChunks
{
    private static readonly Dictionary<string, string> LanguageByExtension = new(StringComparer.Ordinal)
    {
        [".ts"] = "typescript", [".tsx"] = "typescript", [".js"] = "javascript", [".jsx"] = "javascript", [".py"] = "python",
        [".java"] = "java", [".cpp"] = "cpp", [".c"] = "c", [".h"] = "c", [".hpp"] = "cpp", [".cs"] = "csharp", [".go"] = "go",
        [".rs"] = "rust", [".php"] = "php", [".rb"] = "ruby", [".swift"] = "swift", [".kt"] = "kotlin", [".scala"] = "scala",
        [".m"] = "objective-c", [".mm"] = "objective-c", [".ipynb"] = "jupyter",
    };

    private static readonly string[] Files = ["src/server.ts", "src/db/pool.py", "README.md", "cmd/main.go", "docs/guide.md", "notes.txt", "src/Lib/Store.cs"];

    /// <summary>claude-context-core's lang for a file extension (with its dot).</summary>
    public static string LanguageOf(string fileExtension) => LanguageByExtension.GetValueOrDefault(fileExtension, "text");

    /// <summary>
    /// <paramref name="count"/> chunks of the codebase at <paramref name="codebasePath"/>. With <paramref name="upstreamIds"/>
    /// the ids follow upstream (no chunk index in the hash); with <paramref name="withSummaries"/> every other chunk gets a
    /// summary and a summary vector (the hybrid table's columns) and the rest keep them null, as processChunkBatch leaves them.
    /// </summary>
    public static IReadOnlyList<CodebaseChunk> Generate(int seed, int count, int dimension, string codebasePath, bool upstreamIds = false, bool withSummaries = false)
    {
        var random = new Random(seed);
        var chunks = new List<CodebaseChunk>(count);
        var nextLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var path = Files[i % Files.Length];
            var extension = Path.GetExtension(path);
            var lang = LanguageOf(extension);
            var start = nextLine.GetValueOrDefault(path, 1);
            var content = lang == "text" ? Prose(random, i) : Code(lang, random, i);
            var end = start + content.Count(c => c == '\n');
            var chunkIndex = nextIndex.GetValueOrDefault(path, 0);
            nextLine[path] = end + 1;
            nextIndex[path] = chunkIndex + 1;

            var metadata = new JsonObject
            {
                ["language"] = lang == "text" ? (extension == ".md" ? "markdown" : "text") : lang,
                ["chunkTitle"] = content.Split('\n')[0],
            };
            if (lang != "text")
            {
                metadata["symbol"] = new JsonObject { ["name"] = $"item{i}", ["kind"] = "function", ["signature"] = content.Split('\n')[0] };
            }

            metadata["file_path"] = codebasePath.TrimEnd('/') + "/" + path;
            metadata["codebasePath"] = codebasePath;
            metadata["chunkIndex"] = chunkIndex;
            var summarised = withSummaries && i % 2 == 0;
            var summary = summarised ? $"Summary {i}: what {path} lines {start}-{end} do." : null;
            if (summary is not null)
            {
                // insertHybrid takes the summary column from metadata.summary, so both hold it.
                metadata["summary"] = summary;
            }

            chunks.Add(new CodebaseChunk(
                upstreamIds ? ClaudeContextIds.UpstreamChunkId(path, start, end, content) : ClaudeContextIds.CoreChunkId(path, start, end, chunkIndex, content),
                path, start, end, chunkIndex, extension, lang, content,
                UnitVector(random, dimension), summarised ? UnitVector(random, dimension) : null, summary, metadata));
        }

        return chunks;
    }

    /// <summary>pgvector's text form, every float printed so that it parses back to the same bits.</summary>
    public static string VectorText(float[] vector) =>
        "[" + string.Join(',', vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    /// <summary>A random direction: normal samples scaled to length 1, as embedding models return them.</summary>
    public static float[] UnitVector(Random random, int dimension)
    {
        var values = new float[dimension];
        SampleVectors.FillGaussian(random, values);
        var length = (float)Math.Sqrt(values.Sum(v => (double)v * v));
        for (var i = 0; i < values.Length; i++)
        {
            values[i] /= length;
        }

        return values;
    }

    private static string Code(string lang, Random random, int i) => lang switch
    {
        "python" => $"def item{i}(x):\n    return x * {random.Next(2, 99)}\n",
        "go" => $"func item{i}(x int) int {{\n\treturn x + {random.Next(2, 99)}\n}}\n",
        "csharp" => $"public static int Item{i}(int x)\n{{\n    return x - {random.Next(2, 99)};\n}}\n",
        _ => $"export function item{i}(x: number): number {{\n  return x * {random.Next(2, 99)};\n}}\n",
    };

    private static string Prose(Random random, int i) =>
        $"## Section {i}\n\nThis part explains step {random.Next(1, 1000)} of the setup in plain words.\n";
}
