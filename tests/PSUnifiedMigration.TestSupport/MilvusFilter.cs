using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PSUnifiedMigration.Sandbox.ClaudeContextCore;

namespace PSUnifiedMigration.TestSupport;

/// <summary>A Milvus error as the REST API reports it: HTTP status, the code in the body and its message.</summary>
public sealed class MilvusError(int code, string message, int httpStatus = 200) : Exception(message)
{
    public int Code { get; } = code;

    public int HttpStatus { get; } = httpStatus;
}

/// <summary>
/// The subset of Milvus's boolean expressions a paging reader needs (https://milvus.io/docs/boolean.md):
/// comparisons (==, !=, &gt;, &gt;=, &lt;, &lt;=) of a scalar field with a string or integer literal, prefix matches
/// (field like "prefix%", where _ matches any one character as in Milvus), joined by and / &amp;&amp;. Strings compare by their bytes, as Milvus compares VarChar.
/// Anything else is refused with Milvus's code 1100 rather than guessed.
/// </summary>
public static partial class MilvusFilter
{
    public static Func<JsonObject, bool> Parse(string expression, IReadOnlyList<MilvusField> fields)
    {
        var tests = new List<Func<JsonObject, bool>>();
        var position = 0;
        while (true)
        {
            var term = Term().Match(expression, position);
            if (!term.Success || term.Index != position)
            {
                throw Invalid(expression, $"no comparison at position {position}");
            }

            tests.Add(Compile(expression, term, fields));
            position = term.Index + term.Length;
            if (position == expression.Length)
            {
                return entity => tests.All(t => t(entity));
            }

            var and = And().Match(expression, position);
            if (!and.Success || and.Index != position)
            {
                throw Invalid(expression, $"expected 'and' at position {position}");
            }

            position += and.Length;
        }
    }

    private static Func<JsonObject, bool> Compile(string expression, Match term, IReadOnlyList<MilvusField> fields)
    {
        var name = term.Groups["field"].Value;
        var field = fields.FirstOrDefault(f => f.Name == name) ?? throw new MilvusError(1100, $"cannot parse expression: {expression}, error: field {name} not exist");
        var op = term.Groups["op"].Value;
        var literal = term.Groups["value"].Value;
        var isString = literal.StartsWith('"');
        if (isString != (field.DataType == "VarChar") || field.DataType is not ("VarChar" or "Int64"))
        {
            throw Invalid(expression, $"cannot compare field {name} of type {field.DataType} with {literal}");
        }

        if (op == "like")
        {
            var pattern = JsonSerializer.Deserialize<string>(literal)!;
            if (!isString || pattern.IndexOf('%') != pattern.Length - 1)
            {
                throw Invalid(expression, "this fake supports only prefix patterns: like \"prefix%\"");
            }

            var prefix = pattern[..^1];
            return entity => entity[name]?.GetValue<string>() is { } text && text.Length >= prefix.Length
                && prefix.Select((c, i) => c == '_' || c == text[i]).All(matches => matches);
        }

        Func<JsonObject, int> compare = isString
            ? (entity => string.CompareOrdinal(entity[name]?.GetValue<string>(), JsonSerializer.Deserialize<string>(literal)))
            : (entity => entity[name]!.GetValue<long>().CompareTo(long.Parse(literal, System.Globalization.CultureInfo.InvariantCulture)));
        return op switch
        {
            "==" => e => compare(e) == 0,
            "!=" => e => compare(e) != 0,
            ">" => e => compare(e) > 0,
            ">=" => e => compare(e) >= 0,
            "<" => e => compare(e) < 0,
            _ => e => compare(e) <= 0,
        };
    }

    private static MilvusError Invalid(string expression, string why) => new(1100, $"cannot parse expression: {expression}, error: {why}");

    [GeneratedRegex("""\s*(?<field>[A-Za-z_][A-Za-z0-9_]*)\s*(?<op>==|!=|>=|<=|>|<|like)\s*(?<value>"(?:[^"\\]|\\.)*"|-?[0-9]+)\s*""")]
    private static partial Regex Term();

    [GeneratedRegex(@"(?:and|AND|&&)")]
    private static partial Regex And();
}
