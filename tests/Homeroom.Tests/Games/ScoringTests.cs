using System.Text.Json;
using Homeroom.Games;
using Homeroom.Quizzes;
using Microsoft.Extensions.Configuration;

namespace Homeroom.Tests.Games;

public sealed class ScoringTests
{
    private static readonly Question Single = new("single", "2+2?", 20, 1000, [new("3", false), new("4", true), new("5", false)]);
    private static readonly Question Double = Single with { Points = 2000 };
    private static readonly Question Multi = new("multi", "Even?", 20, 1000, [new("2", true), new("3", false), new("4", true), new("5", false)]);
    private static readonly Question Typed = new("typeanswer", "Bottom of a fraction?", 30, 1000, Accepted: ["Dénominateur", "denominator"]);
    private static readonly Question Ordered = new("order", "Small to big", 60, 1000, Items: ["1/8", "1/4", "1/2"]);
    private static readonly Question Poll = new("poll", "Fun?", 20, 0, [new("Yes"), new("No")]);
    private static readonly Question TrueFalse = new("truefalse", "Sky is blue", 10, 1000, Correct: true);

    private static AnswerScore Score(Question q, PlayerAnswer a, double seconds, int streak = 0, bool streaks = true) =>
        Scoring.Score(q, a, TimeSpan.FromSeconds(seconds), streak, streaks);

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(0.5, 1000)]
    [InlineData(2.0, 950)]
    [InlineData(10.0, 750)]
    [InlineData(19.9, 503)]
    [InlineData(20.0, 500)]
    public void Kahoots_rule_gives_full_points_fast_and_half_at_the_buzzer(double seconds, int points) =>
        Assert.Equal(points, Score(Single, new PlayerAnswer(Choice: 1), seconds).Points);

    [Fact]
    public void Double_points_double_and_wrong_answers_score_nothing()
    {
        Assert.Equal(1900, Score(Double, new PlayerAnswer(Choice: 1), 2).Points);
        var wrong = Score(Double, new PlayerAnswer(Choice: 0), 0.1, streak: 4);
        Assert.False(wrong.Correct);
        Assert.Equal(0, wrong.Total);
        Assert.Equal(0, wrong.Streak);
        Assert.Equal(0, Score(Single, new PlayerAnswer(Choice: 9), 1).Points);
        Assert.Equal(0, Score(Single, new PlayerAnswer(), 1).Points);
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(1, 2, 100)]
    [InlineData(2, 3, 200)]
    [InlineData(4, 5, 400)]
    [InlineData(5, 6, 500)]
    [InlineData(11, 12, 500)]
    public void Streaks_add_100_per_answer_in_a_row_up_to_500(int before, int after, int bonus)
    {
        var score = Score(Single, new PlayerAnswer(Choice: 1), 0.2, before);

        Assert.Equal(after, score.Streak);
        Assert.Equal(bonus, score.StreakBonus);
        Assert.Equal(1000 + bonus, score.Total);
    }

    [Fact]
    public void A_host_can_switch_streak_bonuses_off()
    {
        var score = Score(Single, new PlayerAnswer(Choice: 1), 0.2, streak: 5, streaks: false);

        Assert.Equal(0, score.StreakBonus);
        Assert.Equal(1000, score.Total);
    }

    [Theory]
    [InlineData(new[] { 0, 2 }, 1000, true)]
    [InlineData(new[] { 2, 0 }, 1000, true)]
    [InlineData(new[] { 0 }, 500, false)]
    [InlineData(new[] { 0, 1 }, 0, false)]
    [InlineData(new[] { 0, 2, 1 }, 500, false)]
    [InlineData(new[] { 0, 1, 2, 3 }, 0, false)]
    [InlineData(new[] { 1, 3 }, 0, false)]
    [InlineData(new[] { 0, 0, 2, 2 }, 1000, true)]
    public void Multi_select_scores_each_right_choice_and_loses_for_wrong_ones(int[] picked, int points, bool correct)
    {
        var score = Score(Multi, new PlayerAnswer(Choices: picked), 0.1);

        Assert.Equal(points, score.Points);
        Assert.Equal(correct, score.Correct);
    }

    [Theory]
    [InlineData("  denominateur ", true)]
    [InlineData("DENOMINATOR", true)]
    [InlineData("Denom inator", false)]
    [InlineData("numerator", false)]
    public void Typed_answers_match_ignoring_case_spaces_and_accents(string typed, bool correct) =>
        Assert.Equal(correct, Score(Typed, new PlayerAnswer(Text: typed), 1).Correct);

    [Fact]
    public void Ordering_must_be_entirely_right()
    {
        Assert.True(Score(Ordered, new PlayerAnswer(Order: [0, 1, 2]), 1).Correct);
        Assert.False(Score(Ordered, new PlayerAnswer(Order: [0, 2, 1]), 1).Correct);
        Assert.False(Score(Ordered, new PlayerAnswer(Order: [0, 1]), 1).Correct);
    }

    [Fact]
    public void Polls_score_nothing_and_keep_the_streak()
    {
        var score = Score(Poll, new PlayerAnswer(Choice: 0), 0.1, streak: 3);

        Assert.Equal(0, score.Total);
        Assert.Equal(3, score.Streak);
    }

    [Fact]
    public void True_false_and_zero_point_questions_still_count_for_the_streak()
    {
        Assert.Equal(1000, Score(TrueFalse, new PlayerAnswer(Value: true), 0.4).Points);
        var zero = Score(Single with { Points = 0 }, new PlayerAnswer(Choice: 1), 1, streak: 1);
        Assert.Equal(0, zero.Points);
        Assert.Equal(2, zero.Streak);
        Assert.Equal(100, zero.StreakBonus);
    }

    [Fact]
    public void Payloads_of_the_wrong_shape_are_refused_not_thrown()
    {
        JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

        Assert.Equal(1, Scoring.Read(Single, Json("1"))!.Choice);
        Assert.Equal([0, 2], Scoring.Read(Multi, Json("[0,2]"))!.Choices);
        Assert.True(Scoring.Read(TrueFalse, Json("true"))!.Value);
        Assert.Equal("x", Scoring.Read(Typed, Json("\"x\""))!.Text);
        Assert.Null(Scoring.Read(Single, Json("\"1\"")));
        Assert.Null(Scoring.Read(Single, Json("1.5")));
        Assert.Null(Scoring.Read(Multi, Json("[0,1,2,3,4,5,6,7]")));
        Assert.Null(Scoring.Read(Typed, Json("\"" + new string('x', 500) + "\"")));
        Assert.Null(Scoring.Read(TrueFalse, Json("{}")));
    }
}

public sealed class NicknameTests
{
    private readonly Nicknames nicknames = new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Homeroom:Games:BlockedWords"] = "broccoli" }).Build());

    [Theory]
    [InlineData("Ada", "Ada")]
    [InlineData("  Zoë 李  ", "Zoë 李")]
    [InlineData("Sussex Scholar", "Sussex Scholar")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void Good_nicknames_are_kept_trimmed(string nickname, string kept) =>
        Assert.Equal(kept, nicknames.Check(nickname, out _));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901")]
    [InlineData("bad\u0007bell")]
    [InlineData("F u c k")]
    [InlineData("5H1T happens")]
    [InlineData("xXsh1tXx")]
    [InlineData("Broccoli Fan")]
    public void Bad_nicknames_are_refused_with_a_reason(string nickname)
    {
        Assert.Null(nicknames.Check(nickname, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Nicknames_are_the_same_ignoring_case_and_accents() =>
        Assert.Equal(Nicknames.Key("Zoé"), Nicknames.Key(" ZOE "));

    [Fact]
    public void Generated_names_are_friendly_unique_and_pass_the_filter()
    {
        var random = new SeededRandomSource(1);
        var taken = new HashSet<string>();
        for (var i = 0; i < 300; i++)
        {
            var name = Nicknames.Generate(random, taken.Contains);
            Assert.NotNull(nicknames.Check(name, out _));
            Assert.True(taken.Add(name));
        }
    }

    [Fact]
    public void Pins_are_six_digits_then_seven_when_crowded()
    {
        var random = new SeededRandomSource(3);
        var pin = GamePins.New(random, _ => false);
        Assert.Matches("^[1-9][0-9]{5}$", pin);
        var crowded = GamePins.New(random, p => p.Length == 6);
        Assert.Matches("^[1-9][0-9]{6}$", crowded);
    }
}
