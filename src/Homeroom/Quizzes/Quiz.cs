using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Homeroom.Web;

namespace Homeroom.Quizzes;

/// <summary>
/// A quiz as the API, the importers, the exporters and live games all see it: the public contract.
/// Every field is nullable so that validation can name what is missing instead of failing to bind.
/// </summary>
public sealed record QuizContent(
    string? Title,
    string? Description,
    IReadOnlyList<string>? Tags,
    string? Visibility,
    IReadOnlyList<Question>? Questions) : IValidatable
{
    public void Validate(ValidationErrors errors) => QuizRules.Validate(this, errors);
}

/// <summary>
/// One question. Which fields apply depends on <see cref="Type"/>:
/// single, multi and poll use <see cref="Answers"/>; truefalse uses <see cref="Correct"/>;
/// typeanswer uses <see cref="Accepted"/>; order uses <see cref="Items"/> (in the right order).
/// Any type may have a picture: <see cref="ImageId"/>, an image the teacher uploaded (POST /api/images), or
/// <see cref="Image"/>, the picture itself inline (the JSON export's form), which is stored on save and becomes an ImageId.
/// </summary>
public sealed record Question(
    string? Type,
    string? Text,
    int? TimeLimit,
    int? Points,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Answer>? Answers = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Correct = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Accepted = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Items = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ImageId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InlineImage? Image = null);

/// <summary>A picture carried inside the quiz (the JSON export): <see cref="Data"/> is the file in base64; what it is, is told from its content.</summary>
public sealed record InlineImage(string? ContentType, string? Data);

/// <summary>A choice. <see cref="Correct"/> is left out for polls, which have no right answer.</summary>
public sealed record Answer(string? Text, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Correct = null);

public static class QuestionTypes
{
    public const string SingleChoice = "single";
    public const string Multi = "multi";
    public const string TrueFalse = "truefalse";
    public const string TypeAnswer = "typeanswer";
    public const string Order = "order";
    public const string Poll = "poll";

    public static readonly string[] All = [SingleChoice, Multi, TrueFalse, TypeAnswer, Order, Poll];
}

public static class QuizRules
{
    public const int MaxTitle = 120;
    public const int MaxDescription = 2000;
    public const int MaxTags = 20;
    public const int MaxTag = 40;
    public const int MaxQuestions = 100;
    public const int MaxQuestionText = 280;
    public const int MaxAnswerText = 75;
    public const int MinChoices = 2;
    public const int MaxChoices = 6;
    public const int MaxAccepted = 10;
    public const int DefaultTimeLimit = 20;
    public const int DefaultPoints = 1000;

    public static readonly int[] TimeLimits = [5, 10, 20, 30, 60, 90, 120, 240];
    public static readonly int[] PointValues = [0, 1000, 2000];

    public static void Validate(QuizContent quiz, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        ArgumentNullException.ThrowIfNull(errors);
        errors.RequireText("title", Names.Normalize(quiz.Title), MaxTitle);
        errors.OptionalText("description", quiz.Description, MaxDescription, multiline: true);
        if (quiz.Visibility is not null and not ("private" or "public"))
        {
            errors.Add("visibility", "visibility must be 'private' or 'public'.");
        }

        if (quiz.Tags is { } tags)
        {
            if (tags.Count > MaxTags)
            {
                errors.Add("tags", $"A quiz has at most {MaxTags} tags.");
            }

            for (var i = 0; i < tags.Count; i++)
            {
                errors.RequireText($"tags[{i}]", tags[i], MaxTag);
            }
        }

        var questions = quiz.Questions ?? [];
        if (questions.Count > MaxQuestions)
        {
            errors.Add("questions", $"A quiz has at most {MaxQuestions} questions.");
            return;
        }

        for (var i = 0; i < questions.Count; i++)
        {
            ValidateQuestion(questions[i], $"questions[{i}]", errors);
        }
    }

    public static void ValidateQuestion(Question? question, string path, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (question is null)
        {
            errors.Add(path, "A question cannot be null.");
            return;
        }

        errors.RequireText($"{path}.text", question.Text, MaxQuestionText);
        if (question.TimeLimit is { } limit && !TimeLimits.Contains(limit))
        {
            errors.Add($"{path}.timeLimit", $"timeLimit must be one of {string.Join(", ", TimeLimits)} seconds.");
        }

        if (question.Points is { } points && !PointValues.Contains(points))
        {
            errors.Add($"{path}.points", "points must be 0, 1000 or 2000.");
        }

        ValidateImage(question, path, errors);
        switch (question.Type)
        {
            case QuestionTypes.SingleChoice:
            case QuestionTypes.Multi:
            case QuestionTypes.Poll:
                if (Choices(question.Answers, $"{path}.answers", errors) is { } answers)
                {
                    var correct = answers.Count(a => a?.Correct == true);
                    if (question.Type == QuestionTypes.SingleChoice && correct != 1)
                    {
                        errors.Add($"{path}.answers", $"A single-choice question has exactly one correct answer; this one has {correct}.");
                    }
                    else if (question.Type == QuestionTypes.Multi && correct < 1)
                    {
                        errors.Add($"{path}.answers", "A multi-select question has at least one correct answer.");
                    }
                    else if (question.Type == QuestionTypes.Poll && correct > 0)
                    {
                        errors.Add($"{path}.answers", "A poll has no correct answers.");
                    }
                }

                break;
            case QuestionTypes.TrueFalse:
                if (question.Correct is null)
                {
                    errors.Add($"{path}.correct", "A true/false question says whether the statement is true: correct must be true or false.");
                }

                break;
            case QuestionTypes.TypeAnswer:
                if (question.Accepted is not { Count: >= 1 and <= MaxAccepted } accepted)
                {
                    errors.Add($"{path}.accepted", $"A type-answer question accepts 1 to {MaxAccepted} answers.");
                }
                else
                {
                    for (var i = 0; i < accepted.Count; i++)
                    {
                        errors.RequireText($"{path}.accepted[{i}]", accepted[i], MaxAnswerText);
                    }
                }

                break;
            case QuestionTypes.Order:
                if (question.Items is not { Count: >= MinChoices and <= MaxChoices } items)
                {
                    errors.Add($"{path}.items", $"An ordering question has {MinChoices} to {MaxChoices} items.");
                }
                else
                {
                    for (var i = 0; i < items.Count; i++)
                    {
                        errors.RequireText($"{path}.items[{i}]", items[i], MaxAnswerText);
                    }
                }

                break;
            default:
                errors.Add($"{path}.type", $"type must be one of {string.Join(", ", QuestionTypes.All)}.");
                break;
        }
    }

    /// <summary>The largest inline picture, decoded: the upload limit of POST /api/images.</summary>
    public const int MaxImageBytes = 5 * 1024 * 1024;

    private static void ValidateImage(Question question, string path, ValidationErrors errors)
    {
        if (question.ImageId is { } id && id <= 0)
        {
            errors.Add($"{path}.imageId", "imageId is the id of an image uploaded with POST /api/images.");
        }

        if (question.Image is not { } image)
        {
            return;
        }

        if (question.ImageId is not null)
        {
            errors.Add($"{path}.image", "Give imageId or image, not both.");
        }
        else if (string.IsNullOrEmpty(image.Data))
        {
            errors.Add($"{path}.image.data", "image.data is the picture's file in base64.");
        }
        else if (image.Data.Length > (MaxImageBytes + 2) / 3 * 4)
        {
            errors.Add($"{path}.image.data", $"The picture is larger than {MaxImageBytes / (1024 * 1024)} MB.");
        }
        else if (!Convert.TryFromBase64String(image.Data, new byte[image.Data.Length / 4 * 3], out _))
        {
            errors.Add($"{path}.image.data", "image.data is not base64.");
        }
    }

    private static IReadOnlyList<Answer?>? Choices(IReadOnlyList<Answer>? answers, string path, ValidationErrors errors)
    {
        if (answers is not { Count: >= MinChoices and <= MaxChoices })
        {
            errors.Add(path, $"A question has {MinChoices} to {MaxChoices} answers.");
            return null;
        }

        for (var i = 0; i < answers.Count; i++)
        {
            errors.RequireText($"{path}[{i}].text", answers[i]?.Text, MaxAnswerText);
        }

        return answers;
    }

    /// <summary>
    /// The stored form of a valid quiz: text trimmed, defaults filled in (private, 20 s, 1000 points),
    /// and only the fields that belong to each question's type kept.
    /// </summary>
    public static QuizContent Normalize(QuizContent quiz)
    {
        ArgumentNullException.ThrowIfNull(quiz);
        return new QuizContent(
            Names.Normalize(quiz.Title)!,
            string.IsNullOrWhiteSpace(quiz.Description) ? null : quiz.Description.Trim(),
            (quiz.Tags ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            quiz.Visibility ?? "private",
            (quiz.Questions ?? []).Select(NormalizeQuestion).ToList());
    }

    public static Question NormalizeQuestion(Question question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var type = question.Type!;
        var choices = type is QuestionTypes.SingleChoice or QuestionTypes.Multi or QuestionTypes.Poll;
        return new Question(
            type,
            question.Text!.Trim(),
            question.TimeLimit ?? DefaultTimeLimit,
            question.Points ?? DefaultPoints,
            choices ? question.Answers!.Select(a => new Answer(a.Text!.Trim(), type == QuestionTypes.Poll ? null : a.Correct == true)).ToList() : null,
            type == QuestionTypes.TrueFalse ? question.Correct : null,
            type == QuestionTypes.TypeAnswer ? question.Accepted!.Select(a => a.Trim()).ToList() : null,
            type == QuestionTypes.Order ? question.Items!.Select(a => a.Trim()).ToList() : null,
            question.ImageId,
            question.Image is { } image ? new InlineImage(image.ContentType, image.Data) : null);
    }

    /// <summary>How typed answers are compared: case, surrounding and repeated spaces, and accents do not matter.</summary>
    public static string MatchKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var key = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && key.Length > 0)
            {
                key.Append(' ');
            }

            space = false;
            key.Append(char.ToLowerInvariant(c));
        }

        return key.ToString().Normalize(NormalizationForm.FormC);
    }

    public static bool Accepts(Question question, string typed)
    {
        ArgumentNullException.ThrowIfNull(question);
        var key = MatchKey(typed);
        return question.Accepted?.Any(a => MatchKey(a) == key) == true;
    }
}
