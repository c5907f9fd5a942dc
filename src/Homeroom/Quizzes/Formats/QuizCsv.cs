using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Homeroom.Web;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// Homeroom's own CSV layout, which carries every question type. The first line is the header
/// <c>type,question,timeLimit,points,correct,answer1,…,answer6</c> (answer7–answer10 appear when a type-answer
/// question accepts more than six answers); columns are found by name, in any order. Per type:
/// single/multi: answers in answerN, correct = their numbers ("1" or "2;4"); poll: answers, correct empty;
/// truefalse: correct "true" or "false", no answers; typeanswer: answers = the accepted answers;
/// order: answers in the right order. Empty timeLimit/points mean the defaults. The delimiter may be , ; or tab.
/// Cells that start with = + - @ are written with a leading apostrophe (formula injection), taken off on import.
/// </summary>
public static class QuizCsv
{
    public const int MaxAnswerColumns = QuizRules.MaxAccepted;

    public static readonly string[] Columns = ["type", "question", "timeLimit", "points", "correct", "answer1", "answer2", "answer3", "answer4", "answer5", "answer6"];

    public static QuizImportResult Import(byte[] bytes, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var collector = new ImportCollector(QuizFormats.Csv);
        if (QuizFormats.Text(bytes, out var error) is not { } text)
        {
            return collector.Error(error!.Line, error.Message);
        }

        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = Delimiter(text),
            BadDataFound = _ => badData = true,
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var reader = new StringReader(text);
        using var parser = new CsvParser(reader, configuration);
        if (!parser.Read())
        {
            return collector.Error(0, "The file is empty.");
        }

        var header = parser.Record ?? [];
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            map.TryAdd(Key(header[i]), i);
        }

        if (!map.ContainsKey("type") || !map.ContainsKey("question"))
        {
            return collector.Error(1, $"The first line must be the header {string.Join(',', Columns)}; it is {string.Join(',', header)}.");
        }

        var lineStarts = LineStarts(text);
        while (parser.Read())
        {
            var record = parser.Record ?? [];
            var bad = badData;
            badData = false;
            var raw = parser.RawRecord;
            var start = (int)Math.Clamp(parser.CharCount - raw.Length, 0, text.Length);
            var line = Line(lineStarts, start);
            var last = Line(lineStarts, start + raw.TrimEnd('\r', '\n').Length);
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var unclosed = start + raw.Length >= text.TrimEnd('\r', '\n').Length && raw.Count(c => c == '"') % 2 == 1;
            if (unclosed || bad || last > line)
            {
                collector.Skip(line, unclosed
                    ? $"A quote opened in this row is never closed: lines {line}–{last} (the end of the file) could not be read."
                    : bad
                    ? "Malformed quotes in this row (a quote inside a field is written as two quotes: \"\")."
                    : $"This row runs over lines {line}–{last}: a quote is not closed, or a field holds a line break.");
                continue;
            }

            string? Field(string column) =>
                map.TryGetValue(Key(column), out var index) && index < record.Length && record[index].Trim() is { Length: > 0 } value ? CsvSafety.Restore(value) : null;

            Read(line, Field, collector);
        }

        return collector.Finish(QuizFormats.TitleFromFileName(fileName));
    }

    /// <summary>Writes every question, of every type (UTF-8 with a byte-order mark, so that spreadsheet programs read it as UTF-8).</summary>
    public static QuizExport Export(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        var questions = quiz.Questions ?? [];
        var answerColumns = Math.Max(QuizRules.MaxChoices, questions.Max(q => q.Accepted?.Count) ?? 0);
        var output = new StringBuilder();
        using (var writer = new StringWriter(output, CultureInfo.InvariantCulture))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var column in Columns[..5].Concat(Enumerable.Range(1, answerColumns).Select(n => $"answer{n}")))
            {
                csv.WriteField(column);
            }

            csv.NextRecord();
            foreach (var question in questions)
            {
                var answers = question.Type switch
                {
                    QuestionTypes.TypeAnswer => question.Accepted!,
                    QuestionTypes.Order => question.Items!,
                    QuestionTypes.TrueFalse => [],
                    _ => question.Answers!.Select(a => a.Text!).ToList(),
                };
                var correct = question.Type switch
                {
                    QuestionTypes.SingleChoice or QuestionTypes.Multi =>
                        string.Join(';', question.Answers!.Select((a, k) => (a, k)).Where(x => x.a.Correct == true).Select(x => x.k + 1)),
                    QuestionTypes.TrueFalse => question.Correct == true ? "true" : "false",
                    _ => "",
                };
                csv.WriteField(question.Type);
                csv.WriteField(CsvSafety.Neutralise(question.Text));
                csv.WriteField((question.TimeLimit ?? QuizRules.DefaultTimeLimit).ToString(CultureInfo.InvariantCulture));
                csv.WriteField((question.Points ?? QuizRules.DefaultPoints).ToString(CultureInfo.InvariantCulture));
                csv.WriteField(correct);
                for (var k = 0; k < answerColumns; k++)
                {
                    csv.WriteField(k < answers.Count ? CsvSafety.Neutralise(answers[k]) : "");
                }

                csv.NextRecord();
            }
        }

        return new QuizExport(QuizFormats.Utf8(output.ToString(), byteOrderMark: true), "text/csv; charset=utf-8", ".csv", []);
    }

    private static void Read(int line, Func<string, string?> field, ImportCollector collector)
    {
        var type = field("type")?.ToLowerInvariant();
        if (type is null)
        {
            collector.Skip(line, "The type is empty.");
            return;
        }

        if (!QuestionTypes.All.Contains(type))
        {
            collector.Skip(line, $"Unknown type '{type}': use {string.Join(", ", QuestionTypes.All)}.");
            return;
        }

        if (!Number(field("timeLimit"), out var timeLimit))
        {
            collector.Skip(line, $"timeLimit '{field("timeLimit")}' is not a whole number of seconds.");
            return;
        }

        if (!Number(field("points"), out var points))
        {
            collector.Skip(line, $"points '{field("points")}' is not a whole number.");
            return;
        }

        var answers = Enumerable.Range(1, MaxAnswerColumns).Select(n => (Number: n, Text: field($"answer{n}"))).Where(a => a.Text is not null).ToList();
        var texts = answers.Select(a => a.Text!).ToList();
        var correct = field("correct");
        Question question;
        switch (type)
        {
            case QuestionTypes.SingleChoice or QuestionTypes.Multi:
                if (correct is null)
                {
                    collector.Skip(line, "correct is empty: give the numbers of the right answers, e.g. 1 or 2;4.");
                    return;
                }

                var right = new HashSet<int>();
                foreach (var token in correct.Split([';', ',', ' '], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || !answers.Any(a => a.Number == number))
                    {
                        collector.Skip(line, $"correct '{token}' is not the number of a filled-in answer column.");
                        return;
                    }

                    right.Add(number);
                }

                question = new Question(type, field("question"), timeLimit, points, answers.Select(a => new Answer(a.Text, right.Contains(a.Number))).ToList());
                break;
            case QuestionTypes.Poll:
                if (correct is not null)
                {
                    collector.Skip(line, "A poll has no correct answers: leave correct empty.");
                    return;
                }

                question = new Question(type, field("question"), timeLimit, points, texts.Select(t => new Answer(t)).ToList());
                break;
            case QuestionTypes.TrueFalse:
                bool? truth = correct?.ToLowerInvariant() switch
                {
                    "true" or "t" => true,
                    "false" or "f" => false,
                    _ => null,
                };
                if (truth is null)
                {
                    collector.Skip(line, "A true/false question needs correct to be true or false.");
                    return;
                }

                question = new Question(type, field("question"), timeLimit, points, Correct: truth);
                break;
            case QuestionTypes.TypeAnswer:
                question = new Question(type, field("question"), timeLimit, points, Accepted: texts);
                break;
            default: // order
                question = new Question(type, field("question"), timeLimit, points, Items: texts);
                break;
        }

        collector.Add(line, question);
    }

    private static bool Number(string? text, out int? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        return false;
    }

    /// <summary>The header line's most frequent of , ; and tab (spreadsheets in many locales save with ;).</summary>
    private static string Delimiter(string text)
    {
        var header = text.AsSpan(0, text.IndexOf('\n') is var end and >= 0 ? end : text.Length);
        var best = ",";
        var most = header.Count(',');
        foreach (var candidate in new[] { ';', '\t' })
        {
            if (header.Count(candidate) > most)
            {
                most = header.Count(candidate);
                best = candidate.ToString();
            }
        }

        return best;
    }

    /// <summary>A header cell folded for lookup: letters and digits only, lower case ("Time limit" is "timelimit").</summary>
    private static string Key(string header) => new string(header.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    /// <summary>The 1-based line of a character offset.</summary>
    private static int Line(List<int> lineStarts, int offset)
    {
        var index = lineStarts.BinarySearch(offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}
