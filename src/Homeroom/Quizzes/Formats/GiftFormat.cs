using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// Moodle's GIFT text format (Moodle docs, "GIFT format"). Questions are separated by blank lines; lines starting
/// with // are comments; ::title:: names a question; $CATEGORY: lines set a category; [html], [moodle], [markdown]
/// and [plain] say how the text is written; \~ \= \# \{ \} \: \\ escape the special characters and \n is a new line.
/// Imported: multiple choice (single, or multi with several right answers or right answers written ~%n%), true/false,
/// short answer (type answer) and missing-word questions (the answer block in the middle of the text becomes
/// "_____"). Skipped, by line: matching, numerical, essay and description items. GIFT has no time limit or
/// points, so imported questions get the defaults. See docs/quiz-formats.md.
/// </summary>
public static partial class GiftFormat
{
    public const string Blank = "_____";

    private const string Special = "~=#{}:\\";

    public static QuizImportResult Import(byte[] bytes, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var collector = new ImportCollector(QuizFormats.Gift);
        if (QuizFormats.Text(bytes, out var error) is not { } text)
        {
            return collector.Error(error!.Line, error.Message);
        }

        foreach (var block in Blocks(text))
        {
            Read(block, collector);
        }

        return collector.Finish(QuizFormats.TitleFromFileName(fileName));
    }

    /// <summary>
    /// Writes single, multi (right answers share 100% and wrong ones weigh -100%), true/false and type-answer
    /// questions. Ordering questions and polls have no GIFT form: they are written as a // comment and listed in Notes.
    /// </summary>
    public static QuizExport Export(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        var notes = new List<string>();
        var leftOut = new List<int>();
        var gift = new StringBuilder();
        gift.Append("// ").Append(quiz.Title).Append('\n');
        gift.Append("// Exported from Homeroom in Moodle's GIFT format. GIFT has no time limits or points.\n\n");
        var questions = quiz.Questions ?? [];
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            if (question.Type is QuestionTypes.Order or QuestionTypes.Poll)
            {
                var what = QuizFormats.Describe(question.Type);
                notes.Add($"Question {i + 1} ({what}) left out: GIFT has no {what}s.");
                gift.Append(CultureInfo.InvariantCulture, $"// Question {i + 1} left out ({what}: GIFT has no {what}s): {question.Text}\n\n");
                leftOut.Add(i + 1);
                continue;
            }

            gift.Append(CultureInfo.InvariantCulture, $"::Question {i + 1}:: ");
            if (Markup().IsMatch(question.Text!))
            {
                gift.Append("[plain]");
            }

            gift.Append(Escape(question.Text!));
            switch (question.Type)
            {
                case QuestionTypes.TrueFalse:
                    gift.Append(question.Correct == true ? " {TRUE}\n\n" : " {FALSE}\n\n");
                    continue;
                case QuestionTypes.TypeAnswer:
                    gift.Append(" {\n");
                    foreach (var accepted in question.Accepted!)
                    {
                        gift.Append('=').Append(accepted.StartsWith('%') ? "%100%" : "").Append(AnswerText(accepted)).Append('\n');
                    }

                    break;
                case QuestionTypes.SingleChoice:
                    gift.Append(" {\n");
                    foreach (var answer in question.Answers!)
                    {
                        var weight = answer.Text!.StartsWith('%') ? answer.Correct == true ? "%100%" : "%0%" : "";
                        gift.Append(answer.Correct == true ? '=' : '~').Append(weight).Append(AnswerText(answer.Text!)).Append('\n');
                    }

                    break;
                default: // multi
                    gift.Append(" {\n");
                    var share = Math.Round(100.0 / question.Answers!.Count(a => a.Correct == true), 5).ToString(CultureInfo.InvariantCulture);
                    foreach (var answer in question.Answers!)
                    {
                        gift.Append('~').Append(answer.Correct == true ? $"%{share}%" : "%-100%").Append(AnswerText(answer.Text!)).Append('\n');
                    }

                    break;
            }

            gift.Append("}\n\n");
        }

        return new QuizExport(QuizFormats.Utf8(gift.ToString()), "text/plain; charset=utf-8", ".txt", notes) { LeftOut = leftOut };
    }

    /// <summary>An answer escaped, after [plain] when it starts with what reads as a markup prefix, so it reads back unchanged.</summary>
    private static string AnswerText(string text) => (Markup().IsMatch(text) ? "[plain]" : "") + Escape(text);

    /// <summary>Escapes GIFT's special characters: \ ~ = # { } : (and a new line as \n).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (Special.Contains(c, StringComparison.Ordinal))
            {
                escaped.Append('\\').Append(c);
            }
            else if (c == '\n')
            {
                escaped.Append("\\n");
            }
            else if (c != '\r')
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>Undoes <see cref="Escape"/>; a backslash before any other character stays as it is.</summary>
    public static string Unescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plain = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                var next = text[i + 1];
                if (Special.Contains(next, StringComparison.Ordinal))
                {
                    plain.Append(next);
                    i++;
                    continue;
                }

                if (next == 'n')
                {
                    plain.Append('\n');
                    i++;
                    continue;
                }
            }

            plain.Append(text[i]);
        }

        return plain.ToString();
    }

    private sealed record Block(IReadOnlyList<(int Line, string Text)> Lines);

    /// <summary>Groups the lines into questions: blank lines separate them, // comment lines are dropped.</summary>
    private static IEnumerable<Block> Blocks(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var current = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            if (trimmed.Length == 0)
            {
                if (current.Count > 0)
                {
                    yield return new Block(current);
                    current = [];
                }

                continue;
            }

            current.Add((i + 1, lines[i]));
        }

        if (current.Count > 0)
        {
            yield return new Block(current);
        }
    }

    private static void Read(Block block, ImportCollector collector)
    {
        var lines = block.Lines;
        if (lines[0].Text.TrimStart().StartsWith("$CATEGORY:", StringComparison.OrdinalIgnoreCase))
        {
            lines = lines.Skip(1).ToList(); // categories are Moodle's question bank folders: nothing to keep
            if (lines.Count == 0)
            {
                return;
            }
        }

        var line = lines[0].Line;
        var text = string.Join('\n', lines.Select(l => l.Text)).Trim();
        if (text.StartsWith("::", StringComparison.Ordinal))
        {
            var end = IndexOfUnescaped(text, "::", 2);
            if (end < 0)
            {
                collector.Skip(line, "The question title (::title::) is not closed with '::'.");
                return;
            }

            text = text[(end + 2)..].TrimStart();
        }

        var html = false;
        if (Markup().Match(text) is { Success: true } markup)
        {
            html = markup.Groups[1].Value.Equals("html", StringComparison.OrdinalIgnoreCase);
            text = text[markup.Length..];
        }

        var open = IndexOfUnescaped(text, "{", 0);
        if (open < 0)
        {
            collector.Skip(line, "A description (text without an answer block {…}) is not a question: skipped.");
            return;
        }

        var close = IndexOfUnescaped(text, "}", open + 1);
        if (close < 0)
        {
            collector.Skip(line, "The answer block '{' is not closed with '}' (a blank line ends a question).");
            return;
        }

        var nested = IndexOfUnescaped(text, "{", open + 1);
        if (nested >= 0)
        {
            collector.Skip(line, nested < close
                ? "A '{' inside the answer block: write it as \\{."
                : "More than one answer block {…}: a GIFT question has one.");
            return;
        }

        var after = text[(close + 1)..];
        var questionText = Clean(after.Trim().Length > 0 ? text[..open] + Blank + after : text[..open], html);
        var body = text[(open + 1)..close];
        var general = IndexOfUnescaped(body, "####", 0);
        if (general >= 0)
        {
            body = body[..general]; // general feedback: Homeroom shows none
        }

        if (body.Trim().Length == 0)
        {
            collector.Skip(line, "An essay question ({}) is not supported: Homeroom has no essay questions.");
            return;
        }

        if (body.TrimStart().StartsWith('#'))
        {
            collector.Skip(line, "A numerical question ({#…}) is not supported: Homeroom has no numerical questions.");
            return;
        }

        var head = body;
        if (IndexOfUnescaped(body, "#", 0) is var hash and >= 0)
        {
            head = body[..hash]; // true/false feedback
        }

        if (TrueFalse().Match(head) is { Success: true } truth)
        {
            var correct = char.ToUpperInvariant(truth.Groups[1].Value[0]) == 'T';
            collector.Add(line, new Question(QuestionTypes.TrueFalse, questionText, null, null, Correct: correct));
            return;
        }

        var answers = Answers(body, out var leading);
        if (leading.Trim().Length > 0 || answers.Count == 0)
        {
            collector.Skip(line, $"The answer block {{{Shorten(body.Trim())}}} is not GIFT: answers start with = (right) or ~ (wrong), or it is T or F.");
            return;
        }

        if (answers.All(a => a.Marker == '='))
        {
            if (answers.All(a => a.Raw.Contains("->", StringComparison.Ordinal)))
            {
                collector.Skip(line, "A matching question (=a -> b) is not supported: Homeroom has no matching questions.");
                return;
            }

            var accepted = new List<string>();
            foreach (var answer in answers)
            {
                var plain = Clean(answer.Text, answer.Html ?? html);
                if (answer.Weight is <= 0)
                {
                    collector.Note(line, $"The answer '{plain}' ({Percent(answer.Weight.Value)}) is not accepted.");
                    continue;
                }

                if (answer.Weight is < 100)
                {
                    collector.Note(line, $"The answer '{plain}' earns partial credit ({Percent(answer.Weight.Value)}) in GIFT; Homeroom accepts it as right.");
                }

                accepted.Add(plain);
            }

            if (accepted.Count == 0)
            {
                collector.Skip(line, "A short-answer question with no answer that earns credit.");
                return;
            }

            collector.Add(line, new Question(QuestionTypes.TypeAnswer, questionText, null, null, Accepted: accepted));
            return;
        }

        var choices = answers.Select(a => new Answer(Clean(a.Text, a.Html ?? html), a.Weight is { } w ? w > 0 : a.Marker == '=')).ToList();
        var right = choices.Count(c => c.Correct == true);
        if (right == 0)
        {
            collector.Skip(line, "No answer is marked right (with = or a positive %weight%).");
            return;
        }

        // Right answers written as ~%n% (Moodle's "multiple right answers" syntax) make a multi-select question even when only one is right.
        var weighted = answers.Any(a => a is { Marker: '~', Weight: > 0 });
        collector.Add(line, new Question(right == 1 && !weighted ? QuestionTypes.SingleChoice : QuestionTypes.Multi, questionText, null, null, choices));
    }

    /// <summary>An answer as written; <see cref="Html"/> is its own markup prefix ([html] true, another false), null when it has none.</summary>
    private sealed record RawAnswer(char Marker, decimal? Weight, string Text, string Raw, bool? Html);

    /// <summary>Splits an answer block at each unescaped = or ~; each answer's %weight% and #feedback are taken apart.</summary>
    private static List<RawAnswer> Answers(string body, out string leading)
    {
        var starts = new List<int>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\')
            {
                i++;
            }
            else if (body[i] is '=' or '~')
            {
                starts.Add(i);
            }
        }

        leading = starts.Count > 0 ? body[..starts[0]] : body;
        var answers = new List<RawAnswer>();
        for (var k = 0; k < starts.Count; k++)
        {
            var end = k + 1 < starts.Count ? starts[k + 1] : body.Length;
            var raw = body[(starts[k] + 1)..end];
            decimal? weight = null;
            var text = raw;
            if (Weight().Match(raw) is { Success: true } match)
            {
                weight = decimal.Parse(match.Groups[1].Value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture);
                text = raw[match.Length..];
            }

            if (IndexOfUnescaped(text, "#", 0) is var hash and >= 0)
            {
                text = text[..hash]; // per-answer feedback
            }

            // Like Moodle, each answer may name its own markup after its weight (~%50%[plain]blue); without one it is
            // written like the question.
            bool? html = null;
            var trimmed = text.TrimStart();
            if (Markup().Match(trimmed) is { Success: true } markup)
            {
                html = markup.Groups[1].Value.Equals("html", StringComparison.OrdinalIgnoreCase);
                text = trimmed[markup.Length..];
            }

            answers.Add(new RawAnswer(body[starts[k]], weight, text, raw, html));
        }

        return answers;
    }

    /// <summary>Unescapes, turns [html] into text, and folds line breaks into single spaces.</summary>
    private static string Clean(string raw, bool html)
    {
        var text = Unescape(raw);
        if (html)
        {
            // Homeroom keeps plain text: tags go (line-breaking ones become spaces), entities are decoded and
            // runs of white space (&nbsp; included) become one space.
            text = Spaces().Replace(WebUtility.HtmlDecode(Tags().Replace(LineTags().Replace(text, " "), "")), " ");
        }

        return Breaks().Replace(text, " ").Trim();
    }

    private static int IndexOfUnescaped(string text, string value, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (string.CompareOrdinal(text, i, value, 0, value.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Percent(decimal weight) => weight.ToString("0.#####", CultureInfo.InvariantCulture) + "%";

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex(@"^\[(html|moodle|markdown|plain)\]", RegexOptions.IgnoreCase)]
    private static partial Regex Markup();

    [GeneratedRegex(@"^\s*(T|TRUE|F|FALSE)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TrueFalse();

    [GeneratedRegex(@"^\s*%(-?\d+(?:[.,]\d+)?)%")]
    private static partial Regex Weight();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"<\s*(br|/p|/div|/li)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex LineTags();

    [GeneratedRegex(@"\s*[\r\n]\s*")]
    private static partial Regex Breaks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
