using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Homeroom.Web;

namespace Homeroom.Quizzes.Formats;

/// <summary>
/// The quiz contract itself as JSON (System.Text.Json web defaults: camelCase, case-insensitive names, numbers
/// may be strings). A missing title is taken from the file name. Unlike the other formats nothing is skipped:
/// a file that fails validation is an Error naming the first invalid field and the line it is on.
/// </summary>
public static class QuizJson
{
    private static readonly JsonSerializerOptions Read = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Write = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All), // readable accents; < > & ' still escaped
    };

    public static QuizImportResult Import(byte[] bytes, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var collector = new ImportCollector(QuizFormats.Json);
        if (QuizFormats.Text(bytes, out var error) is not { } text)
        {
            return collector.Error(error!.Line, error.Message);
        }

        QuizContent? quiz;
        try
        {
            quiz = JsonSerializer.Deserialize<QuizContent>(text, Read);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)Math.Min(l + 1, int.MaxValue) : 0;
            var where = e.Path is { Length: > 1 } at ? $" at {at.TrimStart('$').TrimStart('.')}" : "";
            return collector.Error(line, $"This is not a quiz in JSON{where}: {e.Message.Split(" Path:")[0]}");
        }

        if (quiz is null)
        {
            return collector.Error(1, "The JSON is null, not a quiz.");
        }

        if (string.IsNullOrWhiteSpace(quiz.Title))
        {
            quiz = quiz with { Title = QuizFormats.TitleFromFileName(fileName) };
        }

        var errors = new ValidationErrors();
        QuizRules.Validate(quiz, errors);
        if (!errors.IsEmpty)
        {
            var (field, messages) = errors.ToDictionary().First();
            var message = messages[0].StartsWith(field, StringComparison.Ordinal) ? messages[0] : $"{field}: {messages[0]}";
            return collector.Error(LineOf(text, field), message);
        }

        return new QuizImportResult(QuizRules.Normalize(quiz), [], null, QuizFormats.Json);
    }

    public static QuizExport Export(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        return new QuizExport(JsonSerializer.SerializeToUtf8Bytes(quiz, Write), "application/json; charset=utf-8", ".json", []);
    }

    /// <summary>
    /// The line of the value at a validation path such as "questions[2].answers[0].text", or of its nearest
    /// ancestor that is in the file (a missing field is reported where its object starts).
    /// </summary>
    public static int LineOf(string json, string path)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(path);
        var bytes = Encoding.UTF8.GetBytes(json);
        var starts = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var containers = new Stack<(string Path, bool Array, int Next)>();
        string? property = null;
        var reader = new Utf8JsonReader(bytes);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.Pop();
                        continue;
                    case JsonTokenType.Comment or JsonTokenType.None:
                        continue;
                }

                var valuePath = "";
                if (containers.TryPop(out var parent))
                {
                    valuePath = parent.Array
                        ? $"{parent.Path}[{parent.Next}]"
                        : parent.Path.Length == 0 ? property ?? "" : $"{parent.Path}.{property}";
                    containers.Push(parent with { Next = parent.Next + 1 });
                }

                starts.TryAdd(valuePath, reader.TokenStartIndex);
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    containers.Push((valuePath, reader.TokenType == JsonTokenType.StartArray, 0));
                }
            }
        }
        catch (JsonException)
        {
            // Already parsed once: cannot happen; keep what was found.
        }

        for (var at = path; ; at = Parent(at))
        {
            if (starts.TryGetValue(at, out var offset))
            {
                return 1 + bytes.AsSpan(0, (int)offset).Count((byte)'\n');
            }

            if (at.Length == 0)
            {
                return 1;
            }
        }
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }
}
