using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Homeroom.Web;

/// <summary>A cell written by <see cref="Spreadsheet"/>: text (a shared string), a number, or nothing (<c>default</c>).</summary>
public readonly record struct SheetCell(string? Text, double? Number, bool Bold)
{
    public static SheetCell Of(string? text, bool bold = false) => new(text ?? "", null, bold);

    public static SheetCell Of(double number) => new(null, number, false);

    public static SheetCell Of(double? number) => number is { } value ? Of(value) : default;

    public bool IsEmpty => Text is null && Number is null;
}

/// <summary>One row, numbered from 1; its cells fill columns A, B, … in order.</summary>
public sealed record SheetRow(int Number, IReadOnlyList<SheetCell> Cells);

/// <summary>A worksheet: its tab name, column widths (in characters, from column A) and rows in ascending order.</summary>
public sealed record SheetSpec(string Name, IReadOnlyList<double> ColumnWidths, IReadOnlyList<SheetRow> Rows);

/// <summary>
/// Writes .xlsx workbooks (DocumentFormat.OpenXml): every export that produces a spreadsheet goes through here.
/// Text is stored as shared strings, which a spreadsheet program shows as text and never runs as a formula;
/// text that would read as one if typed (<see cref="CsvSafety.LooksLikeFormula"/>) also gets Excel's
/// "quote prefix" style, so editing the cell keeps it text. The value itself is unchanged.
/// </summary>
public static class Spreadsheet
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    // Cell formats in the stylesheet below.
    private const uint Plain = 0;
    private const uint Bold = 1;
    private const uint QuotedText = 2;
    private const uint BoldQuotedText = 3;

    public static byte[] Write(IReadOnlyList<SheetSpec> sheets)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        var strings = new Dictionary<string, int>(StringComparer.Ordinal);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetList = new Sheets();
            uint sheetId = 1;
            foreach (var spec in sheets)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                foreach (var row in spec.Rows)
                {
                    var cells = new List<Cell>();
                    for (var column = 0; column < row.Cells.Count; column++)
                    {
                        if (!row.Cells[column].IsEmpty)
                        {
                            cells.Add(ToCell(row.Cells[column], ColumnName(column) + row.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), strings));
                        }
                    }

                    data.Append(new Row(cells) { RowIndex = (uint)row.Number });
                }

                var worksheet = new Worksheet();
                if (spec.ColumnWidths.Count > 0)
                {
                    worksheet.Append(new Columns(spec.ColumnWidths.Select((width, i) =>
                        new Column { Min = (uint)(i + 1), Max = (uint)(i + 1), Width = width, CustomWidth = true })));
                }

                worksheet.Append(data);
                part.Worksheet = worksheet;
                sheetList.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = sheetId++, Name = SheetName(spec.Name) });
            }

            var shared = workbook.AddNewPart<SharedStringTablePart>();
            shared.SharedStringTable = new SharedStringTable(strings.OrderBy(s => s.Value).Select(s =>
                new SharedStringItem(new Text(s.Key) { Space = SpaceProcessingModeValues.Preserve })))
            {
                Count = (uint)strings.Count,
                UniqueCount = (uint)strings.Count,
            };
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
                new CellFormats(
                    new CellFormat(),
                    new CellFormat { FontId = 1, ApplyFont = true },
                    new CellFormat { QuotePrefix = true },
                    new CellFormat { FontId = 1, ApplyFont = true, QuotePrefix = true })
                { Count = 4 });
            workbook.Workbook.AppendChild(sheetList);
        }

        return stream.ToArray();
    }

    private static Cell ToCell(SheetCell cell, string reference, Dictionary<string, int> strings)
    {
        if (cell.Number is { } number)
        {
            return new Cell { CellReference = reference, CellValue = new CellValue(number), StyleIndex = cell.Bold ? Bold : Plain };
        }

        var text = XmlSafe(cell.Text!);
        if (!strings.TryGetValue(text, out var index))
        {
            strings[text] = index = strings.Count;
        }

        var quoted = CsvSafety.LooksLikeFormula(text);
        return new Cell
        {
            CellReference = reference,
            DataType = CellValues.SharedString,
            CellValue = new CellValue(index),
            StyleIndex = (cell.Bold, quoted) switch
            {
                (true, true) => BoldQuotedText,
                (true, false) => Bold,
                (false, true) => QuotedText,
                _ => Plain,
            },
        };
    }

    /// <summary>"A" for column 0, "Z" for 25, "AA" for 26.</summary>
    public static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + ((n - 1) % 26)) + name;
        }

        return name;
    }

    /// <summary>Tab names have at most 31 characters and none of : \ / ? * [ ].</summary>
    private static string SheetName(string name)
    {
        var safe = string.Concat(name.Select(c => c is ':' or '\\' or '/' or '?' or '*' or '[' or ']' ? '-' : c)).Trim();
        return safe.Length == 0 ? "Sheet" : safe[..Math.Min(31, safe.Length)];
    }

    /// <summary>Characters XML cannot hold (a lone surrogate passes validation) become U+FFFD.</summary>
    public static string XmlSafe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                safe.Append(text, i, 2);
                i++;
            }
            else
            {
                safe.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
        }

        return safe.ToString();
    }
}
