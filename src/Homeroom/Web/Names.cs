using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text;
using Homeroom.Quizzes;

namespace Homeroom.Web;

/// <summary>
/// Names people see (players' nicknames, students' names, quiz titles on the projector) in one form, and a key
/// under which look-alike names count as the same.
/// <list type="bullet">
/// <item><see cref="Normalize"/>: Unicode NFKC (fullwidth "Ａ" is "A", ligatures are letters), no format characters
/// (category Cf: zero-width spaces and joiners, bidi embeddings, overrides and isolates, soft hyphens) and no
/// invisible Hangul fillers, every run of white space one space, trimmed. What remains is kept as typed: "José",
/// "Дмитрий" and "李雷" are untouched.</item>
/// <item><see cref="Key"/>: the normalised name without case and accents (as typed answers are matched), then its
/// Unicode TR39 skeleton, from Unicode's own confusables data (Web/Unicode/confusables.txt, Unicode License v3):
/// Cyrillic "Аnn" and Latin "Ann" have the same key.</item>
/// </list>
/// </summary>
public static class Names
{
    private static readonly Lazy<FrozenDictionary<int, string>> Confusables = new(Load);

    /// <summary>The name as stored and shown; null stays null, and a name of nothing visible becomes "".</summary>
    public static string? Normalize(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var compatible = name.IsNormalized(NormalizationForm.FormKC) ? name : name.Normalize(NormalizationForm.FormKC);
        var text = new StringBuilder(compatible.Length);
        var space = false;
        foreach (var rune in compatible.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                space = true;
                continue;
            }

            if (IsInvisible(rune))
            {
                continue;
            }

            if (space && text.Length > 0)
            {
                text.Append(' ');
            }

            space = false;
            text.Append(rune.ToString());
        }

        var result = text.ToString();
        return result.IsNormalized(NormalizationForm.FormC) ? result : result.Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// The key under which two names are the same name: case, accents, invisible characters and look-alike letters
    /// from other scripts do not count.
    /// </summary>
    public static string Key(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Skeletons are case-sensitive ("0" looks like "O", not "o"): lower case before and after.
        return Skeleton(Skeleton(QuizRules.MatchKey(Normalize(name)!)).ToLowerInvariant());
    }

    /// <summary>UTS #39's skeleton: NFD, every character replaced by its prototype from confusables.txt, NFD again.</summary>
    public static string Skeleton(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var map = Confusables.Value;
        var skeleton = new StringBuilder(text.Length);
        foreach (var rune in text.Normalize(NormalizationForm.FormD).EnumerateRunes())
        {
            if (map.TryGetValue(rune.Value, out var prototype))
            {
                skeleton.Append(prototype);
            }
            else
            {
                skeleton.Append(rune.ToString());
            }
        }

        return skeleton.ToString().Normalize(NormalizationForm.FormD);
    }

    /// <summary>Format characters (Cf: zero-width, joiners, bidi controls, soft hyphen) and the invisible Hangul fillers.</summary>
    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
        || rune.Value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFFA0;

    /// <summary>Reads confusables.txt: "source ; target code points ; MA # comment" lines.</summary>
    private static FrozenDictionary<int, string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Homeroom.Web.Unicode.confusables.txt")
            ?? throw new InvalidOperationException("The Unicode confusables data is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var map = new Dictionary<int, string>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(';', 3);
            if (line.StartsWith('#') || fields.Length < 3)
            {
                continue;
            }

            var source = int.Parse(fields[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var target = string.Concat(fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(hex => char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));
            map[source] = target;
        }

        return map.ToFrozenDictionary();
    }
}
