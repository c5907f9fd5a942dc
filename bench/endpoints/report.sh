# GET /api/reports/games/{id}: the report of one finished game with 10,000 players and 30 questions
# (REPORT_PLAYERS and REPORT_QUESTIONS override), about 290,000 answers. The live-game engine is not needed:
# setup creates the quiz through the API, then writes the game's rows straight into the database the service
# uses (sqlite3 on the service's file, or psql on the bench cluster), in one statement per table, and reads the
# report once. Question types cycle through single, multi, true/false, type answer, order and poll; some players
# join late, a few are kicked or leave early, about 1 in 20 answers is missing. The figures are deterministic.
#
# The report is one request's worth of work, so its target (200 ms) is a latency: measure it one request at a
# time, e.g. `bench/run.sh --connections 1 --threads 1 report`.
setup() {
    local players=${REPORT_PLAYERS:-10000} count=${REPORT_QUESTIONS:-30} teacher_id quiz_id game_id questions="" j started now
    command -v jq >/dev/null || { echo "run.sh: the report bench needs jq (apt-get install -y jq)" >&2; return 1; }
    for ((j = 0; j < count; j++)); do
        case $((j % 6)) in
            0) questions+="{\"type\":\"single\",\"text\":\"Question $((j + 1)): which one?\",\"timeLimit\":20,\"points\":1000,\"answers\":[{\"text\":\"A\",\"correct\":false},{\"text\":\"B\",\"correct\":true},{\"text\":\"C\",\"correct\":false},{\"text\":\"D\",\"correct\":false}]}," ;;
            1) questions+="{\"type\":\"multi\",\"text\":\"Question $((j + 1)): which ones?\",\"timeLimit\":30,\"points\":1000,\"answers\":[{\"text\":\"A\",\"correct\":true},{\"text\":\"B\",\"correct\":false},{\"text\":\"C\",\"correct\":true},{\"text\":\"D\",\"correct\":false}]}," ;;
            2) questions+="{\"type\":\"truefalse\",\"text\":\"Question $((j + 1)): true?\",\"timeLimit\":10,\"points\":1000,\"correct\":true}," ;;
            3) questions+="{\"type\":\"typeanswer\",\"text\":\"Question $((j + 1)): the capital of France?\",\"timeLimit\":30,\"points\":1000,\"accepted\":[\"Paris\"]}," ;;
            4) questions+="{\"type\":\"order\",\"text\":\"Question $((j + 1)): put in order\",\"timeLimit\":60,\"points\":2000,\"items\":[\"one\",\"two\",\"three\",\"four\"]}," ;;
            5) questions+="{\"type\":\"poll\",\"text\":\"Question $((j + 1)): which do you like?\",\"timeLimit\":20,\"points\":0,\"answers\":[{\"text\":\"Red\"},{\"text\":\"Green\"},{\"text\":\"Blue\"},{\"text\":\"Yellow\"}]}," ;;
        esac
    done
    questions="[${questions%,}]"
    teacher_id=$(api GET /api/me | json_get id)
    # The quiz as the service stores it: the game keeps a copy of exactly that.
    quiz_id=$(api POST /api/quizzes "{\"title\":\"Bench report quiz\",\"questions\":$questions}" | json_get id)
    questions=$(api GET "/api/quizzes/$quiz_id" | jq -c .questions)
    now=$(date +%s%3N)
    started=$((now - 3600000))

    # One SQL script for both databases: recursive CTEs count, comparisons give 0/1 on SQLite and booleans on PostgreSQL.
    game_id=$(report_sql <<SQL | tr -d '[:space:]'
INSERT INTO games (teacher_id, quiz_id, pin, title, questions, options, status, created_at, started_at, ended_at)
VALUES ($teacher_id, $quiz_id, '123456', 'Bench report quiz', '$questions',
        '{"streaks":true,"podiumSize":3,"shuffleAnswers":false,"nicknameGenerator":false}', 'finished', $started, $started, $now)
RETURNING id;
SQL
)
    [[ $game_id =~ ^[0-9]+$ ]] || { echo "run.sh: could not insert the bench game: $game_id" >&2; return 1; }
    local started_s=$SECONDS
    report_sql >/dev/null <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $players)
INSERT INTO game_players (game_id, player_id, nickname, joined_at, first_question, kicked, left_early)
SELECT $game_id, i, 'Player ' || i, $started, CASE WHEN i % 50 = 0 THEN 5 ELSE 0 END, i % 1000 = 0, i % 97 = 0 FROM n;
WITH RECURSIVE q(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM q WHERE j < $count - 1)
INSERT INTO game_questions (game_id, question_index, opened_at, closed_at)
SELECT $game_id, j, $started + j * 60000, $started + j * 60000 + 20000 FROM q;
INSERT INTO game_answers (game_id, player_id, question_index, answer, correct, points, streak_bonus, streak, time_ms, answered_at)
SELECT game_id, player_id, question_index,
    CASE question_index % 6
        WHEN 0 THEN CAST(r % 4 AS TEXT)
        WHEN 1 THEN CASE r % 4 WHEN 0 THEN '[0,2]' WHEN 1 THEN '[0]' WHEN 2 THEN '[1,2]' ELSE '[0,2,3]' END
        WHEN 2 THEN CASE WHEN r % 3 = 0 THEN 'false' ELSE 'true' END
        WHEN 3 THEN CASE r % 5 WHEN 0 THEN '"Paris"' WHEN 1 THEN '"paris"' WHEN 2 THEN '" Paris "' WHEN 3 THEN '"London"' ELSE '"Lyon"' END
        WHEN 4 THEN CASE WHEN r % 3 = 0 THEN '[1,0,2,3]' ELSE '[0,1,2,3]' END
        ELSE CAST(r % 4 AS TEXT)
    END,
    CASE question_index % 6
        WHEN 0 THEN r % 4 = 1 WHEN 1 THEN r % 4 = 0 WHEN 2 THEN r % 3 <> 0 WHEN 3 THEN r % 5 < 3 WHEN 4 THEN r % 3 <> 0
    END,
    CASE WHEN question_index % 6 = 5 THEN 0 ELSE 500 + r * 5 END * CASE question_index % 6
        WHEN 0 THEN CASE WHEN r % 4 = 1 THEN 1 ELSE 0 END WHEN 1 THEN CASE WHEN r % 4 = 0 THEN 1 ELSE 0 END
        WHEN 2 THEN CASE WHEN r % 3 <> 0 THEN 1 ELSE 0 END WHEN 3 THEN CASE WHEN r % 5 < 3 THEN 1 ELSE 0 END
        WHEN 4 THEN CASE WHEN r % 3 <> 0 THEN 1 ELSE 0 END ELSE 0 END,
    CASE WHEN r % 7 = 0 THEN 100 ELSE 0 END, r % 4, 400 + (r * 197) % 19000, opened_at + 400 + (r * 197) % 19000
FROM (
    SELECT p.game_id, p.player_id, q.question_index, q.opened_at, ((p.player_id * 2654435761 + q.question_index * 40503) % 1000003) % 100 AS r
    FROM game_questions q JOIN game_players p ON p.game_id = q.game_id AND p.first_question <= q.question_index
    WHERE q.game_id = $game_id
) x
WHERE (player_id * 31 + question_index * 17) % 20 <> 0
ORDER BY question_index, player_id;
SQL
    if [[ $DB == postgres ]]; then
        # What autovacuum does within a minute of a game ending: statistics, and the visibility map that lets
        # PostgreSQL answer from the covering indexes alone.
        report_sql >/dev/null <<<"VACUUM ANALYZE game_players; VACUUM ANALYZE game_questions; VACUUM ANALYZE game_answers;"
    fi
    echo "   seeded game $game_id: $players players, $count questions, $(report_sql <<<"SELECT COUNT(*) FROM game_answers WHERE game_id = $game_id;" | tr -d '[:space:]') answers in $((SECONDS - started_s)) s"
    local timing
    timing=$(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}' -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/reports/games/$game_id")
    echo "   first report: HTTP ${timing%% *}, $(awk '{ printf "%.0f ms, %.0f kB", $2 * 1000, $3 / 1024 }' <<<"$timing")"
    METHOD=GET
    URL_PATH=/api/reports/games/$game_id
}

# report_sql < SQL: runs SQL on the service's database (prints what it returns, nothing else).
report_sql() {
    if [[ $DB == postgres ]]; then
        "$PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U homeroom -d postgres
    else
        sqlite3 -bail -cmd '.timeout 10000' "$WORK/homeroom/data/homeroom.db"
    fi
}
