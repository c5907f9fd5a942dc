using System.Text.Json.Serialization;
using Homeroom.Web;

namespace Homeroom.Games;

/// <summary>POST /api/games: which quiz to play, and how.</summary>
public sealed record NewGame(long? QuizId, GameOptionsRequest? Options) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (QuizId is null)
        {
            errors.Add("quizId", "quizId is required: the quiz to play.");
        }

        if (Options is { PodiumSize: { } podium } && podium is < GameSettings.MinPodium or > GameSettings.MaxPodium)
        {
            errors.Add("options.podiumSize", $"podiumSize must be from {GameSettings.MinPodium} to {GameSettings.MaxPodium}.");
        }

        if (Options is { ReadSeconds: { } read } && read is < 0 or > GameSettings.MaxReadSeconds)
        {
            errors.Add("options.readSeconds", $"readSeconds must be from 0 to {GameSettings.MaxReadSeconds}.");
        }

        if (Options is { ClassId: { } } && Options.NicknameGenerator == true)
        {
            errors.Add("options.nicknameGenerator", "A game played with a class uses the roster's names, not generated ones.");
        }
    }
}

/// <summary>The options as sent; missing ones take the defaults of <see cref="GameSettings"/>.</summary>
public sealed record GameOptionsRequest(
    bool? Streaks = null, int? PodiumSize = null, long? ClassId = null, bool? ShuffleAnswers = null, bool? NicknameGenerator = null, int? ReadSeconds = null);

/// <summary>
/// How a game plays. <see cref="ReadSeconds"/> is how long a question's text shows before its answers open.
/// Stored with the game (games.options) as JSON.
/// </summary>
public sealed record GameSettings(
    bool Streaks, int PodiumSize, bool ShuffleAnswers, bool NicknameGenerator, int ReadSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ClassId)
{
    public const int MinPodium = 3;
    public const int MaxPodium = 10;
    public const int DefaultReadSeconds = 4;
    public const int MaxReadSeconds = 10;

    public static GameSettings From(GameOptionsRequest? options) => new(
        options?.Streaks ?? true,
        options?.PodiumSize ?? MinPodium,
        options?.ShuffleAnswers ?? false,
        options?.NicknameGenerator ?? false,
        options?.ReadSeconds ?? DefaultReadSeconds,
        options?.ClassId);
}

/// <summary>A roster name a player of a class game can choose.</summary>
public sealed record RosterName(long StudentId, string Name);

/// <summary>A roster name the join screen shows but does not offer: Reason is "joined" or "absent".</summary>
[GenerateSerializer, Immutable]
public sealed record UnavailableName([property: Id(0)] string Name, [property: Id(1)] string Reason);
