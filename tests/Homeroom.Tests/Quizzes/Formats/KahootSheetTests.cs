using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>
/// Kahoot's spreadsheet template. The workbooks are built here with OpenXml (one with shared strings, one with
/// inline strings and numbers), so every cell in them can be read in the test.
/// </summary>
public sealed class KahootSheetTests
{
    private static readonly object?[] HeaderCells =
        [null, "Question - max 120 characters", "Answer 1 - max 75 characters", "Answer 2 - max 75 characters",
         "Answer 3 - max 75 characters", "Answer 4 - max 75 characters", "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
         "Correct answer(s) - choose at least one"];

    /// <summary>A workbook with the given rows: strings as shared or inline strings, ints and doubles as numbers, bools as booleans.</summary>
    private static byte[] Workbook(bool sharedStrings, params (int Row, object?[] Cells)[] rows)
    {
        var strings = new List<string>();
        var data = new SheetData();
        foreach (var (number, values) in rows)
        {
            var row = new Row { RowIndex = (uint)number };
            for (var c = 0; c < values.Length; c++)
            {
                var reference = $"{(char)('A' + c)}{number}";
                Cell? cell = values[c] switch
                {
                    null => null,
                    string s when sharedStrings => new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(Index(strings, s)) },
                    string s => new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(s)) },
                    int n => new Cell { CellReference = reference, CellValue = new CellValue(n) },
                    double d => new Cell { CellReference = reference, DataType = CellValues.Number, CellValue = new CellValue(d) },
                    bool b => new Cell { CellReference = reference, DataType = CellValues.Boolean, CellValue = new CellValue(b) },
                    _ => throw new ArgumentException("Unknown cell value."),
                };
                if (cell is not null)
                {
                    row.Append(cell);
                }
            }

            data.Append(row);
        }

        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            sheet.Worksheet = new Worksheet(data);
            if (sharedStrings)
            {
                workbook.AddNewPart<SharedStringTablePart>().SharedStringTable = new SharedStringTable(strings.Select(s => new SharedStringItem(new Text(s))));
            }

            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = "Sheet1" }));
        }

        return stream.ToArray();
    }

    private static int Index(List<string> strings, string s)
    {
        if (strings.IndexOf(s) is var i and >= 0)
        {
            return i;
        }

        strings.Add(s);
        return strings.Count - 1;
    }

    private static (int, object?[])[] Template(params (int Row, object?[] Cells)[] questions) =>
        [(1, [null, "Quiz template"]), (3, [null, "Add questions, at least two answer alternatives, time limit and choose correct answers."]), (8, HeaderCells), .. questions];

    private static QuizImportResult Kahoot(byte[] bytes) => QuizFormats.Import(bytes, "kahoot", "Kahoot quiz.xlsx");

    [Fact]
    public void The_template_with_shared_strings_is_read_and_bad_rows_are_reported_by_row()
    {
        var bytes = Workbook(true, Template(
            (9, [1, "What is 2 + 2?", "3", "4", "5", "22", 20, 2]),
            (10, [2, "Which are even?", "2", "3", "4", "7", 30, "1,3"]),
            (11, [3, "Is the sky blue?", "True", "False", null, null, 10, 1]),
            (12, [4, null, "a", "b", null, null, 20, 1]),
            (13, [5, "Only one answer", "a", null, null, null, 20, 1]),
            (14, [6, "No correct answer", "a", "b", null, null, 20]),
            (15, [7, "Correct is not 1-4", "a", "b", null, null, 20, "5"]),
            (16, [8, "Correct answer is empty", "a", "b", null, null, 20, 3]),
            (17, [9, "A bad time limit", "a", "b", null, null, 25, 1]),
            (18, [10, "Gaps between answers", "a", null, "c", null, 60, "3"]),
            (20, [11, "No time limit", "a", "b", null, null, null, "2"])));

        var result = Imported(Kahoot(bytes));

        SameQuiz(Quiz("Kahoot quiz",
            Single("What is 2 + 2?", 1, "3", "4", "5", "22") with { TimeLimit = 20 },
            Multi("Which are even?", [0, 2], "2", "3", "4", "7") with { TimeLimit = 30 },
            Single("Is the sky blue?", 0, "True", "False") with { TimeLimit = 10 },
            Single("Gaps between answers", 1, "a", "c") with { TimeLimit = 60 },
            Single("No time limit", 1, "a", "b")), result.Quiz);
        Assert.Equal([12, 13, 14, 15, 16, 17], result.Skipped.Select(p => p.Line));
        Assert.Equal("No question text (column B).", result.Skipped[0].Message);
        Assert.Contains("at least 2 answers", result.Skipped[1].Message, StringComparison.Ordinal);
        Assert.Contains("No correct answer", result.Skipped[2].Message, StringComparison.Ordinal);
        Assert.Contains("'5' in column H", result.Skipped[3].Message, StringComparison.Ordinal);
        Assert.Contains("Correct answer 3 (column H) is empty", result.Skipped[4].Message, StringComparison.Ordinal);
        Assert.Contains("time limit '25'", result.Skipped[5].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_strings_numbers_stored_as_text_and_boolean_cells_are_read()
    {
        var bytes = Workbook(false, Template(
            (9, [1, "Which are prime?", "2", "4", "5", "9", "20", "1, 3"]),
            (10, [2.0, "Is water wet?", true, false, null, null, 5.0, 1.0]),
            (11, [3, "Numbers as answers", 1, 2.5, null, null, 240, "2;1"])));

        var result = Imported(Kahoot(bytes));

        SameQuiz(Quiz("Kahoot quiz",
            Multi("Which are prime?", [0, 2], "2", "4", "5", "9") with { TimeLimit = 20 },
            Single("Is water wet?", 0, "True", "False") with { TimeLimit = 5 },
            Multi("Numbers as answers", [0, 1], "1", "2.5") with { TimeLimit = 240 }), result.Quiz);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void A_sheet_whose_header_is_not_on_row_8_is_read_after_its_header()
    {
        var bytes = Workbook(true,
            (1, ["#", "Question", "Answer 1", "Answer 2", "Answer 3", "Answer 4", "Time limit", "Correct"]),
            (2, [1, "Moved up?", "yes", "no", null, null, 20, 1]));

        SameQuestion(Single("Moved up?", 0, "yes", "no") with { TimeLimit = 20 }, Assert.Single(Imported(Kahoot(bytes)).Quiz!.Questions!));
    }

    [Fact]
    public void A_sheet_with_no_question_rows_is_an_error()
    {
        var result = Kahoot(Workbook(true, Template()));

        Assert.Null(result.Quiz);
        Assert.Equal("The file has no questions.", result.Error!.Message);
    }

    [Fact]
    public void Export_then_import_gives_back_what_fits_the_template()
    {
        var quiz = EveryType();

        var export = QuizFormats.Export(quiz, "xlsx");
        var result = Imported(QuizFormats.Import(export.Content, "kahoot", "Every type.xlsx"));

        var single = quiz.Questions![0] with { Points = null };
        var multi = quiz.Questions[1] with { Points = null };
        var trueFalse = Single("The earth is flat: true?", 1, "True", "False") with { TimeLimit = 5 };
        SameQuiz(Quiz("Every type", single, multi, trueFalse), result.Quiz);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void The_exported_workbook_is_valid_Open_XML_in_the_template_layout()
    {
        var export = QuizFormats.Export(EveryType(), "kahoot");

        Assert.Equal((".xlsx", QuizFormats.XlsxContentType), (export.FileExtension, export.ContentType));
        using var stream = new MemoryStream(export.Content);
        using var document = SpreadsheetDocument.Open(stream, false);
        Assert.Empty(new OpenXmlValidator().Validate(document));
        var shared = document.WorkbookPart!.SharedStringTablePart!.SharedStringTable!.Elements<SharedStringItem>().Select(i => i.InnerText).ToList();
        var rows = document.WorkbookPart.WorksheetParts.Single().Worksheet.Descendants<Row>().ToDictionary(r => (int)r.RowIndex!.Value);
        string Cell(int row, int column)
        {
            var cell = rows[row].Elements<Cell>().First(c => c.CellReference!.Value == $"{(char)('A' + column)}{row}");
            return cell.DataType?.Value == CellValues.SharedString ? shared[int.Parse(cell.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)] : cell.CellValue!.Text;
        }

        Assert.Equal("Every type", Cell(1, 0));
        Assert.Equal(["#", "Question", "Answer 1", "Answer 2", "Answer 3", "Answer 4", "Time limit (sec)", "Correct answer(s)"], Enumerable.Range(0, 8).Select(c => Cell(8, c)));
        Assert.Equal(["1", "Which set is {1: 2}? ~ = # \\ and \"quotes\", commas", "{1, 2}", "=SUM(A1:A2)", "back\\slash ~ # = :", "Ünïcödé ✓", "30", "2"],
            Enumerable.Range(0, 8).Select(c => Cell(9, c)));
        Assert.Equal("1,3", Cell(10, 7));
        Assert.Equal(
        [
            "Question 1: the template has no points column; it will import with standard points.",
            "Question 2: the template has no points column; it will import with standard points.",
            "Question 3 (true/false) written as a single choice between True and False.",
            "Question 4 (type-answer question) left out: the Kahoot template has multiple-choice questions only.",
            "Question 5 (ordering question) left out: the Kahoot template has multiple-choice questions only.",
            "Question 6 (poll) left out: the Kahoot template has multiple-choice questions only.",
        ], export.Notes);
    }

    [Fact]
    public void Questions_longer_than_Kahoot_allows_or_with_more_than_four_answers_are_left_out()
    {
        var quiz = Quiz("Too big", Single(new string('q', 121), 0, "a", "b"), Single("Five", 0, "a", "b", "c", "d", "e"), Single("Fits", 0, "a", "b"),
            Multi("One right", [0], "a", "b"));

        var export = QuizFormats.Export(quiz, "xlsx");

        Assert.Equal(
        [
            "Question 1 left out: Kahoot questions have at most 120 characters.",
            "Question 2 (single-choice question) left out: the Kahoot template has at most 4 answers.",
            "Question 4 (multi-select with one right answer) will import again as a single-choice question.",
        ], export.Notes);
        Assert.Equal([QuestionTypes.SingleChoice, QuestionTypes.SingleChoice],
            Imported(QuizFormats.Import(export.Content, "kahoot", "x.xlsx")).Quiz!.Questions!.Select(q => q.Type));
    }

    private static byte[] Zip(Action<ZipArchive> fill)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            fill(zip);
        }

        return stream.ToArray();
    }

    private static void Entry(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
        writer.Write(content);
    }

    private static void Zeros(ZipArchive zip, string name, long bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        var chunk = new byte[1024 * 1024];
        for (long written = 0; written < bytes; written += chunk.Length)
        {
            entry.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - written));
        }
    }

    [Fact]
    public void A_zip_bomb_of_100_MB_of_zeros_is_refused_before_it_is_opened()
    {
        var bomb = Zip(zip =>
        {
            Entry(zip, "xl/workbook.xml", "<workbook/>");
            Zeros(zip, "xl/worksheets/sheet1.xml", 100L * 1024 * 1024);
        });
        Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes");

        var result = Kahoot(bomb);

        Assert.Null(result.Quiz);
        Assert.Contains("too large once unpacked", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_that_inflates_more_than_100_times_is_refused()
    {
        var bomb = Zip(zip =>
        {
            Entry(zip, "xl/workbook.xml", "<workbook/>");
            Zeros(zip, "xl/worksheets/sheet1.xml", 5L * 1024 * 1024);
        });

        var result = Kahoot(bomb);

        Assert.Contains("zip bomb", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_that_inflates_to_more_than_its_header_says_is_never_read_past_it()
    {
        // A real workbook whose worksheet claims to be 1,000 bytes. .NET's zip reader stops at the declared size
        // (and the importer would refuse more), so the sheet's XML is cut short and the file is an error.
        var questions = Enumerable.Range(9, 40).Select(r => (r, new object?[] { r - 8, $"Question {r}?", "yes", "no", null, null, 20, 1 })).ToArray();
        var zip = Workbook(true, Template(questions));
        string sheetName;
        using (var archive = new ZipArchive(new MemoryStream(zip)))
        {
            var sheet = archive.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal));
            (sheetName, var length) = (sheet.FullName, sheet.Length);
            Assert.True(length > 2000, $"{length} bytes");
        }

        var name = Encoding.ASCII.GetBytes(sheetName);
        var patched = 0;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            // The uncompressed size sits 22 bytes into a local header and 24 bytes into a central directory header.
            var local = BitConverter.ToUInt32(zip, i) == 0x04034b50 && zip.AsSpan(i + 30).StartsWith(name);
            var central = BitConverter.ToUInt32(zip, i) == 0x02014b50 && zip.AsSpan(i + 46).StartsWith(name);
            if (local || central)
            {
                BitConverter.GetBytes(1000u).CopyTo(zip, i + (local ? 22 : 24));
                patched++;
            }
        }

        Assert.Equal(2, patched);

        var result = Kahoot(zip);

        Assert.Null(result.Quiz);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void A_zip_with_too_many_entries_is_refused()
    {
        var zip = Zip(z =>
        {
            Entry(z, "xl/workbook.xml", "<workbook/>");
            for (var i = 0; i < 200; i++)
            {
                Entry(z, $"xl/extra{i}.xml", "<x/>");
            }
        });

        Assert.Contains("201 parts", Kahoot(zip).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_that_is_not_a_spreadsheet_is_refused()
    {
        var zip = Zip(z => Entry(z, "word/document.xml", "<document/>"));

        Assert.Contains("no xl/workbook.xml", Kahoot(zip).Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spreadsheet_with_a_broken_part_is_an_error_not_an_exception()
    {
        var zip = Zip(z =>
        {
            Entry(z, "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            Entry(z, "xl/workbook.xml", "<workbook><not closed");
        });

        var result = Kahoot(zip);

        Assert.Null(result.Quiz);
        Assert.Equal("This is not a readable .xlsx spreadsheet.", result.Error!.Message);
    }

    [Fact]
    public void A_worksheet_with_a_DTD_is_an_error()
    {
        var good = Workbook(true, Template((9, [1, "Q?", "a", "b", null, null, 20, 1])));
        var evil = Rewrite(good, "xl/worksheets/sheet1.xml", xml =>
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>" + (xml.StartsWith("<?xml", StringComparison.Ordinal) ? xml[(xml.IndexOf("?>", StringComparison.Ordinal) + 2)..] : xml));

        var result = Kahoot(evil);

        Assert.Null(result.Quiz);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Truncated_and_garbled_spreadsheets_are_errors()
    {
        var good = Workbook(true, Template((9, [1, "Q?", "a", "b", null, null, 20, 1])));
        var random = new Random(7);
        var garbled = (byte[])good.Clone();
        for (var i = 200; i < garbled.Length; i += 50)
        {
            garbled[i] = (byte)random.Next(256);
        }

        foreach (var bytes in new[] { good[..(good.Length / 2)], garbled, [.. "PK\u0003\u0004"u8, .. new byte[100]] })
        {
            var result = Kahoot(bytes);
            Assert.Null(result.Quiz);
            Assert.NotNull(result.Error);
        }
    }

    private static byte[] Rewrite(byte[] xlsx, string entryName, Func<string, string> change)
    {
        using var stream = new MemoryStream();
        stream.Write(xlsx);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry(entryName)!;
            string xml;
            using (var reader = new StreamReader(entry.Open()))
            {
                xml = reader.ReadToEnd();
            }

            entry.Delete();
            Entry(zip, entryName, change(xml));
        }

        return stream.ToArray();
    }
}
