using System.Text;
using Homeroom.Quizzes;
using Homeroom.Quizzes.Formats;
using static Homeroom.Tests.Quizzes.Formats.FormatFixtures;

namespace Homeroom.Tests.Quizzes.Formats;

/// <summary>Moodle GIFT: the fixture is written from Moodle's "GIFT format" documentation page.</summary>
public sealed class GiftFormatTests
{
    private static QuizImportResult Fixture() => QuizFormats.Import(Bytes("every-construct.gift"), "gift", "every-construct.gift");

    private static QuizImportResult Gift(string text, string fileName = "test.gift") =>
        QuizFormats.Import(Encoding.UTF8.GetBytes(text), "gift", fileName);

    [Fact]
    public void Every_construct_maps_to_the_question_it_means()
    {
        var result = Imported(Fixture());

        Assert.Equal("gift", result.Format);
        SameQuiz(Quiz("every-construct",
            TrueFalse("1+1=2", true),
            TrueFalse("Grant is buried in Grant's tomb.", false),
            TrueFalse("The sun rises in the east.", true),
            TrueFalse("Pluto is a planet.", false),
            Single("What's between orange and green in the spectrum?", 0, "yellow", "red", "blue"),
            Single("Who's buried in Grant's tomb?", 2, "Grant", "Jefferson", "no one"),
            Multi("What two people are entombed in Grant's tomb?", [1, 2], "No one", "Grant", "Grant's wife", "Grant's father"),
            Multi("Which are prime numbers?", [0, 1], "2", "3", "4", "6"),
            TypeAnswer("Who's buried in Grant's tomb?", "no one", "nobody"),
            TypeAnswer("How many legs does a spider have?", "eight", "8"),
            Single("The _____ rises in the east.", 0, "sun", "moon"),
            TypeAnswer("Two plus _____ equals four.", "two", "2"),
            Single("Which set has two elements {1, 2}?", 0, "{1, 2}", "1 = 2", "a:b", "back\\slash", "tilde ~ and hash #"),
            TrueFalse("First line second line?", true),
            TrueFalse("Is bold & italic text OK?", true),
            Single("Is **this** markdown?", 0, "yes", "no"),
            Single("Plain text question", 0, "a", "b"),
            Single("Moodle auto-format question", 0, "x", "y"),
            Single("What is the capital of France?", 0, "Paris", "Lyon", "Marseille")), result.Quiz);
    }

    [Fact]
    public void What_has_no_Homeroom_form_is_skipped_and_reported_by_line()
    {
        var skipped = Fixture().Skipped;

        Assert.Collection(skipped,
            p => Assert.Equal((70, true), (p.Line, p.Message.Contains("matching", StringComparison.Ordinal))),
            p => Assert.Equal((73, true), (p.Line, p.Message.Contains("numerical", StringComparison.Ordinal))),
            p => Assert.Equal((75, true), (p.Line, p.Message.Contains("numerical", StringComparison.Ordinal))),
            p => Assert.Equal((81, true), (p.Line, p.Message.Contains("essay", StringComparison.Ordinal))),
            p => Assert.Equal((84, true), (p.Line, p.Message.Contains("description", StringComparison.Ordinal))),
            p => Assert.Equal((87, true), (p.Line, p.Message.Contains("2 to 6 answers", StringComparison.Ordinal))),
            p => Assert.Equal((90, true), (p.Line, p.Message.Contains("Answer 1 must be at most 75 characters", StringComparison.Ordinal))),
            p => Assert.Equal((93, true), (p.Line, p.Message.Contains("question text must be at most 280 characters", StringComparison.Ordinal))),
            p => Assert.Equal((96, true), (p.Line, p.Message.Contains("No answer is marked right", StringComparison.Ordinal))),
            p => Assert.Equal((99, true), (p.Line, p.Message.Contains("not closed", StringComparison.Ordinal))));
    }

    [Fact]
    public void Partial_credit_in_a_short_answer_is_accepted_and_noted()
    {
        var notes = Fixture().Notes;

        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.Equal(41, n.Line));
        Assert.Contains(notes, n => n.Message.Contains("'8' earns partial credit (50%)", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Message.Contains("'six' (0%) is not accepted", StringComparison.Ordinal));
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_read_the_same()
    {
        var text = Encoding.UTF8.GetString(Bytes("every-construct.gift")).ReplaceLineEndings("\r\n");
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();

        var result = Imported(QuizFormats.Import(bytes, "gift", "every-construct.gift"));

        SameQuiz(Fixture().Quiz!, result.Quiz);
        Assert.Equal(Fixture().Skipped, result.Skipped);
    }

    [Fact]
    public void A_category_line_without_a_blank_line_after_it_still_leaves_the_question()
    {
        var result = Imported(Gift("$CATEGORY: tom/dick/harry\n// a comment inside\n::T:: Is this read? {T}\n"));

        SameQuestion(TrueFalse("Is this read?", true), Assert.Single(result.Quiz!.Questions!));
    }

    [Fact]
    public void True_false_feedback_and_general_feedback_are_ignored()
    {
        var result = Imported(Gift("Grant is buried in Grant's tomb.{FALSE#No one is buried there.#Right.####Grant is entombed.}"));

        SameQuestion(TrueFalse("Grant is buried in Grant's tomb.", false), Assert.Single(result.Quiz!.Questions!));
    }

    [Fact]
    public void A_short_answer_with_more_than_ten_answers_is_skipped()
    {
        var answers = string.Concat(Enumerable.Range(1, 11).Select(i => $" ={i}"));

        var result = Gift($"Pick a number{{{answers}}}\n\nKept?{{T}}");

        Assert.Equal(1, Assert.Single(result.Skipped).Line);
        Assert.Contains("1 to 10", result.Skipped[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_answer_blocks_and_a_stray_answer_block_are_skipped()
    {
        var result = Gift("One {=a ~b} two {=c ~d}\n\nNo markers {yes}\n\nFine? {T}");

        Assert.Equal([1, 3], result.Skipped.Select(p => p.Line));
        Assert.Contains("More than one answer block", result.Skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("is not GIFT", result.Skipped[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_where_nothing_can_be_imported_is_an_error_naming_the_first_line()
    {
        var result = Gift("// only an essay\n\n::E:: Tell me {}\n\n::N:: A number {#4}\n");

        Assert.Null(result.Quiz);
        Assert.Equal(3, result.Error!.Line);
        Assert.Contains("essay", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Skipped.Count);
    }

    [Fact]
    public void Binary_data_is_an_error()
    {
        var result = QuizFormats.Import([0x00, 0x01, 0xFF, 0x7B, 0x7D], "gift", "x.gift");

        Assert.Null(result.Quiz);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void The_title_is_the_file_name_and_questions_get_default_timers_and_points()
    {
        var quiz = Imported(Gift("Is it? {T}", "C:\\fakepath\\Week 3 revision.gift")).Quiz!;

        Assert.Equal("Week 3 revision", quiz.Title);
        Assert.Equal(QuizRules.DefaultTimeLimit, quiz.Questions![0].TimeLimit);
        Assert.Equal(QuizRules.DefaultPoints, quiz.Questions[0].Points);
    }

    [Fact]
    public void Export_then_import_gives_back_every_type_GIFT_carries()
    {
        var quiz = EveryType();

        var export = QuizFormats.Export(quiz, "gift");
        var result = Imported(QuizFormats.Import(export.Content, "gift", "Every type.txt"));

        var carried = OnlyTypes(quiz, QuestionTypes.SingleChoice, QuestionTypes.Multi, QuestionTypes.TrueFalse, QuestionTypes.TypeAnswer);
        SameQuiz(AsImported(WithoutTimersOrPoints(carried), "Every type"), result.Quiz);
        Assert.Empty(result.Skipped);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Export_writes_weights_for_multi_select_and_leaves_out_ordering_and_polls_as_comments()
    {
        var export = QuizFormats.Export(EveryType(), "gift");
        var text = Encoding.UTF8.GetString(export.Content);

        Assert.Equal((".txt", "text/plain; charset=utf-8"), (export.FileExtension, export.ContentType));
        Assert.Contains("~%50%2\n~%-100%3\n~%50%4\n~%-100%-7\n", text, StringComparison.Ordinal);
        Assert.Contains("// Question 5 left out (ordering question", text, StringComparison.Ordinal);
        Assert.Contains("// Question 6 left out (poll", text, StringComparison.Ordinal);
        Assert.Equal(2, export.Notes.Count);
        Assert.Contains("~\\{1, 2\\}\n=\\=SUM(A1\\:A2)\n", text, StringComparison.Ordinal);
        Assert.Contains("back\\\\slash \\~ \\# \\= \\:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Awkward_texts_survive_the_round_trip()
    {
        var quiz = Quiz("Awkward",
            Multi("Three right out of five", [0, 2, 4], "a", "b", "c", "d", "e"),
            Multi("Multi-select with one right answer", [1], "a", "b", "c"),
            Single("[html]<b>not html</b>", 1, "%50% of it", "all of it"),
            TypeAnswer("// not a comment: $CATEGORY: x", "%100%", "a -> b", "c"),
            TrueFalse("::not a title:: at all", true),
            Single("Tabs\tstay", 0, "tab\there", "-> arrow"));

        var result = Imported(QuizFormats.Import(QuizFormats.Export(quiz, "gift").Content, "gift", "Awkward.txt"));

        SameQuiz(quiz, result.Quiz);
    }

    [Fact]
    public void A_weighted_right_answer_makes_a_multi_select_question_and_equals_signs_a_single_choice()
    {
        var result = Imported(Gift("One weighted {~%100%a ~b ~%-50%c}\n\nOne equals {=a ~b ~%0%c}\n\nPartial credit {=a ~%25%b ~c}"));

        Assert.Equal([QuestionTypes.Multi, QuestionTypes.SingleChoice, QuestionTypes.Multi], result.Quiz!.Questions!.Select(q => q.Type));
        Assert.Equal([true, true, false], result.Quiz.Questions![2].Answers!.Select(a => a.Correct == true));
    }

    [Fact]
    public void Moodles_own_fixture_imports_as_moodle_reads_it()
    {
        // question/format/gift/tests/fixtures/questions.gift.txt from Moodle (see Fixtures/README.md).
        var result = Imported(QuizFormats.Import(Bytes("moodle-questions.gift.txt"), "gift", "moodle-questions.gift.txt"));

        SameQuiz(Quiz("moodle-questions.gift",
            Single("What's between orange and green in the spectrum?", 0, "yellow", "red", "blue"),
            Multi("What's between orange and green in the spectrum?", [0, 2], "yellow", "red", "off-beige", "blue"),
            TypeAnswer("Which is the best animal?", "Frog", "Cat"),
            TrueFalse("42 is the Absolute Answer to everything._____\";", false),
            TrueFalse("TSL is blablabla.", true),
            TrueFalse("TSL is blablabla.", true)), result.Quiz);
        Assert.Equal([2, 5, 31], result.Skipped.Select(p => p.Line));
        Assert.Contains("essay", result.Skipped[0].Message, StringComparison.Ordinal);
        Assert.Contains("matching", result.Skipped[1].Message, StringComparison.Ordinal);
        Assert.Contains("numerical", result.Skipped[2].Message, StringComparison.Ordinal);
        Assert.Equal([34, 34], result.Notes.Select(n => n.Line));
    }

    [Fact]
    public void Moodles_category_fixture_reads_html_as_plain_text()
    {
        // question/format/gift/tests/fixtures/questions_in_category.gift.txt from Moodle.
        var result = Imported(QuizFormats.Import(Bytes("moodle-questions_in_category.gift.txt"), "gift", "moodle-questions_in_category.gift.txt"));

        SameQuiz(Quiz("moodle-questions_in_category.gift",
            Single("Listen to this greeting: What language is being spoken?", 1, "English", "French", "German", "Spanish"),
            TypeAnswer("Anyone who uses Moodle is a ...", "Moodler"),
            TrueFalse("Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment.", true)), result.Quiz);
        Assert.Equal([5], result.Skipped.Select(p => p.Line));
    }

    [Fact]
    public void Markup_prefixes_are_taken_off_answers_too_each_answer_read_in_its_own_format()
    {
        var result = Imported(Gift(
            "Colour? {=yellow ~[plain]blue ~%0%[markdown]*red*}\n\n" +
            "[html]<b>Bold</b> choice? {=[html]<i>yes</i> &amp; more ~[plain]<i>no</i> ~plain &amp; html}\n\n" +
            "Typed? {=[plain]Paris =%50%[html]Paris&nbsp;France}"));

        SameQuestion(Single("Colour?", 0, "yellow", "blue", "*red*"), result.Quiz!.Questions![0]);
        SameQuestion(Single("Bold choice?", 0, "yes & more", "<i>no</i>", "plain & html"), result.Quiz.Questions[1]);
        SameQuestion(TypeAnswer("Typed?", "Paris", "Paris France"), result.Quiz.Questions[2]);
    }

    [Fact]
    public void Answers_that_start_like_a_markup_prefix_come_back_unchanged()
    {
        var quiz = Quiz("Prefixes", Single("[html]Which?", 0, "[html]<b>x</b>", "[plain]y"), TypeAnswer("Typed?", "[markdown]*z*"));

        var back = Imported(QuizFormats.Import(QuizFormats.Export(quiz, "gift").Content, "gift", "Prefixes.gift"));

        SameQuiz(quiz, back.Quiz);
    }

    [Theory]
    [InlineData("a ~ b = c # d { e } f : g \\ h")]
    [InlineData("\\\\\\~")]
    [InlineData("plain")]
    public void Escape_and_unescape_are_inverses(string text) =>
        Assert.Equal(text, GiftFormat.Unescape(GiftFormat.Escape(text)));
}
