using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PSUnifiedMigration.Sandbox.Cognee;

/// <summary>
/// An insertion-ordered string-keyed dictionary with Python's semantics: setting an existing key keeps its
/// position. Cognee's JSON comes from Python dicts (pydantic dumps, networkx node-link data), whose key order
/// readers may see, so the sample keeps it.
/// </summary>
internal sealed class PyDict : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _items = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public int Count => _items.Count;

    public object? this[string key]
    {
        get => _items[_index[key]].Value;
        set
        {
            if (_index.TryGetValue(key, out var position))
            {
                _items[position] = new(key, value);
            }
            else
            {
                _index[key] = _items.Count;
                _items.Add(new(key, value));
            }
        }
    }

    /// <summary>Collection-initializer form of the indexer.</summary>
    public void Add(string key, object? value) => this[key] = value;

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    /// <summary>Python's <c>dict.update</c>: existing keys keep their place, new ones go to the end.</summary>
    public void Update(PyDict other)
    {
        foreach (var (key, value) in other)
        {
            this[key] = value;
        }
    }

    public PyDict Copy()
    {
        var copy = new PyDict();
        copy.Update(this);
        return copy;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Python's <c>json.dumps</c> output, byte for byte for the values Cognee writes: ", " and ": " separators,
/// <c>ensure_ascii</c> escapes, Python float repr, and <c>indent=</c> layout. Values are null, bool, string,
/// Guid (as <c>str(uuid)</c>), integers, doubles, <see cref="PyDict"/> and sequences.
/// </summary>
internal static class PyJson
{
    public static string Dumps(object? value, int? indent = null)
    {
        var text = new StringBuilder(256);
        Write(text, value, indent, 0);
        return text.ToString();
    }

    public static void Write(StringBuilder text, object? value, int? indent = null, int depth = 0)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case string s:
                WriteString(text, s);
                break;
            case Guid g:
                WriteString(text, g.ToString("D"));
                break;
            case int or long or short or byte:
                text.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case double or float:
                text.Append(FormatFloat(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                break;
            case PyDict dict:
                WriteContainer(text, '{', '}', dict.Count, dict.Select(p => (object?)p), indent, depth, (t, item, d) =>
                {
                    var pair = (KeyValuePair<string, object?>)item!;
                    WriteString(t, pair.Key);
                    t.Append(": ");
                    Write(t, pair.Value, indent, d);
                });
                break;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                WriteContainer(text, '[', ']', items.Count, items, indent, depth, (t, item, d) => Write(t, item, indent, d));
                break;
            default:
                throw new ArgumentException($"PyJson cannot write a {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WriteContainer(StringBuilder text, char open, char close, int count, IEnumerable<object?> items, int? indent, int depth,
        Action<StringBuilder, object?, int> writeItem)
    {
        text.Append(open);
        if (count == 0)
        {
            text.Append(close);
            return;
        }

        var first = true;
        foreach (var item in items)
        {
            if (indent is { } width)
            {
                // json.dumps(indent=n) uses "," + newline between items and ": " after keys.
                text.Append(first ? "" : ",").Append('\n').Append(' ', width * (depth + 1));
            }
            else if (!first)
            {
                text.Append(", ");
            }

            writeItem(text, item, depth + 1);
            first = false;
        }

        if (indent is { } w)
        {
            text.Append('\n').Append(' ', w * depth);
        }

        text.Append(close);
    }

    /// <summary>A JSON string as Python escapes it with <c>ensure_ascii=True</c> (lower-case hex, everything outside space..tilde).</summary>
    public static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, ".0" on integral values, exponent form outside 1e-4..1e16.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E');
        if (e < 0)
        {
            return text.Contains('.') ? text : text + ".0";
        }

        var mantissa = text[..e];
        var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= 16)
        {
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        // .NET switches to exponent form earlier than Python (from 1e15): spell those out.
        var negative = mantissa.StartsWith('-');
        var digits = mantissa.TrimStart('-').Replace(".", "");
        var point = 1 + exponent;
        var body = point >= digits.Length
            ? digits + new string('0', point - digits.Length) + ".0"
            : point <= 0 ? "0." + new string('0', -point) + digits : digits[..point] + "." + digits[point..];
        return (negative ? "-" : "") + body;
    }
}

/// <summary>Cognee's id rules: Python's <c>uuid5</c>, the name normalisations, and the formats UUIDs are stored in.</summary>
internal static class CogneeIds
{
    /// <summary>Python's <c>uuid.NAMESPACE_OID</c>, the namespace of every Cognee uuid5.</summary>
    public static readonly Guid NamespaceOid = Guid.Parse("6ba7b812-9dad-11d1-80b4-00c04fd430c8");

    /// <summary>Python's <c>uuid.uuid5(namespace, name)</c>.</summary>
    public static Guid Uuid5(Guid @namespace, string name)
    {
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        @namespace.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    public static Guid Uuid5(string name) => Uuid5(NamespaceOid, name);

    /// <summary><c>generate_node_id</c>: lower case, spaces to underscores, apostrophes dropped.</summary>
    public static string NormalizeIdentity(string value) => value.ToLowerInvariant().Replace(" ", "_").Replace("'", "");

    /// <summary><c>generate_node_name</c>: lower case, apostrophes dropped (spaces kept).</summary>
    public static string NodeName(string value) => value.ToLowerInvariant().Replace("'", "");

    /// <summary><c>generate_edge_name</c>: the same rule as identities.</summary>
    public static string EdgeName(string value) => NormalizeIdentity(value);

    /// <summary><c>generate_node_id(text)</c> (also <c>generate_edge_id</c>).</summary>
    public static Guid NodeId(string text) => Uuid5(NormalizeIdentity(text));

    /// <summary><c>DataPoint.id_for(value)</c> since v1.2: the class name namespaces the normalised identity value.</summary>
    public static Guid IdFor(string className, string value) => Uuid5($"{className}:{NormalizeIdentity(value)}");

    /// <summary><c>generate_edge_object_id(source, target, relationship)</c>.</summary>
    public static Guid EdgeObjectId(Guid source, Guid target, string relationshipName) =>
        Uuid5(NormalizeIdentity(source.ToString("D") + relationshipName + target.ToString("D")));

    /// <summary>How SQLAlchemy's <c>UUID</c> type binds a value on SQLite (no native uuid): <c>uuid.hex</c>, 32 lower-case digits.</summary>
    public static string SqliteUuid(Guid id) => id.ToString("N");

    /// <summary>Python's <c>str(None)</c> where Cognee concatenates an absent tenant into a uuid5 name.</summary>
    public static string PyStr(Guid? id) => id?.ToString("D") ?? "None";

    /// <summary>A random-looking (version 4) uuid drawn from the sample's generator, so ids repeat with the seed.</summary>
    public static Guid Uuid4(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}

/// <summary>Timestamps in the forms Cognee's stores hold them.</summary>
internal static class CogneeTime
{
    /// <summary>SQLAlchemy's SQLite DATETIME storage format (time zone dropped, the UTC wall time kept).</summary>
    public static string Sqlite(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>DataPoint <c>created_at</c>/<c>updated_at</c>: epoch milliseconds.</summary>
    public static long EpochMs(DateTime utc) => new DateTimeOffset(utc).ToUnixTimeMilliseconds();

    /// <summary>Edge <c>updated_at</c> as <c>get_graph_from_model</c> formats it.</summary>
    public static string EdgeStamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Python's <c>datetime.isoformat()</c> of an aware UTC datetime (no fraction when microseconds are 0).</summary>
    public static string Iso(DateTime utc) =>
        utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff",
            CultureInfo.InvariantCulture) + "+00:00";

    /// <summary>Truncates to whole microseconds, Python's resolution.</summary>
    public static DateTime Micro(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
}
