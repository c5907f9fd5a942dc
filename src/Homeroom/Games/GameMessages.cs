using System.Text.Json.Serialization;

namespace Homeroom.Games;

// What the hub sends and returns. Every payload is documented in docs/live-games.md; property names go
// out in camelCase (SignalR's JSON protocol), and nulls are left out.

/// <summary>Where a game is. lobby → question (reading) → answering → results → leaderboard → question … → podium.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GamePhase>))]
public enum GamePhase
{
    [JsonStringEnumMemberName("lobby")]
    Lobby,
    [JsonStringEnumMemberName("question")]
    Question,
    [JsonStringEnumMemberName("answering")]
    Answering,
    [JsonStringEnumMemberName("results")]
    Results,
    [JsonStringEnumMemberName("leaderboard")]
    Leaderboard,
    [JsonStringEnumMemberName("podium")]
    Podium,
    [JsonStringEnumMemberName("closed")]
    Closed,
}

/// <summary>A shown answer or ordering item: <see cref="Id"/> is its index in the quiz, which is what players send back.</summary>
public sealed record ShownChoice(int Id, string Text);

/// <summary>The `question` event: a question's text, before its answers open. <see cref="Image"/> is where its picture loads from (left out when it has none).</summary>
public sealed record QuestionShown(
    int Index, int Count, string Type, string Text, int TimeLimit, int Points, int ReadMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Image = null);

/// <summary>The `answersOpen` event: the answers (without right/wrong), open for <see cref="TimeLimit"/> seconds.</summary>
public sealed record AnswersOpen(
    int Index, string Type, string Text, int TimeLimit, int Points, long ClosesInMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ShownChoice>? Answers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ShownChoice>? Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Image = null);

/// <summary>What a player gets back from Answer: the answer is stored. Whether it was right comes with the `result` event.</summary>
public sealed record AnswerAck(int QuestionIndex, long TimeMs);

/// <summary>
/// The `questionEnded` event: the right answer and how the room answered. <see cref="Counts"/> holds, per shown
/// answer id (single, multi, poll), how many chose it; for truefalse [true, false]; for order [right, wrong].
/// For typeanswer <see cref="Texts"/> has the most common answers.
/// </summary>
public sealed record QuestionEnded(
    int Index, string Type, int Answered, int Players, int Right,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? CorrectAnswers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? CorrectValue,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Accepted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ShownChoice>? CorrectOrder,
    IReadOnlyList<int> Counts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TextCount>? Texts);

public sealed record TextCount(string Text, int Count, bool Correct);

/// <summary>
/// The `result` event, to each player after a question: their verdict, points and place. <paramref name="Away"/> is true
/// (else left out) when the player had not answered and was not connected when the question closed.
/// </summary>
public sealed record PlayerResult(
    int Index, bool Answered, bool Correct, int Points, int StreakBonus, int Score, int Streak, int Rank, int Players,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Away = null);

/// <summary>One line of the leaderboard or podium.</summary>
public sealed record Standing(int Rank, int PlayerId, string Nickname, int Score, int Streak);

/// <summary>The `leaderboard` event: the top 5 after a question.</summary>
public sealed record Leaderboard(int Index, int Count, IReadOnlyList<Standing> Top, int Players);

/// <summary>The `podium` event: the game is over; the top <c>podiumSize</c> players.</summary>
public sealed record Podium(IReadOnlyList<Standing> Top, int Players, int Questions);

/// <summary>The `gameOver` event, to each player: where they finished.</summary>
public sealed record GameOver(int Rank, int Score, int Players);

/// <summary>A player as the host sees them in the lobby (`playerJoined`, `playerLeft`).</summary>
public sealed record LobbyPlayer(int Id, string Nickname, bool Connected, int Score);

/// <summary>The `playerJoined`/`playerLeft` events to the host: who, and how many are in the game now.</summary>
public sealed record LobbyChange(LobbyPlayer Player, int Players, int Connected);

/// <summary>The `answerCount` event to the host, while a question is open.</summary>
public sealed record AnswerCount(int Index, int Answered, int Players);

/// <summary>What Join and Rejoin return.</summary>
public sealed record Joined(int PlayerId, string Nickname, string RejoinToken, PlayerState State);

/// <summary>A player's view of the game, so a page that (re)joins can show the right screen.</summary>
public sealed record PlayerState(
    string Title, GamePhase Phase, int QuestionIndex, int QuestionCount, int Score, int Streak, int Rank, bool Answered,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QuestionShown? Question,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AnswersOpen? Open,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PlayerResult? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Podium? Podium);

/// <summary>What Host returns: everything the host screen needs to show the game where it is.</summary>
public sealed record HostState(
    long GameId, string Pin, string Title, string JoinUrl, GamePhase Phase, int QuestionIndex, int QuestionCount,
    IReadOnlyList<LobbyPlayer> Players, int Answered,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QuestionShown? Question,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AnswersOpen? Open,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QuestionEnded? Ended,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Leaderboard? Leaderboard,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Podium? Podium);

/// <summary>The `kicked` and `gameClosed` events.</summary>
public sealed record Notice(string Message);
