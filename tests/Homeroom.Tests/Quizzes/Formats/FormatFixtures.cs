using System.Text.Json;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>Fixture files, sample quizzes and comparisons shared by the format tests.</summary>
internal static class FormatFixtures
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Quizzes", "Formats", "Fixtures", name));

    /// <summary>Records holding lists compare lists by reference, so quizzes are compared as JSON.</summary>
    public static void SameQuiz(QuizContent expected, QuizContent? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(JsonSerializer.Serialize(QuizRules.Normalize(expected), Json), JsonSerializer.Serialize(actual, Json));
    }

    public static void SameQuestion(Question expected, Question actual) =>
        Assert.Equal(JsonSerializer.Serialize(QuizRules.NormalizeQuestion(expected), Json), JsonSerializer.Serialize(actual, Json));

    public static QuizImportResult Imported(QuizImportResult result)
    {
        Assert.Null(result.Error);
        Assert.NotNull(result.Quiz);
        return result;
    }

    public static QuizContent Quiz(string title, params Question[] questions) => new(title, null, [], "private", questions);

    public static Question Single(string text, int right, params string[] answers) =>
        new(QuestionTypes.SingleChoice, text, null, null, answers.Select((a, k) => new Answer(a, k == right)).ToList());

    public static Question Multi(string text, int[] right, params string[] answers) =>
        new(QuestionTypes.Multi, text, null, null, answers.Select((a, k) => new Answer(a, right.Contains(k))).ToList());

    public static Question TrueFalse(string text, bool correct) => new(QuestionTypes.TrueFalse, text, null, null, Correct: correct);

    public static Question TypeAnswer(string text, params string[] accepted) => new(QuestionTypes.TypeAnswer, text, null, null, Accepted: accepted);

    public static Question Order(string text, params string[] items) => new(QuestionTypes.Order, text, null, null, Items: items);

    public static Question Poll(string text, params string[] answers) =>
        new(QuestionTypes.Poll, text, null, null, answers.Select(a => new Answer(a)).ToList());

    /// <summary>One question of every type, with timers and points, and text full of characters formats treat specially.</summary>
    public static QuizContent EveryType(string title = "Every type") => new(title, "All six types.", ["sample", "tricky"], "public",
    [
        Single("Which set is {1: 2}? ~ = # \\ and \"quotes\", commas", 1, "{1, 2}", "=SUM(A1:A2)", "back\\slash ~ # = :", "Ünïcödé ✓")
            with { TimeLimit = 30, Points = 2000 },
        Multi("Which are even?", [0, 2], "2", "3", "4", "-7") with { TimeLimit = 10, Points = 0 },
        TrueFalse("The earth is flat: true?", false) with { TimeLimit = 5, Points = 1000 },
        TypeAnswer("Capital of France?", "Paris", "Paris, France", "+33 Paris") with { TimeLimit = 60, Points = 1000 },
        Order("Small to large", "one", "two", "three", "@four") with { TimeLimit = 90, Points = 1000 },
        Poll("Favourite season?", "Spring", "Summer", "Autumn") with { TimeLimit = 240, Points = 0 },
    ]);

    /// <summary>The same quiz as a format without timers or points would give it back.</summary>
    public static QuizContent WithoutTimersOrPoints(QuizContent quiz) =>
        quiz with { Questions = quiz.Questions!.Select(q => q with { TimeLimit = null, Points = null }).ToList() };

    public static QuizContent OnlyTypes(QuizContent quiz, params string[] types) =>
        quiz with { Questions = quiz.Questions!.Where(q => types.Contains(q.Type)).ToList() };

    /// <summary>Title, description, tags and visibility as an import of a format without them gives them.</summary>
    public static QuizContent AsImported(QuizContent quiz, string title) =>
        quiz with { Title = title, Description = null, Tags = [], Visibility = "private" };
}
