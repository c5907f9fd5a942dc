using System.Net;
using System.Text.Json;
using Dapper;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Games;

/// <summary>
/// Whole games played through the real hub (/hubs/game over WebSockets, JSON protocol) on real Kestrel, with
/// the test's clock: the server's timers only fire when the test moves the clock, so answer times and
/// therefore scores are exact.
/// </summary>
public abstract class LiveGameTests(AppFixture fixture) : AppTests(fixture)
{
    /// <summary>One question of every scored type and a poll, with known right answers.</summary>
    private static readonly object Quiz = new
    {
        title = "Capitals & co",
        questions = new object[]
        {
            new { type = "single", text = "Capital of Italy?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Milan", correct = false }, new { text = "Rome", correct = true }, new { text = "Turin", correct = false } } },
            new { type = "truefalse", text = "Paris is in France", timeLimit = 10, points = 2000, correct = true },
            new { type = "multi", text = "Which are in Europe?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Oslo", correct = true }, new { text = "Lisbon", correct = true }, new { text = "Lima", correct = false }, new { text = "Quito", correct = false } } },
            new { type = "typeanswer", text = "Capital of France?", timeLimit = 30, points = 1000, accepted = new[] { "Paris" } },
            new { type = "order", text = "North to south", timeLimit = 20, points = 1000, items = new[] { "Oslo", "Paris", "Rome" } },
            new { type = "poll", text = "Fun?", timeLimit = 20, points = 0, answers = new[] { new { text = "Yes" }, new { text = "No" } } },
        },
    };

    private static readonly TimeSpan Read = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_whole_game_scores_exactly_by_answer_time_with_streaks_and_ends_on_the_podium()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { streaks = true, podiumSize = 3, readSeconds = 2 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await using var bob = await JoinAsync(game, "Bob");
        await using var cy = await JoinAsync(game, "Cy");
        var arrivals = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            arrivals.Add((await host.NextAsync("playerJoined")).GetProperty("player").Str("nickname"));
        }

        Assert.Equal(["Ann", "Bob", "Cy"], arrivals);

        await host.InvokeAsync("Start");
        await host.NextAsync("question");
        // Q0, single, 20 s, 1000 points: Ann right after 0.3 s (full points), Bob right after 5 s, Cy wrong.
        var question = await OpenAsync(0, ann, bob, cy);
        Assert.Equal("Capital of Italy?", question.Str("text"));
        Assert.False(question.GetProperty("answers")[0].TryGetProperty("correct", out _));
        await AnswerAtAsync(ann, 0, 1, 0.3);
        await AnswerAtAsync(bob, 0, 1, 5.0 - 0.3);
        await AnswerAtAsync(cy, 0, 0, 0.1);
        var ended = await host.NextAsync("questionEnded");
        Assert.Equal([1], ended.GetProperty("correctAnswers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 2, 0], ended.GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()));
        await AssertResultAsync(ann, points: 1000, bonus: 0, score: 1000, streak: 1, rank: 1);
        await AssertResultAsync(bob, points: 875, bonus: 0, score: 875, streak: 1, rank: 2);
        await AssertResultAsync(cy, points: 0, bonus: 0, score: 0, streak: 0, rank: 3, correct: false);

        // Q1, true/false, 10 s, 2000 points: Ann right after 2.5 s (+100 streak), Bob wrong, Cy never answers.
        await NextAsync(host, "leaderboard");
        await NextAsync(host, "question");
        await OpenAsync(1, ann, bob, cy);
        await AnswerAtAsync(ann, 1, true, 2.5);
        await AnswerAtAsync(bob, 1, false, 0.5);
        App.Clock.Advance(TimeSpan.FromSeconds(8));
        var timedOut = await host.NextAsync("questionEnded");
        Assert.Equal(2, timedOut.Int("answered"));
        Assert.Equal(3, timedOut.Int("players"));
        await AssertResultAsync(ann, points: 1750, bonus: 100, score: 2850, streak: 2, rank: 1);
        await AssertResultAsync(bob, points: 0, bonus: 0, score: 875, streak: 0, rank: 2, correct: false);
        await AssertResultAsync(cy, points: 0, bonus: 0, score: 0, streak: 0, rank: 3, correct: false, answered: false);
        var late = await Assert.ThrowsAsync<HubCallException>(() => cy.InvokeAsync("Answer", 1, true));
        Assert.Contains("Time is up", late.Message, StringComparison.Ordinal);

        var board = await NextAsync(host, "leaderboard");
        Assert.Equal(["Ann", "Bob", "Cy"], board.GetProperty("top").EnumerateArray().Select(s => s.Str("nickname")));
        Assert.Equal(2850, board.GetProperty("top")[0].Int("score"));

        // Q2, multi (2 right of 4), 20 s: Ann both right at once (+200), Bob one right one wrong (0), Cy one right after 4 s.
        await NextAsync(host, "question");
        await OpenAsync(2, ann, bob, cy);
        var ack = await AnswerAtAsync(ann, 2, new[] { 0, 1 }, 0);
        var again = await ann.InvokeAsync("Answer", 2, new[] { 2 });
        Assert.Equal(ack.Long("timeMs"), again.Long("timeMs"));
        await AnswerAtAsync(bob, 2, new[] { 0, 2 }, 1);
        await AnswerAtAsync(cy, 2, new[] { 0 }, 3);
        await AssertResultAsync(ann, points: 1000, bonus: 200, score: 4050, streak: 3, rank: 1);
        await AssertResultAsync(bob, points: 0, bonus: 0, score: 875, streak: 0, rank: 2, correct: false);
        await AssertResultAsync(cy, points: 450, bonus: 0, score: 450, streak: 0, rank: 3, correct: false);
        await host.NextAsync("questionEnded");

        // Q3, type answer: case, spaces and accents do not matter.
        await NextAsync(host, "leaderboard");
        await NextAsync(host, "question");
        await OpenAsync(3, ann, bob, cy);
        await AnswerAtAsync(ann, 3, "  paris ", 0);
        await AnswerAtAsync(bob, 3, "London", 0);
        await AnswerAtAsync(cy, 3, "Páris", 0);
        var typed = await host.NextAsync("questionEnded");
        Assert.Equal(2, typed.Int("right"));
        await AssertResultAsync(ann, points: 1000, bonus: 300, score: 5350, streak: 4, rank: 1);
        await AssertResultAsync(cy, points: 1000, bonus: 0, score: 1450, streak: 1, rank: 2);
        await AssertResultAsync(bob, points: 0, bonus: 0, score: 875, streak: 0, rank: 3, correct: false);

        // Q4, order: entirely right or nothing. Items are never shown in the right order.
        await NextAsync(host, "leaderboard");
        await NextAsync(host, "question");
        var order = await OpenAsync(4, ann, bob, cy);
        Assert.NotEqual([0, 1, 2], order.GetProperty("items").EnumerateArray().Select(i => i.Int("id")));
        await AnswerAtAsync(ann, 4, new[] { 0, 1, 2 }, 0);
        await AnswerAtAsync(bob, 4, new[] { 1, 0, 2 }, 0);
        await AnswerAtAsync(cy, 4, new[] { 0, 1, 2 }, 0);
        await AssertResultAsync(ann, points: 1000, bonus: 400, score: 6750, streak: 5, rank: 1);
        await AssertResultAsync(cy, points: 1000, bonus: 100, score: 2550, streak: 2, rank: 2);
        await host.NextAsync("questionEnded");

        // Q5, poll: no points, streaks untouched.
        await NextAsync(host, "leaderboard");
        await NextAsync(host, "question");
        await OpenAsync(5, ann, bob, cy);
        await AnswerAtAsync(ann, 5, 0, 0);
        await AnswerAtAsync(bob, 5, 1, 0);
        await AnswerAtAsync(cy, 5, 0, 0);
        var poll = await host.NextAsync("questionEnded");
        Assert.Equal([2, 1], poll.GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()));
        await AssertResultAsync(ann, points: 0, bonus: 0, score: 6750, streak: 5, rank: 1, correct: false);

        await NextAsync(host, "leaderboard");
        var podium = await NextAsync(host, "podium");
        Assert.Equal(["Ann", "Cy", "Bob"], podium.GetProperty("top").EnumerateArray().Select(s => s.Str("nickname")));
        Assert.Equal([6750, 2550, 875], podium.GetProperty("top").EnumerateArray().Select(s => s.Int("score")));
        var over = await bob.NextAsync("gameOver");
        Assert.Equal(3, over.Int("rank"));

        // Everything is in the database, finished.
        await using var connection = await App.Service<Database>().OpenAsync();
        Assert.Equal("finished", await connection.ExecuteScalarAsync<string>("SELECT status FROM games WHERE id = @id", new { id = game.Id }));
        Assert.Equal(6, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM game_questions WHERE game_id = @id AND closed_at IS NOT NULL", new { id = game.Id }));
        var scores = (await connection.QueryAsync<(string, long)>(
            """
            SELECT p.nickname, COALESCE(SUM(a.points + a.streak_bonus), 0) FROM game_players p
            LEFT JOIN game_answers a ON a.game_id = p.game_id AND a.player_id = p.player_id
            WHERE p.game_id = @id GROUP BY p.nickname ORDER BY p.nickname
            """, new { id = game.Id })).ToList();
        Assert.Equal([("Ann", 6750L), ("Bob", 875L), ("Cy", 2550L)], scores);
        Assert.Equal(17, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM game_answers WHERE game_id = @id", new { id = game.Id }));

        // And the report of the game as it was played through the hub says the same.
        var report = await (await teacher.Api.GetAsync($"/api/reports/games/{game.Id}")).Json(HttpStatusCode.OK);
        Assert.Equal("finished", report.GetProperty("game").Str("status"));
        Assert.Equal((3, 6, 5), (report.GetProperty("summary").Int("players"), report.GetProperty("summary").Int("questions"), report.GetProperty("summary").Int("scoredQuestions")));
        Assert.Equal(
            [("Ann", 1, 6750, 5, 0, 0), ("Cy", 2, 2550, 2, 2, 1), ("Bob", 3, 875, 1, 4, 0)],
            report.GetProperty("players").EnumerateArray().Select(p => (p.Str("nickname"), p.Int("rank"), p.Int("score"), p.Int("right"), p.Int("wrong"), p.Int("unanswered"))));
        Assert.Equal([1, 2], report.GetProperty("flags").GetProperty("difficultQuestions").EnumerateArray().Select(i => i.GetInt32()).Order());
        var bobId = report.GetProperty("players").EnumerateArray().Single(p => p.Str("nickname") == "Bob").Int("playerId");
        Assert.Equal([bobId], report.GetProperty("flags").GetProperty("needsHelp").EnumerateArray().Select(i => i.GetInt32()));
    }

    [Fact]
    public async Task With_streaks_off_right_answers_in_a_row_earn_no_bonus()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { streaks = false, readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);
        await AssertResultAsync(ann, points: 1000, bonus: 0, score: 1000, streak: 1, rank: 1);
        await NextAsync(host, "leaderboard");
        await host.InvokeAsync("Next");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 1, true, 0);
        await AssertResultAsync(ann, points: 2000, bonus: 0, score: 3000, streak: 2, rank: 1);
    }

    [Fact]
    public async Task A_player_who_drops_rejoins_with_their_score_and_streak_and_a_host_who_reloads_takes_the_game_back()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        var host = await HostAsync(teacher, game);
        var ann = await JoinAsync(game, "Ann");
        var twice = await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Join", game.Pin, "Ann2"));
        Assert.Contains("already in a game", twice.Message, StringComparison.Ordinal);
        await using var bob = await JoinAsync(game, "Bob");
        var token = ann.Token;
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);
        await AnswerAtAsync(bob, 0, 0, 0);
        await AssertResultAsync(ann, points: 1000, bonus: 0, score: 1000, streak: 1, rank: 1);

        // Ann's phone drops; the host reloads.
        await ann.DisposeAsync();
        await host.DisposeAsync();
        await using var host2 = await HostAsync(teacher, game, expectPhase: "results");
        await using var ann2 = await HubClient.ConnectAsync(App.BaseAddress);
        var back = await ann2.InvokeAsync("Rejoin", game.Pin, token);
        Assert.Equal("Ann", back.Str("nickname"));
        Assert.Equal(1000, back.GetProperty("state").Int("score"));
        Assert.Equal(1, back.GetProperty("state").Int("streak"));
        Assert.Equal("results", back.GetProperty("state").Str("phase"));

        await NextAsync(host2, "leaderboard");
        await host2.InvokeAsync("Next");
        await ann2.NextAsync("answersOpen");
        await ann2.InvokeAsync("Answer", 1, true);
        await bob.InvokeAsync("Answer", 1, true);
        var result = await ann2.NextAsync("result");
        Assert.Equal(1000 + 2000 + 100, result.Int("score"));
        Assert.Equal(2, result.Int("streak"));

        var forged = await Assert.ThrowsAsync<HubCallException>(async () =>
        {
            await using var other = await HubClient.ConnectAsync(App.BaseAddress);
            await other.InvokeAsync("Rejoin", game.Pin, "forged-token");
        });
        Assert.Contains("not valid", forged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_player_whose_phone_reloads_mid_question_is_waited_for_and_answers_in_the_time_left()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        var ann = await JoinAsync(game, "Ann");
        await using var bob = await JoinAsync(game, "Bob");
        var token = ann.Token;
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await bob.NextAsync("answersOpen");

        // 3 s in, Ann's phone reloads; Bob, the only one connected, answers.
        App.Clock.Advance(TimeSpan.FromSeconds(3));
        await ann.DisposeAsync();
        await WaitForAsync(host, "playerLeft", "Ann");
        await AnswerAtAsync(bob, 0, 1, 0);

        // The question still waits for Ann: she rejoins to it with the 17 s left and answers.
        await using var ann2 = await HubClient.ConnectAsync(App.BaseAddress);
        var state = (await ann2.InvokeAsync("Rejoin", game.Pin, token)).GetProperty("state");
        Assert.Equal("answering", state.Str("phase"));
        Assert.False(state.GetProperty("answered").GetBoolean());
        Assert.Equal((0, 17_000), (state.GetProperty("open").Int("index"), state.GetProperty("open").Int("closesInMs")));
        Assert.DoesNotContain("questionEnded", host.Received());
        var ack = await ann2.InvokeAsync("Answer", 0, 1);
        Assert.Equal(3000, ack.Int("timeMs"));
        Assert.Equal(2, (await host.NextAsync("questionEnded")).Int("answered"));
        var result = await ann2.NextAsync("result");
        Assert.Equal((true, 925), (result.GetProperty("correct").GetBoolean(), result.Int("points")));
        Assert.False(result.TryGetProperty("away", out _));
    }

    [Fact]
    public async Task A_player_who_drops_and_misses_the_time_limit_is_told_they_were_away()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        var ann = await JoinAsync(game, "Ann");
        await using var bob = await JoinAsync(game, "Bob");
        var token = ann.Token;
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await ann.DisposeAsync();
        await WaitForAsync(host, "playerLeft", "Ann");
        await AnswerAtAsync(bob, 0, 1, 1);

        // Nobody closes the question but its time limit (20 s, up to 2 s more for the fan-out).
        App.Clock.Advance(TimeSpan.FromSeconds(22));
        var ended = await host.NextAsync("questionEnded");
        Assert.Equal((1, 2), (ended.Int("answered"), ended.Int("players")));
        Assert.False((await bob.NextAsync("result")).TryGetProperty("away", out _));

        await using var ann2 = await HubClient.ConnectAsync(App.BaseAddress);
        var state = (await ann2.InvokeAsync("Rejoin", game.Pin, token)).GetProperty("state");
        Assert.Equal("results", state.Str("phase"));
        var result = state.GetProperty("result");
        Assert.Equal((false, 0, true), (result.GetProperty("answered").GetBoolean(), result.Int("points"), result.GetProperty("away").GetBoolean()));
    }

    [Fact]
    public async Task A_kicked_player_is_told_and_cannot_rejoin_and_the_others_play_on()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await using var rude = await JoinAsync(game, "Rude");
        var rudeId = rude.PlayerId;

        await host.InvokeAsync("Kick", rudeId);
        Assert.Contains("removed", (await rude.NextAsync("kicked")).Str("message"), StringComparison.Ordinal);
        Assert.Equal(1, (await host.NextAsync("playerLeft")).Int("players"));
        await using var again = await HubClient.ConnectAsync(App.BaseAddress);
        var refused = await Assert.ThrowsAsync<HubCallException>(() => again.InvokeAsync("Rejoin", game.Pin, rude.Token));
        Assert.Contains("not valid", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubCallException>(() => rude.InvokeAsync("Answer", 0, 1));

        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);
        // Ann was the only player left: the question closes as soon as she answers.
        Assert.Equal(1, (await host.NextAsync("questionEnded")).Int("players"));
        await Assert.ThrowsAsync<HubCallException>(() => host.InvokeAsync("Kick", rudeId));
    }

    [Fact]
    public async Task Nicknames_are_checked_unique_ignoring_case_and_filtered_and_wrong_pins_are_refused()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");

        async Task<string> RefusedAsync(string pin, string nickname)
        {
            await using var client = await HubClient.ConnectAsync(App.BaseAddress);
            return (await Assert.ThrowsAsync<HubCallException>(() => client.InvokeAsync("Join", pin, nickname))).Message;
        }

        Assert.Contains("taken", await RefusedAsync(game.Pin, "ANN"), StringComparison.Ordinal);
        Assert.Contains("taken", await RefusedAsync(game.Pin, " ann "), StringComparison.Ordinal);
        Assert.Contains("Choose a nickname", await RefusedAsync(game.Pin, "   "), StringComparison.Ordinal);
        Assert.Contains("at most 20", await RefusedAsync(game.Pin, new string('x', 21)), StringComparison.Ordinal);
        Assert.Contains("another nickname", await RefusedAsync(game.Pin, "5H1T"), StringComparison.Ordinal);
        Assert.Contains("no game with that PIN", await RefusedAsync(game.Pin == "1234567" ? "7654321" : "1234567", "Zed"), StringComparison.Ordinal);

        // A name with markup is just a name.
        await using var script = await JoinAsync(game, "<b>Bo</b>");
        Assert.Equal("<b>Bo</b>", script.Nickname);
    }

    [Theory]
    [InlineData("A\u200bnn")] // zero-width space
    [InlineData("A\u200dnn")] // zero-width joiner
    [InlineData("\u202eAnn")] // right-to-left override
    [InlineData("\u0410nn")] // Cyrillic capital A
    [InlineData("\uff21nn")] // fullwidth A
    [InlineData("Ann\u3000")] // ideographic space
    [InlineData("A\u0430nn")] // not the same as "Ann", but the same as "Aann"
    public async Task Look_alike_nicknames_are_taken_like_the_name_they_imitate(string lookAlike)
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await using var aann = await JoinAsync(game, "Aann");

        await using var client = await HubClient.ConnectAsync(App.BaseAddress);
        var refused = await Assert.ThrowsAsync<HubCallException>(() => client.InvokeAsync("Join", game.Pin, lookAlike));

        Assert.Contains("taken", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nicknames_are_normalised_and_ordinary_names_in_any_script_kept_as_typed()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);

        foreach (var (typed, kept) in new[] { ("José", "José"), ("Zoe\u0308", "Zoë"), ("Дмитрий", "Дмитрий"), ("李雷", "李雷"), ("  Mary \u2003 Jane ", "Mary Jane"), ("\u202eEve\u202c", "Eve") })
        {
            await using var player = await JoinAsync(game, typed);
            Assert.Equal(kept, player.Nickname);
        }

        await using var client = await HubClient.ConnectAsync(App.BaseAddress);
        var empty = await Assert.ThrowsAsync<HubCallException>(() => client.InvokeAsync("Join", game.Pin, "\u200b\u200d\u2066 \u202e"));
        Assert.Contains("no letters", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Players_cannot_host_teachers_cannot_host_others_games_and_bad_answers_are_explained()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");

        Assert.Contains("Only the game's host", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Start"))).Message, StringComparison.Ordinal);
        await using (var anonymous = await HubClient.ConnectAsync(App.BaseAddress))
        {
            Assert.Contains("Sign in", (await Assert.ThrowsAsync<HubCallException>(() => anonymous.InvokeAsync("Host", game.Id))).Message, StringComparison.Ordinal);
        }

        var stranger = await SignUpAsync();
        await using (var other = await HubClient.ConnectAsync(App.BaseAddress, stranger.Token))
        {
            Assert.Contains("No live game of yours", (await Assert.ThrowsAsync<HubCallException>(() => other.InvokeAsync("Host", game.Id))).Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<HubCallException>(() => other.InvokeAsync("Next"));
        }

        Assert.Contains("not open", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", 0, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("Start the game first", (await Assert.ThrowsAsync<HubCallException>(() => host.InvokeAsync("Next"))).Message, StringComparison.Ordinal);
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", 0, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", 0, -1))).Message, StringComparison.Ordinal);
        Assert.Contains("a number", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", 0, "Rome"))).Message, StringComparison.Ordinal);
        Assert.Contains("not open", (await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", 4, new[] { 0, 1, 2 }))).Message, StringComparison.Ordinal);
        // Wrong argument types are a refusal too, not a crash.
        await Assert.ThrowsAsync<HubCallException>(() => ann.InvokeAsync("Answer", "zero", 1));

        // Still fine: the good answer counts.
        await AnswerAtAsync(ann, 0, 1, 0);
        await AssertResultAsync(ann, points: 1000, bonus: 0, score: 1000, streak: 1, rank: 1);
    }

    [Fact]
    public async Task A_flooding_connection_is_slowed_down_without_touching_other_players()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await using var flood = await JoinAsync(game, "Flood");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");

        var calls = Enumerable.Range(0, 60).Select(_ => flood.InvokeAsync("Answer", 3, 1).ContinueWith(t => t.Exception?.InnerException?.Message)).ToList();
        var messages = await Task.WhenAll(calls);
        Assert.Contains(messages, m => m is not null && m.Contains("Slow down", StringComparison.Ordinal));

        await AnswerAtAsync(ann, 0, 1, 0);
        Assert.Equal(1, (await host.NextAsync("answerCount")).Int("answered"));
    }

    [Fact]
    public async Task Players_may_join_after_the_start_and_score_from_their_first_question()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);
        await ann.NextAsync("result");

        await using var late = await JoinAsync(game, "Late");
        Assert.Equal("results", late.State.Str("phase"));
        await NextAsync(host, "leaderboard");
        await host.InvokeAsync("Next");
        await late.NextAsync("answersOpen");
        await AnswerAtAsync(late, 1, true, 0);
        await AnswerAtAsync(ann, 1, false, 0);
        var result = await late.NextAsync("result");
        Assert.Equal(2000, result.Int("score"));
        Assert.Equal(1, result.Int("rank"));

        await using var connection = await App.Service<Database>().OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT first_question FROM game_players WHERE game_id = @id AND nickname = 'Late'", new { id = game.Id }));
    }

    [Fact]
    public async Task A_class_game_lets_each_student_choose_their_roster_name_once()
    {
        var teacher = await SignUpAsync();
        var classId = (await (await teacher.Api.PostAsync("/api/classes", new { name = "7B" })).Json(HttpStatusCode.Created)).Long("id");
        foreach (var name in new[] { "Ada Lovelace", "Alan Turing" })
        {
            await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name, preferredName = name.Split(' ')[0] })).Status(HttpStatusCode.Created);
        }

        var game = await StartGameAsync(teacher, Quiz, new { classId, readSeconds = 0 });
        var info = await (await Anonymous().GetAsync($"/api/play/{game.Pin}")).Json(HttpStatusCode.OK);
        Assert.Equal("roster", info.Str("joinMode"));
        Assert.Equal(["Ada", "Alan"], info.GetProperty("names").EnumerateArray().Select(n => n.GetString()));

        await using var ada = await JoinAsync(game, "ada");
        Assert.Equal("Ada", ada.Nickname);
        await using var impostor = await HubClient.ConnectAsync(App.BaseAddress);
        Assert.Contains("already joined", (await Assert.ThrowsAsync<HubCallException>(() => impostor.InvokeAsync("Join", game.Pin, "Ada"))).Message, StringComparison.Ordinal);
        Assert.Contains("class list", (await Assert.ThrowsAsync<HubCallException>(() => impostor.InvokeAsync("Join", game.Pin, "Grace"))).Message, StringComparison.Ordinal);
        var left = await (await Anonymous().GetAsync($"/api/play/{game.Pin}")).Json(HttpStatusCode.OK);
        Assert.Equal(["Alan"], left.GetProperty("names").EnumerateArray().Select(n => n.GetString()));

        await using var connection = await App.Service<Database>().OpenAsync();
        Assert.NotNull(await connection.ExecuteScalarAsync<long?>("SELECT student_id FROM game_players WHERE game_id = @id", new { id = game.Id }));
    }

    [Fact]
    public async Task Starting_a_game_gives_a_pin_a_join_url_and_its_qr_code_and_bad_requests_are_explained()
    {
        var teacher = await SignUpAsync();
        var quizId = await QuizAsync(teacher, Quiz);
        var response = await teacher.Api.PostAsync("/api/games", new { quizId, options = new { podiumSize = 5 } });
        var game = await response.Json(HttpStatusCode.Created);
        Assert.Matches("^[0-9]{6,7}$", game.Str("pin"));
        Assert.EndsWith($"/play?pin={game.Str("pin")}", game.Str("joinUrl"), StringComparison.Ordinal);
        Assert.Equal(5, game.GetProperty("options").Int("podiumSize"));
        Assert.Equal("lobby", game.Str("status"));

        var qr = await teacher.Api.GetAsync(game.Str("qrCodeUrl"));
        Assert.Equal(HttpStatusCode.OK, qr.StatusCode);
        Assert.Equal("image/svg+xml", qr.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", (await qr.Content.ReadAsStringAsync()).TrimStart(), StringComparison.Ordinal);

        var lookup = await (await Anonymous().GetAsync($"/api/play/{game.Str("pin")}")).Json(HttpStatusCode.OK);
        Assert.Equal("Capitals & co", lookup.Str("title"));
        Assert.Equal("nickname", lookup.Str("joinMode"));
        await (await Anonymous().GetAsync("/api/play/000000")).Problem(HttpStatusCode.NotFound);

        await (await teacher.Api.PostAsync("/api/games", new { options = new { } })).ValidationProblem("quizId");
        await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { podiumSize = 11 } })).ValidationProblem("options.podiumSize");
        await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { classId = 987654 } })).ValidationProblem("options.classId");
        var stranger = await SignUpAsync();
        await (await stranger.Api.PostAsync("/api/games", new { quizId })).Problem(HttpStatusCode.NotFound);
        await (await stranger.Api.GetAsync($"/api/games/{game.Long("id")}")).Problem(HttpStatusCode.NotFound);
        await (await stranger.Api.GetAsync(game.Str("qrCodeUrl"))).Problem(HttpStatusCode.NotFound);
        var empty = await QuizAsync(teacher, new { title = "Empty", questions = Array.Empty<object>() });
        await (await teacher.Api.PostAsync("/api/games", new { quizId = empty })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await Anonymous().PostAsync("/api/games", new { quizId })).Status(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ending_a_game_early_stores_its_results_and_ending_an_unstarted_one_leaves_nothing()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);
        await host.InvokeAsync("End");
        var podium = await ann.NextAsync("podium");
        Assert.Equal(1, podium.Int("questions"));
        var stored = await (await teacher.Api.GetAsync($"/api/games/{game.Id}")).Json(HttpStatusCode.OK);
        Assert.Equal("finished", stored.Str("status"));

        var (teacher2, unplayed) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host2 = await HostAsync(teacher2, unplayed);
        await using var bob = await JoinAsync(unplayed, "Bob");
        await host2.InvokeAsync("End");
        Assert.Contains("closed", (await bob.NextAsync("gameClosed")).Str("message"), StringComparison.Ordinal);
        await AssertEventuallyAsync(async () => (await teacher2.Api.GetAsync($"/api/games/{unplayed.Id}")).StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_game_left_running_is_ended_over_http_and_its_players_are_told()
    {
        var (teacher, game) = await NewGameAsync(Quiz, new { readSeconds = 0 });
        await using var host = await HostAsync(teacher, game);
        await using var ann = await JoinAsync(game, "Ann");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");
        await AnswerAtAsync(ann, 0, 1, 0);

        var other = await SignUpAsync();
        await (await other.Api.PostAsync($"/api/games/{game.Id}/end", new { })).Problem(HttpStatusCode.NotFound);
        var ended = await (await teacher.Api.PostAsync($"/api/games/{game.Id}/end", new { })).Json(HttpStatusCode.OK);
        Assert.Equal(("finished", "podium"), (ended.Str("status"), ended.Str("phase")));
        Assert.Equal(1, (await ann.NextAsync("podium")).Int("questions"));
        Assert.Equal(1, (await ann.NextAsync("gameOver")).Int("rank"));
        await host.NextAsync("podium");
        await (await teacher.Api.PostAsync($"/api/games/{game.Id}/end", new { })).Problem(HttpStatusCode.NotFound);
        Assert.Equal("finished", (await (await teacher.Api.GetAsync($"/api/games/{game.Id}")).Json(HttpStatusCode.OK)).Str("status"));
        Assert.Empty((await (await teacher.Api.GetAsync("/api/games")).Json(HttpStatusCode.OK)).EnumerateArray());

        // From the lobby, ending closes the game and keeps nothing.
        var lobby = await StartGameAsync(teacher, Quiz, new { readSeconds = 0 });
        await using var bob = await JoinAsync(lobby, "Bob");
        var closed = await (await teacher.Api.PostAsync($"/api/games/{lobby.Id}/end", new { })).Json(HttpStatusCode.OK);
        Assert.Equal("closed", closed.Str("phase"));
        Assert.Contains("closed", (await bob.NextAsync("gameClosed")).Str("message"), StringComparison.Ordinal);
        await AssertEventuallyAsync(async () => (await teacher.Api.GetAsync($"/api/games/{lobby.Id}")).StatusCode == HttpStatusCode.NotFound);
    }

    // ---- Helpers ---------------------------------------------------------------------------------------

    private sealed record Game(long Id, string Pin);

    private sealed class Player(HubClient client, JsonElement joined) : IAsyncDisposable
    {
        public HubClient Client { get; } = client;

        public int PlayerId { get; } = joined.Int("playerId");

        public string Token { get; } = joined.Str("rejoinToken");

        public string Nickname { get; } = joined.Str("nickname");

        public JsonElement State { get; } = joined.GetProperty("state");

        public Task<JsonElement> NextAsync(string target) => Client.NextAsync(target);

        public Task<JsonElement> InvokeAsync(string target, params object?[] arguments) => Client.InvokeAsync(target, arguments);

        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }

    private static async Task<long> QuizAsync(Teacher teacher, object quiz) =>
        (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");

    private static async Task<Game> StartGameAsync(Teacher teacher, object quiz, object options)
    {
        var quizId = await QuizAsync(teacher, quiz);
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options })).Json(HttpStatusCode.Created);
        return new Game(game.Long("id"), game.Str("pin"));
    }

    private async Task<(Teacher, Game)> NewGameAsync(object quiz, object options)
    {
        var teacher = await SignUpAsync();
        return (teacher, await StartGameAsync(teacher, quiz, options));
    }

    private async Task<HubClient> HostAsync(Teacher teacher, Game game, string expectPhase = "lobby")
    {
        var host = await HubClient.ConnectAsync(App.BaseAddress, teacher.Token);
        var state = await host.InvokeAsync("Host", game.Id);
        Assert.Equal(game.Pin, state.Str("pin"));
        Assert.Equal(expectPhase, state.Str("phase"));
        return host;
    }

    private async Task<Player> JoinAsync(Game game, string nickname)
    {
        var client = await HubClient.ConnectAsync(App.BaseAddress);
        return new Player(client, await client.InvokeAsync("Join", game.Pin, nickname));
    }

    /// <summary>Lets the question's reading time pass and checks every player sees its answers open.</summary>
    private async Task<JsonElement> OpenAsync(int index, params Player[] players)
    {
        foreach (var player in players)
        {
            Assert.Equal(index, (await player.NextAsync("question")).Int("index"));
        }

        App.Clock.Advance(Read);
        JsonElement open = default;
        foreach (var player in players)
        {
            open = await player.NextAsync("answersOpen");
            Assert.Equal(index, open.Int("index"));
        }

        return open;
    }

    /// <summary>Moves the clock on by <paramref name="afterSeconds"/>, then answers.</summary>
    private async Task<JsonElement> AnswerAtAsync(Player player, int index, object answer, double afterSeconds)
    {
        App.Clock.Advance(TimeSpan.FromSeconds(afterSeconds));
        var ack = await player.InvokeAsync("Answer", index, answer);
        Assert.Equal(index, ack.Int("questionIndex"));
        return ack;
    }

    private static async Task<JsonElement> NextAsync(HubClient host, string expected)
    {
        await host.InvokeAsync("Next");
        return await host.NextAsync(expected);
    }

    private static async Task AssertResultAsync(Player player, int points, int bonus, int score, int streak, int rank, bool correct = true, bool answered = true)
    {
        var result = await player.NextAsync("result");
        Assert.Equal(
            (answered, correct, points, bonus, score, streak, rank),
            (result.GetProperty("answered").GetBoolean(), result.GetProperty("correct").GetBoolean(), result.Int("points"), result.Int("streakBonus"),
             result.Int("score"), result.Int("streak"), result.Int("rank")));
    }

    /// <summary>Waits for the host's <paramref name="target"/> event about <paramref name="nickname"/>, skipping others of that name.</summary>
    private static async Task WaitForAsync(HubClient host, string target, string nickname)
    {
        while ((await host.NextAsync(target)).GetProperty("player").Str("nickname") != nickname)
        {
        }
    }

    private static async Task AssertEventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(await condition());
    }
}

public sealed class SqliteLiveGameTests(SqliteFixture fixture) : LiveGameTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresLiveGameTests(PostgresFixture fixture) : LiveGameTests(fixture), IClassFixture<PostgresFixture>;
