using System.Text;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>Detection, dispatch, limits shared by every format, and bad input that must never throw.</summary>
public sealed class QuizFormatsTests
{
    [Theory]
    [InlineData("every-construct.gift", null, "gift")]
    [InlineData("every-construct.gift", "quiz.txt", "gift")]
    [InlineData("both-styles.aiken.txt", "quiz.txt", "aiken")]
    [InlineData("both-styles.aiken.txt", null, "aiken")]
    [InlineData("every-type.csv", null, "csv")]
    [InlineData("every-type.csv", "quiz.txt", "csv")]
    [InlineData("every-type.json", null, "json")]
    [InlineData("every-type.json", "quiz.txt", "json")]
    public void Detect_recognises_each_fixture_by_its_content(string fixture, string? fileName, string format) =>
        Assert.Equal(format, QuizFormats.Detect(Bytes(fixture), fileName, null));

    [Theory]
    [InlineData("quiz.csv", null, "csv")]
    [InlineData("quiz.gift", null, "gift")]
    [InlineData("quiz.JSON", null, "json")]
    [InlineData("quiz.xlsx", null, "kahoot")]
    [InlineData(null, "text/csv; charset=utf-8", "csv")]
    [InlineData(null, "application/json", "json")]
    [InlineData(null, "text/plain", null)]
    [InlineData("notes.txt", null, null)]
    public void Detect_goes_by_file_name_then_content_type(string? fileName, string? contentType, string? format) =>
        Assert.Equal(format, QuizFormats.Detect(Encoding.UTF8.GetBytes("just some words"), fileName, contentType));

    [Fact]
    public void Detect_calls_any_zip_a_Kahoot_spreadsheet_and_binary_nothing()
    {
        Assert.Equal("kahoot", QuizFormats.Detect([.. "PK\u0003\u0004"u8, 1, 2, 3], "quiz.csv", "text/csv"));
        Assert.Null(QuizFormats.Detect([0, 1, 2, 3, 0], null, null));
        Assert.Null(QuizFormats.Detect([], null, null));
    }

    [Fact]
    public void Random_bytes_are_an_error_in_every_format_never_an_exception()
    {
        var random = new Random(20260101);
        foreach (var format in QuizFormats.ImportFormats)
        {
            for (var i = 0; i < 50; i++)
            {
                var bytes = new byte[random.Next(0, 4096)];
                random.NextBytes(bytes);
                if (i % 5 == 0)
                {
                    "PK\u0003\u0004"u8.CopyTo(bytes.AsSpan(0, Math.Min(4, bytes.Length)));
                }

                var result = QuizFormats.Import(bytes, format, "random.bin");

                Assert.Null(result.Quiz);
                Assert.NotNull(result.Error);
            }
        }
    }

    [Fact]
    public void Random_text_is_an_error_or_a_valid_quiz_in_every_format_never_an_exception()
    {
        var random = new Random(42);
        const string alphabet = "abc ABC 123 {}=~#:\\%-> \n\n\r\t,;\"'[]ANSWER: A. B) T F //$CATEGORY:::";
        foreach (var format in QuizFormats.ImportFormats)
        {
            for (var i = 0; i < 200; i++)
            {
                var text = new string([.. Enumerable.Range(0, random.Next(0, 600)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

                var result = QuizFormats.Import(Encoding.UTF8.GetBytes(text), format, "random.txt");

                Assert.True((result.Error is not null) ^ (result.Quiz is not null));
                if (result.Quiz is { } quiz)
                {
                    var errors = new Homeroom.Web.ValidationErrors();
                    QuizRules.Validate(quiz, errors);
                    Assert.True(errors.IsEmpty, $"{format}: {text}");
                }
            }
        }
    }

    [Fact]
    public void An_unknown_format_is_an_error()
    {
        var result = QuizFormats.Import([1, 2, 3], "qti", "x.xml");

        Assert.Null(result.Quiz);
        Assert.Contains("Unknown format 'qti'", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_first_100_questions_are_imported_and_the_rest_reported_once()
    {
        var gift = string.Join("\n\n", Enumerable.Range(1, 130).Select(i => $"Question {i}? {{T}}"));

        var result = Imported(QuizFormats.Import(Encoding.UTF8.GetBytes(gift), "gift", "many.gift"));

        Assert.Equal(100, result.Quiz!.Questions!.Count);
        var problem = Assert.Single(result.Skipped);
        Assert.Equal(201, problem.Line);
        Assert.Contains("nor the 29 question(s) after it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void At_most_200_problems_are_listed()
    {
        var gift = string.Join("\n\n", Enumerable.Range(1, 300).Select(i => $"Essay {i} {{}}")) + "\n\nKept? {T}";

        var result = Imported(QuizFormats.Import(Encoding.UTF8.GetBytes(gift), "gift", "many.gift"));

        Assert.Equal(201, result.Skipped.Count);
        Assert.Equal("100 more problem(s) from here on are not listed.", result.Skipped[^1].Message);
    }

    [Theory]
    [InlineData("Week 3.gift", "Week 3")]
    [InlineData("/tmp/uploads/quiz.final.csv", "quiz.final")]
    [InlineData("C:\\Users\\me\\Desktop\\Fractions.xlsx", "Fractions")]
    [InlineData(".gift", ".gift")]
    [InlineData("", "Imported quiz")]
    [InlineData(null, "Imported quiz")]
    [InlineData("   .txt", "Imported quiz")]
    public void The_title_comes_from_the_file_name(string? fileName, string title) =>
        Assert.Equal(title, QuizFormats.TitleFromFileName(fileName));

    [Fact]
    public void A_long_file_name_is_cut_to_the_title_limit()
    {
        Assert.Equal(QuizRules.MaxTitle, QuizFormats.TitleFromFileName(new string('x', 300) + ".gift").Length);
    }

    [Fact]
    public void Only_a_valid_quiz_is_exported_and_only_in_known_formats()
    {
        Assert.Throws<ArgumentException>(() => QuizFormats.Export(Quiz("", TrueFalse("t", true)), "gift"));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuizFormats.Export(Quiz("x", TrueFalse("t", true)), "qti"));
    }

    [Fact]
    public void Every_export_format_imports_again()
    {
        foreach (var format in QuizFormats.ExportFormats)
        {
            var export = QuizFormats.Export(EveryType(), format);
            var detected = QuizFormats.Detect(export.Content, "quiz" + export.FileExtension, export.ContentType);

            var result = QuizFormats.Import(export.Content, detected!, "quiz" + export.FileExtension);

            Assert.Null(result.Error);
            Assert.Equal(format == "xlsx" ? "kahoot" : format, result.Format);
        }
    }
}
