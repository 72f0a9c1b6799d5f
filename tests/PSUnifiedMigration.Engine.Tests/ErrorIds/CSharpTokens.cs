using System.Text;

namespace PSUnifiedMigration.Engine.Tests.ErrorIds;

/// <summary>What a token is: a name, a string literal, or anything else (punctuation, numbers, character literals).</summary>
internal enum TokenKind
{
    Identifier,
    String,
    Other,
}

/// <summary>
/// One token. <see cref="Plain"/> is true for a string literal without interpolation, whose <see cref="Text"/> is
/// then its value; an interpolated string's text is not used.
/// </summary>
internal sealed record Token(TokenKind Kind, string Text, bool Plain = false);

/// <summary>
/// Just enough of a C# lexer to find error ids in the engine's sources: it drops comments (so that doc comments'
/// cref="..." and commented-out code never count), and reads every kind of string literal (regular, verbatim, raw,
/// interpolated with nested holes) as one token, so that a quote or a parenthesis inside a message cannot confuse
/// the search for call shapes.
/// </summary>
internal sealed class CSharpTokens(string source)
{
    private int _at;

    public static List<Token> Read(string source)
    {
        var tokens = new List<Token>();
        var lexer = new CSharpTokens(source);
        while (lexer.Next() is { } token)
        {
            tokens.Add(token);
        }

        return tokens;
    }

    private char Peek(int ahead = 0) => _at + ahead < source.Length ? source[_at + ahead] : '\0';

    private Token? Next()
    {
        while (_at < source.Length)
        {
            var c = Peek();
            if (char.IsWhiteSpace(c))
            {
                _at++;
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (_at < source.Length && source[_at] != '\n')
                {
                    _at++;
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                var end = source.IndexOf("*/", _at + 2, StringComparison.Ordinal);
                _at = end < 0 ? source.Length : end + 2;
            }
            else
            {
                return Token(c);
            }
        }

        return null;
    }

    private Token Token(char c)
    {
        if (c is '"' or '$' or '@' && StringStart() is var (prefix, quotes) && quotes > 0)
        {
            return ReadString(prefix, quotes);
        }

        if (char.IsLetter(c) || c == '_')
        {
            var start = _at;
            while (char.IsLetterOrDigit(Peek()) || Peek() == '_')
            {
                _at++;
            }

            return new Token(TokenKind.Identifier, source[start.._at]);
        }

        if (c == '\'')
        {
            // A character literal, possibly '"' or '\''.
            _at += Peek(1) == '\\' ? 3 : 2;
            while (_at < source.Length && source[_at] != '\'')
            {
                _at++;
            }

            _at++;
            return new Token(TokenKind.Other, "'c'");
        }

        if ((c == '=' && Peek(1) is '=' or '>') || (c == '!' && Peek(1) == '='))
        {
            _at += 2;
            return new Token(TokenKind.Other, source.Substring(_at - 2, 2));
        }

        _at++;
        return new Token(TokenKind.Other, c.ToString());
    }

    /// <summary>The prefix ($, @, $$...) and the number of opening quotes of a string starting here; 0 quotes when none does.</summary>
    private (string Prefix, int Quotes) StringStart()
    {
        var i = _at;
        while (i < source.Length && source[i] is '$' or '@')
        {
            i++;
        }

        var quotes = 0;
        while (i + quotes < source.Length && source[i + quotes] == '"')
        {
            quotes++;
        }

        // "" is an empty string, not a raw string's opening.
        return (source[_at..i], quotes >= 3 ? quotes : Math.Min(quotes, 1));
    }

    private Token ReadString(string prefix, int quotes)
    {
        _at += prefix.Length + quotes;
        var interpolated = prefix.Contains('$');
        var verbatim = prefix.Contains('@');
        var value = new StringBuilder();
        while (_at < source.Length)
        {
            var c = source[_at];
            if (quotes >= 3 && string.CompareOrdinal(source, _at, new string('"', quotes), 0, quotes) == 0)
            {
                _at += quotes;
                break;
            }

            if (quotes == 1 && c == '"')
            {
                if (verbatim && Peek(1) == '"')
                {
                    value.Append('"');
                    _at += 2;
                    continue;
                }

                _at++;
                break;
            }

            if (quotes == 1 && !verbatim && c == '\\')
            {
                value.Append(source, _at, 2);
                _at += 2;
                continue;
            }

            if (interpolated && c == '{')
            {
                if (Peek(1) == '{' && quotes == 1)
                {
                    _at += 2;
                    continue;
                }

                // In a raw string with $$ (or more), a hole opens with as many braces; fewer are text.
                var braces = 1;
                while (Peek(braces) == '{')
                {
                    braces++;
                }

                var dollars = quotes >= 3 ? prefix.Count(p => p == '$') : 1;
                if (braces < dollars)
                {
                    _at += braces;
                    continue;
                }

                _at += braces - 1;
                SkipHole();
                _at += dollars - 1;
                continue;
            }

            value.Append(c);
            _at++;
        }

        return new Token(TokenKind.String, value.ToString(), Plain: !interpolated);
    }

    /// <summary>Skips an interpolation hole, which is code and may hold strings and braces of its own.</summary>
    private void SkipHole()
    {
        _at++;
        var depth = 1;
        while (depth > 0 && Next() is { } token)
        {
            depth += token.Text switch
            {
                "{" => 1,
                "}" => -1,
                _ => 0,
            };
        }
    }
}
