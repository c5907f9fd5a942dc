using System.Text;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>The quiz contract as JSON: validated as a whole, the first invalid field named with its line.</summary>
public sealed class QuizJsonTests
{
    private static QuizImportResult Json(string text, string fileName = "quiz.json") =>
        QuizFormats.Import(Encoding.UTF8.GetBytes(text), "json", fileName);

    [Fact]
    public void The_fixture_is_read_with_every_field()
    {
        var result = Imported(QuizFormats.Import(Bytes("every-type.json"), "json", "every-type.json"));

        SameQuiz(new QuizContent("Every type, in JSON", "One question of each of the six types.", ["sample", "json"], "public",
        [
            Single("What is 2 + 2?", 1, "3", "4") with { TimeLimit = 20, Points = 1000 },
            Multi("Which are even?", [0, 2], "2", "3", "4") with { TimeLimit = 30, Points = 2000 },
            TrueFalse("The earth is flat.", false),
            TypeAnswer("Capital of France?", "Paris", "Lutèce") with { TimeLimit = 60 },
            Order("Small to large", "one", "two", "three") with { Points = 0 },
            Poll("Favourite season?", "Spring", "Summer") with { TimeLimit = 10 },
        ]), result.Quiz);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Export_then_import_gives_back_the_whole_quiz()
    {
        var quiz = EveryType();

        var export = QuizFormats.Export(quiz, "json");
        var result = Imported(QuizFormats.Import(export.Content, "json", "anything.json"));

        SameQuiz(quiz, result.Quiz);
        Assert.Equal((".json", "application/json; charset=utf-8"), (export.FileExtension, export.ContentType));
        Assert.Contains("\"Ünïcödé ✓\"", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
        Assert.DoesNotContain("null", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_failure_is_an_error_naming_the_field_and_its_line()
    {
        var result = Json("""
            {
              "title": "Bad",
              "questions": [
                { "type": "truefalse", "text": "Fine", "correct": true },
                { "type": "single", "text": "Two right",
                  "answers": [ { "text": "a", "correct": true },
                               { "text": "b", "correct": true } ] }
              ]
            }
            """);

        Assert.Null(result.Quiz);
        Assert.Equal(6, result.Error!.Line);
        Assert.Equal("questions[1].answers: A single-choice question has exactly one correct answer; this one has 2.", result.Error.Message);
    }

    [Fact]
    public void A_missing_field_is_reported_where_its_object_starts()
    {
        var result = Json("{\n \"title\": \"x\",\n \"questions\": [\n  {\n   \"type\": \"single\",\n   \"answers\": [{\"text\": \"a\", \"correct\": true}, {\"text\": \"b\"}]\n  }\n ]\n}");

        Assert.Equal(4, result.Error!.Line);
        Assert.Equal("questions[0].text is required.", result.Error.Message);
    }

    [Fact]
    public void Broken_JSON_is_an_error_with_its_line()
    {
        var result = Json("{\n  \"title\": \"x\",\n  \"questions\": [ { \"type\": \"single\", } \n");

        Assert.Null(result.Quiz);
        Assert.Equal(3, result.Error!.Line);
        Assert.StartsWith("This is not a quiz in JSON", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_kind_is_an_error_naming_its_path()
    {
        var result = Json("{ \"title\": \"x\", \"questions\": [ { \"type\": \"truefalse\", \"text\": \"t\", \"correct\": \"maybe\" } ] }");

        Assert.Equal(1, result.Error!.Line);
        Assert.Contains("at questions[0].correct", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_title_is_taken_from_the_file_name()
    {
        var result = Imported(Json("{ \"questions\": [ { \"type\": \"truefalse\", \"text\": \"t\", \"correct\": true } ] }", "My quiz.json"));

        Assert.Equal("My quiz", result.Quiz!.Title);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{ \"questions\": 5 }")]
    public void Json_that_is_not_a_quiz_is_an_error(string text)
    {
        var result = Json(text);

        Assert.Null(result.Quiz);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var result = Json("{\"title\": " + new string('[', 10_000) + new string(']', 10_000) + "}");

        Assert.NotNull(result.Error);
    }
}
