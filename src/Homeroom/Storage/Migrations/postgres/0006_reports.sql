-- Reports add up a game's answers twice: per player (score, right, time) and per question and answer (how
-- many chose what). These two indexes hold every column those sums read, in the order they group by, so
-- SQLite answers both from the index alone, without a row lookup or a sort per answer (a 10,000-player,
-- 30-question game has 300,000 answers; see docs/performance.md, Reports).
CREATE INDEX game_answers_by_player_totals ON game_answers (game_id, player_id, correct, points, streak_bonus, time_ms);
CREATE INDEX game_answers_by_answer ON game_answers (game_id, question_index, answer, correct, time_ms, player_id);
