using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Homeroom.Web;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// What an import produced. <see cref="Error"/> non-null means the file is broken (or holds no usable
/// question) and nothing should be created; <see cref="Quiz"/> is then null. Otherwise <see cref="Quiz"/>
/// is valid and normalized, and <see cref="Skipped"/> lists, by line (spreadsheet row for Kahoot), the
/// questions that were left out and why. Line 0 means the file as a whole.
/// </summary>
public sealed record QuizImportResult(QuizContent? Quiz, IReadOnlyList<ImportProblem> Skipped, ImportProblem? Error, string Format)
{
    /// <summary>Things imported with a change worth knowing (e.g. GIFT partial credit taken as fully correct), by line.</summary>
    public IReadOnlyList<ImportProblem> Notes { get; init; } = [];
}

/// <summary>
/// An exported file. <see cref="FileExtension"/> includes the dot. <see cref="Notes"/> says which questions the
/// format could not carry (left out) or carried with a change (e.g. true/false as a two-answer single choice).
/// </summary>
public sealed record QuizExport(byte[] Content, string ContentType, string FileExtension, IReadOnlyList<string> Notes)
{
    /// <summary>The numbers (from 1) of the questions the format could not hold, so the file does not have them.</summary>
    public IReadOnlyList<int> LeftOut { get; init; } = [];

    public void Deconstruct(out byte[] content, out string contentType, out string fileExtension)
    {
        content = Content;
        contentType = ContentType;
        fileExtension = FileExtension;
    }
}

/// <summary>Format detection and the entry points for every quiz import and export format.</summary>
public static partial class QuizFormats
{
    public const string Gift = "gift";
    public const string Aiken = "aiken";
    public const string Kahoot = "kahoot";
    public const string Csv = "csv";
    public const string Json = "json";

    /// <summary>Formats <see cref="Import"/> reads ("xlsx" is accepted as another name for "kahoot").</summary>
    public static readonly string[] ImportFormats = [Gift, Aiken, Kahoot, Csv, Json];

    /// <summary>Formats <see cref="Export"/> writes ("kahoot" is accepted as another name for "xlsx").</summary>
    public static readonly string[] ExportFormats = [Gift, Aiken, "xlsx", Csv, Json];

    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// Guesses the format of an uploaded file: a zip (xlsx) is a Kahoot spreadsheet; then the file name's
    /// extension and the content type; then the text itself (a leading '{' is JSON, "ANSWER: X" lines are
    /// Aiken, '{...}' answer blocks or '::' titles are GIFT, a "type,question" header is our CSV).
    /// Null when it cannot tell.
    /// </summary>
    public static string? Detect(byte[] bytes, string? fileName, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            return Kahoot;
        }

        var extension = Extension(fileName);
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        switch (extension)
        {
            case ".xlsx":
                return Kahoot;
            case ".gift":
                return Gift;
            case ".aiken":
                return Aiken;
            case ".csv":
                return Csv;
            case ".json":
                return Json;
        }

        switch (type)
        {
            case XlsxContentType:
                return Kahoot;
            case "text/csv" or "application/csv":
                return Csv;
            case "application/json":
                return Json;
        }

        if (TextDecoding.Decode(bytes) is not var (text, _))
        {
            return null;
        }

        var start = text.TrimStart();
        if (start.StartsWith('{') || start.StartsWith('['))
        {
            return Json;
        }

        if (AikenAnswerLine().IsMatch(text) && AikenOptionLine().IsMatch(text))
        {
            return Aiken;
        }

        if (GiftAnswerBlock().IsMatch(text) || text.Contains("::", StringComparison.Ordinal))
        {
            return Gift;
        }

        var firstLine = start.Split('\n')[0].ToLowerInvariant();
        return firstLine.Contains("type", StringComparison.Ordinal) && firstLine.Contains("question", StringComparison.Ordinal) ? Csv : null;
    }

    /// <summary>Reads a quiz in the given format. Never throws for bad input: broken files come back with an Error.</summary>
    public static QuizImportResult Import(byte[] bytes, string format, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(format);
        return format.ToLowerInvariant() switch
        {
            Gift => GiftFormat.Import(bytes, fileName),
            Aiken => AikenFormat.Import(bytes, fileName),
            Kahoot or "xlsx" => KahootSheet.Import(bytes, fileName),
            Csv => QuizCsv.Import(bytes, fileName),
            Json => QuizJson.Import(bytes, fileName),
            _ => new QuizImportResult(null, [], new ImportProblem(0, $"Unknown format '{format}': use {string.Join(", ", ImportFormats)}."), format),
        };
    }

    /// <summary>
    /// Writes a quiz in the given format (gift, aiken, xlsx, csv or json). The quiz must be valid (a stored
    /// quiz always is); it is normalized first. Questions a format cannot carry are left out and named in Notes.
    /// </summary>
    public static QuizExport Export(QuizContent quiz, string format)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        ArgumentNullException.ThrowIfNull(format);
        var errors = new ValidationErrors();
        QuizRules.Validate(quiz, errors);
        if (!errors.IsEmpty)
        {
            var (field, messages) = errors.ToDictionary().First();
            throw new ArgumentException($"Only a valid quiz can be exported: {field}: {messages[0]}", nameof(quiz));
        }

        var normalized = QuizRules.Normalize(quiz);
        var name = format.ToLowerInvariant();
        var export = name switch
        {
            Gift => GiftFormat.Export(normalized),
            Aiken => AikenFormat.Export(normalized),
            "xlsx" or Kahoot => KahootSheet.Export(normalized),
            Csv => QuizCsv.Export(normalized),
            Json => QuizJson.Export(normalized),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"Export formats are {string.Join(", ", ExportFormats)}."),
        };
        if (name == Json)
        {
            return export;
        }

        // Only JSON carries pictures: the others say which questions lose theirs (the questions themselves are written).
        var pictured = normalized.Questions!.Select((q, i) => (q, Number: i + 1))
            .Where(p => (p.q.ImageId is not null || p.q.Image is not null) && !export.LeftOut.Contains(p.Number))
            .Select(p => p.Number.ToString(CultureInfo.InvariantCulture)).ToList();
        return pictured.Count == 0 ? export : export with
        {
            Notes = [.. export.Notes, $"Pictures left out (question{(pictured.Count == 1 ? "" : "s")} {string.Join(", ", pictured)}): only the JSON format carries them."],
        };
    }

    /// <summary>The quiz title for formats that carry none: the file name without its extension, else "Imported quiz".</summary>
    public static string TitleFromFileName(string? fileName)
    {
        var name = fileName ?? "";
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var dot = name.LastIndexOf('.');
        if (dot > 0)
        {
            name = name[..dot];
        }

        name = new string(name.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (name.Length == 0)
        {
            return "Imported quiz";
        }

        var info = new StringInfo(name);
        return info.LengthInTextElements > QuizRules.MaxTitle ? info.SubstringByTextElements(0, QuizRules.MaxTitle).Trim() : name;
    }

    /// <summary>A question type as people say it.</summary>
    internal static string Describe(string? type) => type switch
    {
        QuestionTypes.SingleChoice => "single-choice question",
        QuestionTypes.Multi => "multi-select question",
        QuestionTypes.TrueFalse => "true/false question",
        QuestionTypes.TypeAnswer => "type-answer question",
        QuestionTypes.Order => "ordering question",
        QuestionTypes.Poll => "poll",
        _ => "question",
    };

    internal static string? Text(ReadOnlySpan<byte> bytes, out ImportProblem? error)
    {
        if (TextDecoding.Decode(bytes) is var (text, _))
        {
            error = null;
            return text;
        }

        error = new ImportProblem(0, "This is not a text file.");
        return null;
    }

    internal static byte[] Utf8(string text, bool byteOrderMark = false) =>
        byteOrderMark ? [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text);

    private static string Extension(string? fileName)
    {
        var name = fileName ?? "";
        var dot = name.LastIndexOf('.');
        return dot >= 0 && name.IndexOfAny(['/', '\\'], dot) < 0 ? name[dot..].ToLowerInvariant() : "";
    }

    [GeneratedRegex(@"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", RegexOptions.Multiline)]
    private static partial Regex AikenAnswerLine();

    [GeneratedRegex(@"^\s*[A-Z][.)]\s+\S", RegexOptions.Multiline)]
    private static partial Regex AikenOptionLine();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex GiftAnswerBlock();
}

/// <summary>
/// Collects the questions a parser found: each is checked with <see cref="QuizRules.ValidateQuestion"/> and
/// skipped (with its line and a readable reason) when it would fail, so only valid questions reach the quiz.
/// </summary>
internal sealed partial class ImportCollector(string format)
{
    /// <summary>At most this many problems are listed; the rest are counted in one last entry.</summary>
    public const int MaxListed = 200;

    private readonly List<(int Line, Question Question)> questions = [];
    private readonly List<ImportProblem> skipped = [];
    private readonly List<ImportProblem> notes = [];

    public string Format { get; } = format;

    public int Count => questions.Count;

    public void Skip(int line, string reason) => skipped.Add(new ImportProblem(line, reason));

    public void Note(int line, string note) => notes.Add(new ImportProblem(line, note));

    /// <summary>Adds the question if it is valid; otherwise skips it with the first reason it is not.</summary>
    public bool Add(int line, Question question)
    {
        if (Problem(question) is { } problem)
        {
            Skip(line, problem);
            return false;
        }

        questions.Add((line, question));
        return true;
    }

    /// <summary>The first validation message for a question, in words a teacher reads, or null when it is valid.</summary>
    public static string? Problem(Question question)
    {
        var errors = new ValidationErrors();
        QuizRules.ValidateQuestion(question, "question", errors);
        if (errors.IsEmpty)
        {
            return null;
        }

        var (field, messages) = errors.ToDictionary().First();
        var message = messages[0];
        var label = Label(field);
        return message.StartsWith(field, StringComparison.Ordinal) ? label + message[field.Length..] : message;
    }

    public QuizImportResult Error(int line, string message) => new(null, Listed(), new ImportProblem(line, message), Format) { Notes = notes };

    /// <summary>The quiz: at most <see cref="QuizRules.MaxQuestions"/> questions, validated and normalized; an Error when none could be read.</summary>
    public QuizImportResult Finish(string title, string? description = null)
    {
        if (questions.Count > QuizRules.MaxQuestions)
        {
            var (line, _) = questions[QuizRules.MaxQuestions];
            var rest = questions.Count - QuizRules.MaxQuestions;
            Skip(line, rest == 1
                ? $"Not imported: a quiz has at most {QuizRules.MaxQuestions} questions."
                : $"Not imported, nor the {rest - 1} question(s) after it: a quiz has at most {QuizRules.MaxQuestions} questions.");
            questions.RemoveRange(QuizRules.MaxQuestions, rest);
        }

        if (questions.Count == 0)
        {
            var first = skipped.OrderBy(p => p.Line).FirstOrDefault();
            return first is null
                ? Error(0, "The file has no questions.")
                : Error(first.Line, $"No question could be imported. Line {first.Line}: {first.Message}");
        }

        var quiz = new QuizContent(title, description, null, null, questions.Select(q => q.Question).ToList());
        var errors = new ValidationErrors();
        QuizRules.Validate(quiz, errors);
        if (!errors.IsEmpty)
        {
            var (field, messages) = errors.ToDictionary().First();
            return Error(0, $"{field}: {messages[0]}");
        }

        return new QuizImportResult(QuizRules.Normalize(quiz), Listed(), null, Format) { Notes = notes };
    }

    private List<ImportProblem> Listed()
    {
        var ordered = skipped.OrderBy(p => p.Line).ToList();
        if (ordered.Count <= MaxListed)
        {
            return ordered;
        }

        var listed = ordered.Take(MaxListed).ToList();
        listed.Add(new ImportProblem(ordered[MaxListed].Line, $"{ordered.Count - MaxListed} more problem(s) from here on are not listed."));
        return listed;
    }

    private static string Label(string field)
    {
        var match = FieldPath().Match(field);
        if (!match.Success)
        {
            return field;
        }

        var index = match.Groups["index"].Success ? int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture) + 1 : 0;
        return match.Groups["name"].Value switch
        {
            "text" => "The question text",
            "answers" when index > 0 => $"Answer {index}",
            "accepted" when index > 0 => $"Accepted answer {index}",
            "items" when index > 0 => $"Item {index}",
            var name => name,
        };
    }

    [GeneratedRegex(@"^question\.(?<name>\w+)(\[(?<index>\d+)\])?(\.text)?$")]
    private static partial Regex FieldPath();
}
