using System.Runtime.CompilerServices;
using System.Text;

namespace Homeroom.Storage;

/// <summary>
/// A statement with named placeholders (<c>@name</c>) in PostgreSQL's own positional form (<c>$1</c>), worked out
/// once per statement text. Npgsql rewrites named placeholders by parsing the whole text on every run, which for a
/// long statement costs more than sending and reading it; given positional placeholders and unnamed parameters it
/// sends the text as it is. Placeholders inside string literals, quoted identifiers and comments are left alone.
/// As everywhere in Homeroom (<see cref="SqlParameterCheck"/>), every <c>@name</c> outside those is a parameter.
/// </summary>
internal sealed class PositionalSql
{
    private static readonly ConditionalWeakTable<string, PositionalSql> Cache = [];

    private static readonly HashSet<string> Verbs = new(["SELECT", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE"], StringComparer.OrdinalIgnoreCase);

    private PositionalSql(string sql, string[] names, bool returnsRows)
    {
        Sql = sql;
        Names = names;
        ReturnsRows = returnsRows;
    }

    /// <summary>The statement with <c>$1</c>, <c>$2</c>, … in place of the named placeholders.</summary>
    public string Sql { get; }

    /// <summary>The parameter each position stands for: <c>$1</c> is <c>Names[0]</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// True when the statement certainly answers with a result set, even an empty one: its main verb (the first
    /// outside parentheses, after any WITH) is SELECT or VALUES without INTO, or it has RETURNING outside parentheses.
    /// A statement sent in a batch without a result set is skipped by Npgsql's reader, so only these are batched.
    /// </summary>
    public bool ReturnsRows { get; }

    /// <summary>The positional form of <paramref name="sql"/>, kept for as long as that string lives (statements are constants).</summary>
    public static PositionalSql For(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return Cache.GetValue(sql, Rewrite);
    }

    private static PositionalSql Rewrite(string sql)
    {
        var text = new StringBuilder(sql.Length);
        var order = new List<string>();
        var words = new List<string>();
        var depth = 0;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            int end;
            if (c == '\'')
            {
                // A string literal, '' inside it; E'…' strings also escape with a backslash.
                var backslashes = i > 0 && sql[i - 1] is 'E' or 'e' && (i < 2 || !IsWordChar(sql[i - 2]));
                end = i + 1;
                while (end < sql.Length)
                {
                    if (backslashes && sql[end] == '\\')
                    {
                        end += 2;
                        continue;
                    }

                    if (sql[end] == '\'')
                    {
                        if (end + 1 < sql.Length && sql[end + 1] == '\'')
                        {
                            end += 2;
                            continue;
                        }

                        break;
                    }

                    end++;
                }

                end = Math.Min(end + 1, sql.Length);
            }
            else if (c == '"')
            {
                end = sql.IndexOf('"', i + 1);
                end = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '-' && next == '-')
            {
                end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && next == '*')
            {
                end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
            }
            else if (c == '$' && (i == 0 || !IsWordChar(sql[i - 1])) && DollarQuoteTag(sql, i) is { } tag)
            {
                end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + tag.Length;
            }
            else if (c == '@' && (i == 0 || sql[i - 1] != '@' && !IsWordChar(sql[i - 1])) && (char.IsAsciiLetter(next) || next == '_'))
            {
                end = i + 1;
                while (end < sql.Length && IsWordChar(sql[end]))
                {
                    end++;
                }

                var name = sql[(i + 1)..end];
                var position = order.IndexOf(name);
                if (position < 0)
                {
                    order.Add(name);
                    position = order.Count - 1;
                }

                text.Append('$').Append(position + 1);
                i = end;
                continue;
            }
            else if (char.IsAsciiLetter(c) && (i == 0 || !IsWordChar(sql[i - 1]) && sql[i - 1] != '$'))
            {
                end = i + 1;
                while (end < sql.Length && IsWordChar(sql[end]))
                {
                    end++;
                }

                if (depth == 0)
                {
                    words.Add(sql[i..end]);
                }
            }
            else
            {
                depth += c switch { '(' => 1, ')' => -1, _ => 0 };
                end = i + 1;
            }

            text.Append(sql, i, end - i);
            i = end;
        }

        return new PositionalSql(text.ToString(), [.. order], ReturnsRowsFrom(words));
    }

    private static bool ReturnsRowsFrom(List<string> words)
    {
        if (words.Exists(w => w.Equals("RETURNING", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        var verb = words.FindIndex(Verbs.Contains);
        return verb >= 0 && words[verb].ToUpperInvariant() is "SELECT" or "VALUES" or "TABLE"
            && !words.Skip(verb).Any(w => w.Equals("INTO", StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The opening tag of a dollar-quoted string at <paramref name="start"/> ($$ or $tag$), or null.</summary>
    private static string? DollarQuoteTag(string sql, int start)
    {
        var end = start + 1;
        if (end < sql.Length && char.IsAsciiDigit(sql[end]))
        {
            return null;
        }

        while (end < sql.Length && IsWordChar(sql[end]))
        {
            end++;
        }

        return end < sql.Length && sql[end] == '$' ? sql[start..(end + 1)] : null;
    }
}
