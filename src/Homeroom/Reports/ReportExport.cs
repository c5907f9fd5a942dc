using System.Globalization;
using System.Text;
using CsvHelper;
using Homeroom.Quizzes.Formats;
using Homeroom.Web;

namespace Homeroom.Reports;

/// <summary>
/// A game's report as files. CSV: a "Players" section and a "Questions" section, each a title line, a header
/// and its rows, with an empty line between. Excel (.xlsx): the sheets Overview, Players and Questions with the
/// same columns. Text a spreadsheet would run as a formula is neutralised in both (<see cref="CsvSafety"/>).
/// </summary>
public static class ReportExport
{
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";

    public static readonly string[] Formats = [Csv, Xlsx];

    public static readonly string[] PlayerColumns =
        ["Rank", "Nickname", "Student", "Score", "Right", "Wrong", "Unanswered", "Accuracy (%)", "Average time (s)", "Needs help", "Didn't finish", "Kicked", "Left early"];

    public static readonly string[] QuestionColumns =
        ["Number", "Question", "Type", "Percent right", "Right", "Wrong", "Unanswered", "Average time (s)", "Difficult", "Answers"];

    public static (byte[] Content, string ContentType, string FileName) Export(GameReport report, string format)
    {
        ArgumentNullException.ThrowIfNull(report);
        var name = string.Concat(report.Game.Title.Select(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' ? c : '-')).Trim();
        var fileName = (name.Length == 0 ? "game" : name) + " report." + format;
        return format == Xlsx
            ? (ToXlsx(report), Spreadsheet.ContentType, fileName)
            : (ToCsv(report), "text/csv; charset=utf-8", fileName);
    }

    /// <summary>A cell of a row: text, a number, or nothing.</summary>
    private readonly record struct Value(string? Text, double? Number)
    {
        public static implicit operator Value(string? text) => new(text, null);

        public static Value Of(double? number) => new(null, number);

        public override string ToString() => Number is { } n ? n.ToString(CultureInfo.InvariantCulture) : Text ?? "";
    }

    private static List<Value[]> PlayerRows(GameReport report) => report.Players.Select(p => new Value[]
    {
        Value.Of(p.Rank), p.Nickname, p.Student is { } s ? s.PreferredName ?? s.Name : null, Value.Of(p.Score), Value.Of(p.Right), Value.Of(p.Wrong),
        Value.Of(p.Unanswered), Value.Of(p.Accuracy), Value.Of(Seconds(p.AverageTimeMs)), YesNo(p.NeedsHelp), YesNo(p.DidNotFinish), YesNo(p.Kicked), YesNo(p.LeftEarly),
    }).ToList();

    private static List<Value[]> QuestionRows(GameReport report) => report.Questions.Select(q => new Value[]
    {
        Value.Of(q.Number), q.Text, q.Type, Value.Of(q.PercentRight), Value.Of(q.Right), Value.Of(q.Wrong), Value.Of(q.Unanswered),
        Value.Of(Seconds(q.AverageTimeMs)), YesNo(q.Difficult), Answers(q),
    }).ToList();

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static double? Seconds(int? milliseconds) => milliseconds is { } ms ? Math.Round(ms / 1000.0, 1, MidpointRounding.AwayFromZero) : null;

    /// <summary>"Paris (right): 3; London: 1; other answers: 2".</summary>
    private static string Answers(QuestionResult question)
    {
        var parts = question.Answers.Select(a => $"{a.Label}{(a.Correct == true ? " (right)" : "")}: {a.Count}").ToList();
        if (question.OtherAnswers > 0)
        {
            parts.Add($"other answers: {question.OtherAnswers}");
        }

        return string.Join("; ", parts);
    }

    private static byte[] ToCsv(GameReport report)
    {
        var output = new StringBuilder();
        using (var writer = new StringWriter(output, CultureInfo.InvariantCulture))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            void Section(string title, string[] columns, List<Value[]> rows)
            {
                csv.WriteField(title);
                csv.NextRecord();
                foreach (var column in columns)
                {
                    csv.WriteField(column);
                }

                csv.NextRecord();
                foreach (var row in rows)
                {
                    foreach (var value in row)
                    {
                        csv.WriteField(value.Number is null ? CsvSafety.Neutralise(value.Text) : value.ToString());
                    }

                    csv.NextRecord();
                }
            }

            Section("Players", PlayerColumns, PlayerRows(report));
            csv.NextRecord();
            Section("Questions", QuestionColumns, QuestionRows(report));
        }

        return QuizFormats.Utf8(output.ToString(), byteOrderMark: true);
    }

    private static byte[] ToXlsx(GameReport report)
    {
        static SheetCell Cell(Value value) => value.Number is { } number ? SheetCell.Of(number) : value.Text is null ? default : SheetCell.Of(value.Text);

        static List<SheetRow> Table(string[] columns, List<Value[]> rows) =>
            [new SheetRow(1, columns.Select(c => SheetCell.Of(c, bold: true)).ToList()), .. rows.Select((row, i) => new SheetRow(i + 2, row.Select(Cell).ToList()))];

        var game = report.Game;
        var summary = report.Summary;
        var flags = report.Flags;
        var overview = new List<(string Label, SheetCell Value)>
        {
            ("Game", SheetCell.Of(game.Title)),
            ("Class", game.ClassName is { } cls ? SheetCell.Of(cls) : default),
            ("Started (UTC)", SheetCell.Of(game.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))),
            ("Ended (UTC)", game.EndedAt is { } ended ? SheetCell.Of(ended.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) : default),
            ("Status", SheetCell.Of(flags.Interrupted ? "interrupted (the service stopped during the game)" : game.Status)),
            ("Players", SheetCell.Of(summary.Players)),
            ("Kicked", SheetCell.Of(summary.Kicked)),
            ("Questions asked", SheetCell.Of(summary.Questions)),
            ("Average score", SheetCell.Of(summary.AverageScore)),
            ("Accuracy (%)", SheetCell.Of(summary.Accuracy)),
            ("Difficult questions", SheetCell.Of(flags.DifficultQuestions.Count)),
            ("Players who need help", SheetCell.Of(flags.NeedsHelp.Count)),
            ("Players who didn't finish", SheetCell.Of(flags.DidNotFinish.Count)),
            ("Thresholds", SheetCell.Of($"difficult: under {flags.DifficultBelow.ToString(CultureInfo.InvariantCulture)}% right; needs help: under {flags.NeedsHelpBelow.ToString(CultureInfo.InvariantCulture)}% accuracy")),
        };
        return Spreadsheet.Write(
        [
            new SheetSpec("Overview", [28, 60], overview.Select((row, i) => new SheetRow(i + 1, [SheetCell.Of(row.Label, bold: true), row.Value])).ToList()),
            new SheetSpec("Players", [7, 28, 28, 9, 8, 8, 12, 13, 17, 11, 13, 8, 11], Table(PlayerColumns, PlayerRows(report))),
            new SheetSpec("Questions", [9, 60, 11, 14, 8, 8, 12, 17, 10, 60], Table(QuestionColumns, QuestionRows(report))),
        ]);
    }
}
