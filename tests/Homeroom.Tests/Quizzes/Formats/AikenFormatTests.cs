using System.Text;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>Moodle Aiken: the fixture is written from Moodle's "Aiken format" documentation page, in both option styles.</summary>
public sealed class AikenFormatTests
{
    private static QuizImportResult Fixture() => QuizFormats.Import(Bytes("both-styles.aiken.txt"), "aiken", "both-styles.aiken.txt");

    private static QuizImportResult Aiken(string text) => QuizFormats.Import(Encoding.UTF8.GetBytes(text), "aiken", "test.txt");

    [Fact]
    public void Both_option_styles_and_a_missing_blank_line_are_read()
    {
        var result = Imported(Fixture());

        SameQuiz(Quiz("both-styles.aiken",
            Single("What is the correct answer to this question?", 3, "Is it this one?", "Maybe this answer?", "Possibly this one?", "Must be this one!"),
            Single("Which LMS has the most quiz import formats?", 0, "Moodle", "ATutor", "Claroline", "Blackboard", "WebCT", "Ilias"),
            Single("Which planet is the largest?", 1, "Mars", "Jupiter"),
            Single("Is the next question read?", 0, "yes", "no")), result.Quiz);
    }

    [Fact]
    public void Bad_blocks_are_skipped_and_reported_by_line()
    {
        var skipped = Fixture().Skipped;

        Assert.Equal([21, 28, 30, 34], skipped.Select(p => p.Line));
        Assert.Contains("No 'ANSWER: X' line", skipped[0].Message, StringComparison.Ordinal);
        Assert.Equal("ANSWER: E is not one of the options (A, B).", skipped[1].Message);
        Assert.Contains("at least 2 options", skipped[2].Message, StringComparison.Ordinal);
        Assert.Contains("No 'ANSWER: X' line", skipped[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Moodles_own_fixture_imports_as_moodle_reads_it()
    {
        // question/format/aiken/tests/fixtures/questions.aiken.txt from Moodle (see Fixtures/README.md).
        var result = Imported(QuizFormats.Import(Bytes("moodle-questions.aiken.txt"), "aiken", "moodle-questions.aiken.txt"));

        SameQuiz(Quiz("moodle-questions.aiken",
            Single("The Moodle project was started by:", 1, "Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"),
            Single("Moodle's abilities include handling user input that includes <html class=\"cool\"> & images:", 0, "True", "False")), result.Quiz);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public void Moodles_error_fixture_keeps_the_good_questions_options_without_a_space_included()
    {
        // question/format/aiken/tests/fixtures/aiken_errors.txt from Moodle: Moodle imports the two good questions.
        var result = Imported(QuizFormats.Import(Bytes("moodle-aiken_errors.txt"), "aiken", "moodle-aiken_errors.txt"));

        SameQuiz(Quiz("moodle-aiken_errors",
            Single("A good question", 0, "Correct", "Incorrect"),
            Single("A second good question", 1, "Incorrect (No space)", "Correct (No space)")), result.Quiz);
        Assert.Equal([1, 5, 7, 14], result.Skipped.Select(p => p.Line));
    }

    [Fact]
    public void Options_written_without_a_space_are_read_in_both_styles()
    {
        var result = Imported(Aiken("Capital of Peru?\nA)Lima\nB.Quito\nC)  Bogotá\nANSWER: A\n"));

        SameQuestion(Single("Capital of Peru?", 0, "Lima", "Quito", "Bogotá"), result.Quiz!.Questions![0]);
    }

    [Fact]
    public void More_than_six_options_and_long_answers_are_skipped()
    {
        var result = Aiken(
            "Seven?\nA. 1\nB. 2\nC. 3\nD. 4\nE. 5\nF. 6\nG. 7\nANSWER: A\n\n" +
            $"Long?\nA. {new string('x', 76)}\nB. short\nANSWER: B\n\n" +
            "Twice?\nA. 1\nA. 2\nANSWER: A\n\n" +
            "Fine?\nA. yes\nB. no\nANSWER: A\n");

        Assert.Equal([1, 11, 18], result.Skipped.Select(p => p.Line));
        Assert.Contains("2 to 6 answers", result.Skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("Answer 1 must be at most 75", result.Skipped[1].Message, StringComparison.Ordinal);
        Assert.Contains("letter A is used twice", result.Skipped[2].Message, StringComparison.Ordinal);
        Assert.Single(result.Quiz!.Questions!);
    }

    [Fact]
    public void A_file_where_nothing_parses_is_an_error()
    {
        var result = Aiken("Just some prose.\nNothing like a question.\n\nANSWER: B\n");

        Assert.Null(result.Quiz);
        Assert.Equal(1, result.Error!.Line);
        Assert.Equal([1, 4], result.Skipped.Select(p => p.Line));
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var result = Aiken("\n\n");

        Assert.Null(result.Quiz);
        Assert.Equal("The file has no questions.", result.Error!.Message);
    }

    [Fact]
    public void Export_then_import_gives_back_single_choice_questions()
    {
        var quiz = EveryType();

        var export = QuizFormats.Export(quiz, "aiken");
        var result = Imported(QuizFormats.Import(export.Content, "aiken", "Every type.txt"));

        var expected = WithoutTimersOrPoints(OnlyTypes(quiz, QuestionTypes.SingleChoice, QuestionTypes.TrueFalse)).Questions!.ToList();
        expected[1] = Single("The earth is flat: true?", 1, "True", "False");
        SameQuiz(AsImported(Quiz("x", [.. expected]), "Every type"), result.Quiz);
    }

    [Fact]
    public void Export_says_what_it_changed_and_left_out()
    {
        var export = QuizFormats.Export(EveryType(), "aiken");

        Assert.Equal(
        [
            "Question 2 (multi-select question) left out: Aiken has single-choice questions only.",
            "Question 3 (true/false) written as a single choice between True and False.",
            "Question 4 (type-answer question) left out: Aiken has single-choice questions only.",
            "Question 5 (ordering question) left out: Aiken has single-choice questions only.",
            "Question 6 (poll) left out: Aiken has single-choice questions only.",
        ], export.Notes);
        Assert.StartsWith("Which set is {1: 2}?", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
        Assert.Contains("\nB. =SUM(A1:A2)\n", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
        Assert.Contains("\nANSWER: B\n", Encoding.UTF8.GetString(export.Content), StringComparison.Ordinal);
    }
}
