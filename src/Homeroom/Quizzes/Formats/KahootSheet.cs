using System.Globalization;
using System.IO.Compression;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Homeroom.Web;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// Kahoot's spreadsheet template (.xlsx): rows 1–7 hold a title and instructions, row 8 the header, questions
/// from row 9. Column A is the question number, B the question, C–F answers 1–4, G the time limit in seconds
/// (5, 10, 20, 30, 60, 90, 120 or 240) and H the right answers as 1-based numbers ("2,4"). One right answer
/// makes a single-choice question, more make a multi-select one. Cells may be shared strings, inline strings,
/// numbers or booleans. The zip is checked before it is opened: see <see cref="CheckZip"/>.
/// </summary>
public static class KahootSheet
{
    public const int HeaderRow = 8;
    public const int MaxQuestionText = 120;
    public const int MaxEntries = 200;
    public const long MaxEntryBytes = 20L * 1024 * 1024;
    public const long MaxTotalBytes = 50L * 1024 * 1024;
    public const int MaxRatio = 100;

    /// <summary>Entries smaller than this are not held to <see cref="MaxRatio"/> (Apache POI's grace size): tiny XML compresses very well.</summary>
    public const long RatioGraceBytes = 100 * 1024;

    /// <summary>Rows with content read at most; a quiz has 100 questions, so more is never useful.</summary>
    public const int MaxRows = 1000;

    private static readonly string[] Header = ["#", "Question", "Answer 1", "Answer 2", "Answer 3", "Answer 4", "Time limit (sec)", "Correct answer(s)"];

    public static QuizImportResult Import(byte[] bytes, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var collector = new ImportCollector(QuizFormats.Kahoot);
        if (CheckZip(bytes) is { } refused)
        {
            return collector.Error(0, refused);
        }

        List<(int Row, string?[] Cells)> rows;
        try
        {
            rows = ReadRows(bytes, collector);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or XmlException or IOException
            or FormatException or InvalidOperationException or NotSupportedException or ArgumentException or KeyNotFoundException)
        {
            return collector.Error(0, "This is not a readable .xlsx spreadsheet.");
        }

        var header = rows.Where(r => r.Row <= 20).FirstOrDefault(r => IsHeader(r.Cells)).Row;
        var first = header > 0 ? header + 1 : HeaderRow + 1;
        foreach (var (row, cells) in rows.Where(r => r.Row >= first))
        {
            Read(row, cells, collector);
        }

        return collector.Finish(QuizFormats.TitleFromFileName(fileName));
    }

    /// <summary>
    /// Why an upload cannot be opened safely, or null: not a zip, not a spreadsheet (no xl/workbook.xml), more than
    /// <see cref="MaxEntries"/> entries, an entry over <see cref="MaxEntryBytes"/> or all over <see cref="MaxTotalBytes"/>
    /// uncompressed, an entry (past <see cref="RatioGraceBytes"/>) that inflates more than <see cref="MaxRatio"/> times,
    /// or an entry that inflates to more than its header says. Entries are inflated here, never past their declared
    /// sizes (.NET's zip reader stops there by itself; the count below does not rely on it), so never past the limits.
    /// </summary>
    public static string? CheckZip(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > MaxEntries)
            {
                return $"The spreadsheet has {zip.Entries.Count} parts; at most {MaxEntries} are accepted.";
            }

            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (entry.Length > MaxEntryBytes || total > MaxTotalBytes)
                {
                    return $"The spreadsheet is too large once unpacked (at most {MaxEntryBytes / (1024 * 1024)} MB a part, {MaxTotalBytes / (1024 * 1024)} MB in all).";
                }

                if (entry.Length > RatioGraceBytes && (entry.CompressedLength == 0 || entry.Length / (double)entry.CompressedLength > MaxRatio))
                {
                    return $"The spreadsheet's part '{entry.FullName}' unpacks to more than {MaxRatio} times its size: refused as a possible zip bomb.";
                }
            }

            if (zip.GetEntry("xl/workbook.xml") is null)
            {
                return "This zip file is not an .xlsx spreadsheet (it has no xl/workbook.xml).";
            }

            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                using var content = entry.Open();
                long read = 0;
                int count;
                while ((count = content.Read(buffer, 0, buffer.Length)) > 0)
                {
                    read += count;
                    if (read > entry.Length)
                    {
                        return $"The spreadsheet's part '{entry.FullName}' unpacks to more than its header says: refused.";
                    }
                }
            }

            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            return "This is not a readable .xlsx spreadsheet (not a valid zip file).";
        }
    }

    /// <summary>
    /// Writes the template: single and multi-select questions with 2 to 4 answers and at most 120 characters of
    /// question, and true/false questions as a choice between True and False. Type-answer, ordering and poll
    /// questions are left out, and points are not in the template: Notes says so.
    /// </summary>
    public static QuizExport Export(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        var notes = new List<string>();
        var leftOut = new List<int>();
        var fits = new List<(string Text, IReadOnlyList<Answer> Answers, int TimeLimit)>();
        var questions = quiz.Questions ?? [];
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            var what = QuizFormats.Describe(question.Type);
            if (new StringInfo(question.Text!).LengthInTextElements > MaxQuestionText)
            {
                notes.Add($"Question {i + 1} left out: Kahoot questions have at most {MaxQuestionText} characters.");
                leftOut.Add(i + 1);
                continue;
            }

            switch (question.Type)
            {
                case QuestionTypes.SingleChoice or QuestionTypes.Multi when question.Answers!.Count <= 4:
                    fits.Add((question.Text!, question.Answers, question.TimeLimit ?? QuizRules.DefaultTimeLimit));
                    if (question.Type == QuestionTypes.Multi && question.Answers.Count(a => a.Correct == true) == 1)
                    {
                        notes.Add($"Question {i + 1} (multi-select with one right answer) will import again as a single-choice question.");
                    }

                    break;
                case QuestionTypes.SingleChoice or QuestionTypes.Multi:
                    notes.Add($"Question {i + 1} ({what}) left out: the Kahoot template has at most 4 answers.");
                    leftOut.Add(i + 1);
                    continue;
                case QuestionTypes.TrueFalse:
                    fits.Add((question.Text!, [new Answer("True", question.Correct == true), new Answer("False", question.Correct == false)],
                        question.TimeLimit ?? QuizRules.DefaultTimeLimit));
                    notes.Add($"Question {i + 1} (true/false) written as a single choice between True and False.");
                    break;
                default:
                    notes.Add($"Question {i + 1} ({what}) left out: the Kahoot template has multiple-choice questions only.");
                    leftOut.Add(i + 1);
                    continue;
            }

            if (question.Points is { } points && points != QuizRules.DefaultPoints)
            {
                notes.Add($"Question {i + 1}: the template has no points column; it will import with standard points.");
            }
        }

        return new QuizExport(Write(quiz.Title ?? "", fits), QuizFormats.XlsxContentType, ".xlsx", notes) { LeftOut = leftOut };
    }

    private static void Read(int row, string?[] cells, ImportCollector collector)
    {
        string? Cell(int column) => cells[column] is { } value && value.Trim() is { Length: > 0 } text ? text : null;

        var text = Cell(1);
        if (text is null)
        {
            if (Enumerable.Range(2, 6).Any(c => Cell(c) is not null))
            {
                collector.Skip(row, "No question text (column B).");
            }

            return;
        }

        var answers = Enumerable.Range(1, 4).Select(n => (Number: n, Text: Cell(1 + n))).Where(a => a.Text is not null).ToList();
        if (answers.Count < QuizRules.MinChoices)
        {
            collector.Skip(row, $"A question needs at least {QuizRules.MinChoices} answers (columns C–F); this one has {answers.Count}.");
            return;
        }

        int? timeLimit = null;
        if (Cell(6) is { } limitText)
        {
            if (!double.TryParse(limitText, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit)
                || limit != Math.Floor(limit) || !QuizRules.TimeLimits.Contains((int)Math.Clamp(limit, 0, int.MaxValue)))
            {
                collector.Skip(row, $"The time limit '{limitText}' (column G) must be one of {string.Join(", ", QuizRules.TimeLimits)} seconds.");
                return;
            }

            timeLimit = (int)limit;
        }

        if (Cell(7) is not { } correctText)
        {
            collector.Skip(row, "No correct answer (column H): give the numbers of the right answers, e.g. 2 or 2,4.");
            return;
        }

        var correct = new HashSet<int>();
        foreach (var token in correctText.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                || number != Math.Floor(number) || number is < 1 or > 4)
            {
                collector.Skip(row, $"'{token}' in column H is not an answer number from 1 to 4.");
                return;
            }

            if (!answers.Any(a => a.Number == (int)number))
            {
                collector.Skip(row, $"Correct answer {number} (column H) is empty.");
                return;
            }

            correct.Add((int)number);
        }

        var type = correct.Count == 1 ? QuestionTypes.SingleChoice : QuestionTypes.Multi;
        collector.Add(row, new Question(type, text, timeLimit, null, answers.Select(a => new Answer(a.Text, correct.Contains(a.Number))).ToList()));
    }

    private static bool IsHeader(string?[] cells) =>
        cells[1]?.Trim().StartsWith("question", StringComparison.OrdinalIgnoreCase) == true
        && cells[2]?.Trim().StartsWith("answer", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Columns A–H of every row with content in them, streamed from the first worksheet.</summary>
    private static List<(int Row, string?[] Cells)> ReadRows(byte[] bytes, ImportCollector collector)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var document = SpreadsheetDocument.Open(stream, isEditable: false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("No workbook.");
        var sheet = workbook.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("No sheet.");
        if (sheet.Id?.Value is not { } id || workbook.GetPartById(id) is not WorksheetPart part)
        {
            throw new InvalidDataException("The first sheet is not a worksheet.");
        }

        var shared = new List<string>();
        if (workbook.SharedStringTablePart is { } sharedPart)
        {
            using var strings = OpenXmlReader.Create(sharedPart);
            while (strings.Read())
            {
                if (strings.ElementType == typeof(SharedStringItem) && strings.IsStartElement)
                {
                    shared.Add(Text((SharedStringItem)strings.LoadCurrentElement()!));
                }
            }
        }

        var rows = new List<(int, string?[])>();
        using var reader = OpenXmlReader.Create(part);
        var rowNumber = 0;
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
            {
                continue;
            }

            var row = (Row)reader.LoadCurrentElement()!;
            rowNumber = row.RowIndex?.Value is { } index and <= int.MaxValue ? (int)index : rowNumber + 1;
            var cells = new string?[8];
            var column = -1;
            foreach (var cell in row.Elements<Cell>())
            {
                column = cell.CellReference?.Value is { } reference ? Column(reference) : column + 1;
                if (column is >= 0 and < 8)
                {
                    cells[column] = Value(cell, shared);
                }
            }

            if (cells.All(c => string.IsNullOrWhiteSpace(c)))
            {
                continue;
            }

            if (rows.Count == MaxRows)
            {
                collector.Skip(rowNumber, $"This row and the ones after it were not read: a quiz has at most {QuizRules.MaxQuestions} questions.");
                break;
            }

            rows.Add((rowNumber, cells));
        }

        return rows;
    }

    /// <summary>The zero-based column of a reference such as "C12" (-1 when it has no letters).</summary>
    private static int Column(string reference)
    {
        var column = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' && letters < 4)
            {
                column = (column * 26) + (char.ToUpperInvariant(c) - 'A' + 1);
                letters++;
            }
            else
            {
                break;
            }
        }

        return column - 1;
    }

    private static string? Value(Cell cell, List<string> shared)
    {
        var type = cell.DataType?.Value;
        if (type == CellValues.InlineString)
        {
            return cell.InlineString is { } inline ? Text(inline) : cell.CellValue?.Text;
        }

        var value = cell.CellValue?.Text;
        if (value is null)
        {
            return null;
        }

        if (type == CellValues.SharedString)
        {
            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Count ? shared[i] : null;
        }

        if (type == CellValues.Boolean)
        {
            return value.Trim() is "1" or "true" ? "True" : "False"; // Excel turns a typed True into a boolean cell
        }

        // CellValues is a struct since OpenXml 3, so not a pattern constant.
        if ((type is null || type == CellValues.Number) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        return value;
    }

    /// <summary>A rich-text string's text: its plain text, or its runs put together (phonetic hints left out).</summary>
    private static string Text(RstType item) =>
        item.Text is { } plain ? plain.Text : string.Concat(item.Elements<Run>().Select(r => r.Text?.Text));

    private static byte[] Write(string title, List<(string Text, IReadOnlyList<Answer> Answers, int TimeLimit)> questions)
    {
        var rows = new List<SheetRow>
        {
            new(1, [SheetCell.Of(title, bold: true)]),
            new(2, [SheetCell.Of("Kahoot quiz spreadsheet, exported from Homeroom. Questions from row 9.")]),
            new(3, [SheetCell.Of("Question: max 120 characters. Answers: max 75 characters. Time limit: 5, 10, 20, 30, 60, 90, 120 or 240 seconds.")]),
            new(4, [SheetCell.Of("Correct answer(s): the numbers of the right answers, separated by commas (e.g. 2,4).")]),
            new(HeaderRow, Header.Select(h => SheetCell.Of(h, bold: true)).ToList()),
        };
        for (var i = 0; i < questions.Count; i++)
        {
            var (text, answers, timeLimit) = questions[i];
            var cells = new SheetCell[8];
            cells[0] = SheetCell.Of(i + 1);
            cells[1] = SheetCell.Of(text);
            for (var k = 0; k < answers.Count; k++)
            {
                cells[2 + k] = SheetCell.Of(answers[k].Text);
            }

            cells[6] = SheetCell.Of(timeLimit);
            var right = answers.Select((a, k) => (a, k)).Where(x => x.a.Correct == true).Select(x => x.k + 1).ToList();
            cells[7] = right.Count == 1 ? SheetCell.Of(right[0]) : SheetCell.Of(string.Join(",", right));
            rows.Add(new SheetRow(HeaderRow + 1 + i, cells));
        }

        return Spreadsheet.Write([new SheetSpec("Kahoot", [5, 60, 25, 25, 25, 25, 18, 18], rows)]);
    }
}
