using System.Text;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>Homeroom's own CSV layout (docs/quiz-formats.md), which carries every question type.</summary>
public sealed class QuizCsvTests
{
    private static QuizImportResult Fixture() => QuizFormats.Import(Bytes("every-type.csv"), "csv", "every-type.csv");

    private static QuizImportResult Csv(string text) => QuizFormats.Import(Encoding.UTF8.GetBytes(text), "csv", "test.csv");

    [Fact]
    public void Every_type_is_read_from_its_row()
    {
        var result = Imported(Fixture());

        SameQuiz(Quiz("every-type",
            Single("What is 2 + 2?", 1, "3", "4", "5") with { TimeLimit = 20, Points = 1000 },
            Multi("Which are even?", [0, 2], "2", "3", "4") with { TimeLimit = 30, Points = 2000 },
            Poll("Favourite season?", "Spring", "Summer", "Autumn", "Winter") with { TimeLimit = 10, Points = 0 },
            TrueFalse("The earth is flat.", false) with { TimeLimit = 5, Points = 1000 },
            TypeAnswer("Capital of France?", "Paris", "Paris, France") with { TimeLimit = 60, Points = 1000 },
            Order("Order from small to large", "one", "two", "three") with { TimeLimit = 90 },
            Single("=1+1 is?", 0, "=2", "-3") with { TimeLimit = 20, Points = 1000 },
            Multi("After a blank line, with \"quotes\"", [1], "a", "b, or \"c\"")), result.Quiz);
    }

    [Fact]
    public void Bad_rows_are_skipped_and_reported_by_line()
    {
        var skipped = Fixture().Skipped;

        Assert.Equal([8, 9, 10, 11, 12, 14], skipped.Select(p => p.Line));
        Assert.Contains("Malformed quotes", skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("Unknown type 'essay'", skipped[1].Message, StringComparison.Ordinal);
        Assert.Contains("correct is empty", skipped[2].Message, StringComparison.Ordinal);
        Assert.Contains("timeLimit must be one of", skipped[3].Message, StringComparison.Ordinal);
        Assert.Contains("true or false", skipped[4].Message, StringComparison.Ordinal);
        Assert.Contains("correct '3' is not the number of a filled-in answer column", skipped[5].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quote_that_is_never_closed_is_reported_and_the_rows_before_it_kept()
    {
        var result = Csv("type,question,correct,answer1,answer2\nsingle,Fine?,1,yes,no\nsingle,\"Never closed,1,yes,no\nsingle,Lost?,1,yes,no\n");

        Assert.Single(result.Quiz!.Questions!);
        var problem = Assert.Single(result.Skipped);
        Assert.Equal(3, problem.Line);
        Assert.Contains("never closed", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_with_a_line_break_is_reported_at_the_line_it_starts()
    {
        var result = Csv("type,question,correct,answer1,answer2\nsingle,\"Two\nlines\",1,yes,no\nsingle,Fine?,1,yes,no\n");

        Assert.Equal(2, Assert.Single(result.Skipped).Line);
        SameQuestion(Single("Fine?", 0, "yes", "no"), Assert.Single(result.Quiz!.Questions!));
    }

    [Fact]
    public void Columns_are_found_by_name_and_semicolons_work_as_the_delimiter()
    {
        var result = Imported(Csv("Answer 2;Answer 1;Question;Type;Correct;Points\nno;yes;Is it?;single;1;2000\n"));

        SameQuestion(Single("Is it?", 0, "yes", "no") with { Points = 2000 }, Assert.Single(result.Quiz!.Questions!));
    }

    [Fact]
    public void A_file_without_the_header_is_an_error_on_line_1()
    {
        var result = Csv("single,What?,20,1000,1,a,b\n");

        Assert.Null(result.Quiz);
        Assert.Equal(1, result.Error!.Line);
        Assert.Contains("header", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_poll_with_a_correct_answer_and_numbers_that_are_not_numbers_are_skipped()
    {
        var result = Csv("type,question,timeLimit,points,correct,answer1,answer2\npoll,Which?,,,1,a,b\nsingle,When?,soon,,1,a,b\nsingle,How many?,,lots,1,a,b\ntruefalse,Ok?,,,TRUE\n");

        Assert.Equal([2, 3, 4], result.Skipped.Select(p => p.Line));
        SameQuestion(TrueFalse("Ok?", true), Assert.Single(result.Quiz!.Questions!));
    }

    [Fact]
    public void Export_then_import_gives_back_every_type()
    {
        var quiz = EveryType();

        var export = QuizFormats.Export(quiz, "csv");
        var result = Imported(QuizFormats.Import(export.Content, "csv", "Every type.csv"));

        SameQuiz(AsImported(quiz, "Every type"), result.Quiz);
        Assert.Empty(result.Skipped);
        Assert.Empty(export.Notes);
    }

    [Fact]
    public void Export_neutralises_formulas_and_writes_the_documented_header()
    {
        var export = QuizFormats.Export(EveryType(), "csv");
        var text = Encoding.UTF8.GetString(export.Content);

        Assert.Equal((".csv", "text/csv; charset=utf-8"), (export.FileExtension, export.ContentType));
        Assert.StartsWith("\uFEFFtype,question,timeLimit,points,correct,answer1,answer2,answer3,answer4,answer5,answer6\r\n", text, StringComparison.Ordinal);
        Assert.Contains(",'=SUM(A1:A2),", text, StringComparison.Ordinal);
        Assert.Contains(",'-7,", text, StringComparison.Ordinal);
        Assert.Contains(",'+33 Paris,", text, StringComparison.Ordinal);
        Assert.Contains("multi,Which are even?,10,0,1;3,2,3,4,'-7,,\r\n", text, StringComparison.Ordinal);
        Assert.Contains("truefalse,The earth is flat: true?,5,1000,false,,,,,,\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_answer_with_ten_accepted_answers_gets_ten_answer_columns()
    {
        var quiz = Quiz("Ten", TypeAnswer("Name a number", [.. Enumerable.Range(1, 10).Select(i => $"n{i}")]), Single("One?", 0, "a", "b"));

        var export = QuizFormats.Export(quiz, "csv");

        Assert.Contains(",answer10\r\n", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
        SameQuiz(quiz, Imported(QuizFormats.Import(export.Content, "csv", "Ten.csv")).Quiz);
    }
}
