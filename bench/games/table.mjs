// Prints the summary table of a bench/game.sh run from game.mjs's JSON files (and the database check
// game.sh writes next to each, FILE.db.json), in Markdown, and the largest N meeting the goal.
//
//   node table.mjs [--db sqlite] [--date D] [--commit C] [--load L] [--json OUT] game-1-1000.json ...

import { existsSync, readFileSync, writeFileSync } from "node:fs";

const GOAL_ACK_P99_MS = 100;
const GOAL_FANOUT_P99_MS = 1000;

const meta = {};
const files = [];
for (let i = 2; i < process.argv.length; i++) {
    const arg = process.argv[i];
    if (arg.startsWith("--")) meta[arg.slice(2)] = process.argv[++i];
    else files.push(arg);
}

const runs = files.map(file => {
    const r = JSON.parse(readFileSync(file, "utf8"));
    const dbFile = file.replace(/\.json$/, ".db.json");
    r.database = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, "utf8")) : null;
    r.checksPassed = r.ok && r.database?.check === "ok";
    r.meetsGoal = r.checksPassed && r.ack.p99 <= GOAL_ACK_P99_MS && r.fanOut.question.p99 <= GOAL_FANOUT_P99_MS
        && r.fanOut.answersOpen.p99 <= GOAL_FANOUT_P99_MS;
    return r;
});

const f = (v, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));
const ms = v => (v === null || !Number.isFinite(v) ? "–" : v < 10 ? v.toFixed(1) : v.toFixed(0));
const rows = [[
    "players", "load", "join s (joins/s)", "ack p50 / p95 / p99 / max ms", "ack errors", "fan-out p50 / p99 / max ms",
    "answersOpen p99 ms", "results p99 ms", "server KB/player", "server CPU s (game %)", "client CPU s (game %)", "database players / answers", "goal",
]];
for (const r of runs) {
    rows.push([
        String(r.players),
        `${r.loadBefore ?? "?"}–${r.loadAfter ?? "?"}`,
        `${f(r.join.ms / 1000, 1)} (${f(r.join.perSecond)})`,
        `${ms(r.ack.p50)} / ${ms(r.ack.p95)} / ${ms(r.ack.p99)} / ${ms(r.ack.max)}`,
        String(r.ack.failed + (r.ack.acked + r.ack.failed < r.players * r.questions ? r.players * r.questions - r.ack.acked - r.ack.failed : 0)),
        `${ms(r.fanOut.question.p50)} / ${ms(r.fanOut.question.p99)} / ${ms(r.fanOut.question.max)}`,
        ms(r.fanOut.answersOpen.p99),
        ms(r.resultSpreadMs.p99),
        f(r.server.kbPerPlayer, 1),
        `${f(r.server.cpuGameS, 1)} (${f(r.server.cpuGamePct)} %)`,
        `${f(r.client.cpuGameS, 1)} (${f(r.client.cpuGamePct)} %)`,
        r.database ? `${r.database.players} / ${r.database.answers}` : "–",
        !r.checksPassed ? "checks failed" : r.meetsGoal ? "**yes**" : "no",
    ]);
}
console.log(rows.map((row, i) => `| ${row.join(" | ")} |` + (i === 0 ? `\n|${row.map((_, c) => (c <= 1 || c === row.length - 1 ? "---" : "---:")).join("|")}|` : "")).join("\n"));

const met = runs.filter(r => r.meetsGoal).map(r => r.players);
console.log();
console.log(`Goal: ack p99 ≤ ${GOAL_ACK_P99_MS} ms and fan-out p99 ≤ ${GOAL_FANOUT_P99_MS} ms with every check passed. ` +
    (met.length ? `Largest N meeting it in this run: ${Math.max(...met)}.` : "No N met it in this run."));
for (const r of runs) {
    for (const failure of r.failures) console.log(`   ${r.players}: ${failure}`);
    if (r.database && r.database.check !== "ok") console.log(`   ${r.players}: database holds ${r.database.players} players, ${r.database.answers} answers (${r.database.status}), expected ${r.database.expectedPlayers}, ${r.database.expectedAnswers}`);
}

if (meta.json) {
    writeFileSync(meta.json, JSON.stringify({ ...meta, json: undefined, goal: { ackP99Ms: GOAL_ACK_P99_MS, fanOutP99Ms: GOAL_FANOUT_P99_MS }, runs }, null, 2));
    console.log(`figures written to ${meta.json}`);
}
