using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// Moodle's Aiken format (Moodle docs, "Aiken format"): a question line, its options "A. text" or "A) text" (the space
/// may be left out, "A)text", as Moodle allows),
/// then "ANSWER: B". Only single-choice questions. Questions are separated by blank lines; a missing blank line
/// after an ANSWER line is tolerated, and so is a question written on more than one line.
/// </summary>
public static partial class AikenFormat
{
    public static QuizImportResult Import(byte[] bytes, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var collector = new ImportCollector(QuizFormats.Aiken);
        if (QuizFormats.Text(bytes, out var error) is not { } text)
        {
            return collector.Error(error!.Line, error.Message);
        }

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        Pending? pending = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                pending?.Unfinished(collector);
                pending = null;
                continue;
            }

            if (AnswerLine().Match(line) is { Success: true } answer)
            {
                if (pending is null)
                {
                    collector.Skip(number, "An ANSWER line without a question and options before it.");
                }
                else
                {
                    pending.Finish(number, char.ToUpperInvariant(answer.Groups[1].Value[0]), collector);
                }

                pending = null;
                continue;
            }

            if (pending is not null && OptionLine().Match(line) is { Success: true } option)
            {
                pending.Options.Add((number, option.Groups[1].Value[0], option.Groups[2].Value.Trim()));
                continue;
            }

            if (pending is { Options.Count: > 0 })
            {
                // Text after options without an ANSWER line: the last question was never finished; this starts the next.
                pending.Unfinished(collector);
                pending = null;
            }

            if (pending is null)
            {
                pending = new Pending(number);
            }

            pending.Text.Add(line);
        }

        pending?.Unfinished(collector);
        return collector.Finish(QuizFormats.TitleFromFileName(fileName));
    }

    /// <summary>
    /// Writes single-choice questions; true/false questions become a single choice between "True" and "False".
    /// Everything else is left out (Aiken has no comments): Notes lists what was left out or changed.
    /// </summary>
    public static QuizExport Export(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        var notes = new List<string>();
        var leftOut = new List<int>();
        var aiken = new StringBuilder();
        var questions = quiz.Questions ?? [];
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            IReadOnlyList<Answer> answers;
            switch (question.Type)
            {
                case QuestionTypes.SingleChoice:
                    answers = question.Answers!;
                    break;
                case QuestionTypes.TrueFalse:
                    answers = [new Answer("True", question.Correct == true), new Answer("False", question.Correct == false)];
                    notes.Add($"Question {i + 1} (true/false) written as a single choice between True and False.");
                    break;
                default:
                    var what = QuizFormats.Describe(question.Type);
                    notes.Add($"Question {i + 1} ({what}) left out: Aiken has single-choice questions only.");
                    leftOut.Add(i + 1);
                    continue;
            }

            aiken.Append(question.Text).Append('\n');
            for (var k = 0; k < answers.Count; k++)
            {
                aiken.Append((char)('A' + k)).Append(". ").Append(answers[k].Text).Append('\n');
            }

            var right = answers.Select((a, k) => (a, k)).First(x => x.a.Correct == true).k;
            aiken.Append(CultureInfo.InvariantCulture, $"ANSWER: {(char)('A' + right)}\n\n");
        }

        return new QuizExport(QuizFormats.Utf8(aiken.ToString()), "text/plain; charset=utf-8", ".txt", notes) { LeftOut = leftOut };
    }

    private sealed class Pending(int line)
    {
        public int Line { get; } = line;

        public List<string> Text { get; } = [];

        public List<(int Line, char Letter, string Text)> Options { get; } = [];

        public void Unfinished(ImportCollector collector) =>
            collector.Skip(Line, Options.Count == 0
                ? "A question without options (A. … or A) …) and ANSWER line."
                : "No 'ANSWER: X' line after the options.");

        public void Finish(int answerLine, char letter, ImportCollector collector)
        {
            if (Options.Count < QuizRules.MinChoices)
            {
                collector.Skip(Line, $"A question needs at least {QuizRules.MinChoices} options (A. … or A) …); this one has {Options.Count}.");
                return;
            }

            if (Options.GroupBy(o => o.Letter).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                collector.Skip(twice.Skip(1).First().Line, $"The option letter {twice.Key} is used twice.");
                return;
            }

            if (!Options.Any(o => o.Letter == letter))
            {
                var letters = string.Join(", ", Options.Select(o => o.Letter));
                collector.Skip(answerLine, $"ANSWER: {letter} is not one of the options ({letters}).");
                return;
            }

            var answers = Options.Select(o => new Answer(o.Text, o.Letter == letter)).ToList();
            collector.Add(Line, new Question(QuestionTypes.SingleChoice, string.Join(' ', Text), null, null, answers));
        }
    }

    [GeneratedRegex(@"^ANSWER\s*:\s*([A-Za-z])$", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerLine();

    [GeneratedRegex(@"^([A-Z])[.)]\s*(.*)$")]
    private static partial Regex OptionLine();
}
