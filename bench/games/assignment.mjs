// The load generator of bench/assignment.sh: N students answering an assignment at once over plain HTTP
// (/api/a/{code}/…, docs/api.md). Each student starts an attempt, then for every question asks for it
// (/next, which times it on the server) and answers it; all students run at the same time. Measured: the
// answer's acknowledgement latency (the POST /answers round trip: stored before it answers), and, in the same
// run and with the same number of requests in flight, GET /health, so the figures can be read as ratios.
//
//   node assignment.mjs --url URL --code CODE --students N --questions Q [--json FILE]

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) {
    pairs.push([arg.slice(2), all[i + 1]]);
  }
  return pairs;
}, []));
const url = args.url;
const code = args.code;
const students = Number(args.students);
const questions = Number(args.questions);

async function post(path, body) {
  const response = await fetch(`${url}/api/a/${code}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}

function percentile(sorted, p) {
  if (sorted.length === 0) {
    return null;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const round = (x) => (x === null ? null : Math.round(x * 10) / 10);
  return { count: sorted.length, p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? null) };
}

/** N requests at once to /health, the baseline. */
async function health(n) {
  const times = [];
  await Promise.all(Array.from({ length: n }, async () => {
    const start = performance.now();
    const response = await fetch(`${url}/health`);
    await response.arrayBuffer();
    times.push(performance.now() - start);
  }));
  return times;
}

const failures = [];
const acks = [];
const nexts = [];

// Everyone starts (not measured: sign-in is not what the bench is about), 100 at a time. Five-digit names: a
// number alone such as "Student 69" is refused like any blocked nickname.
const tokens = [];
for (let i = 0; i < students; i += 100) {
  const batch = await Promise.all(Array.from({ length: Math.min(100, students - i) }, (_, k) =>
    post('/start', { name: `Student ${10001 + i + k}` }).then((s) => s.token, (error) => {
      failures.push(String(error));
      return null;
    })));
  tokens.push(...batch);
}

// Warm-up of the baseline, then the baseline itself with as many requests in flight as students.
await health(Math.min(students, 200));
const healthTimes = [];
for (let q = 0; q < questions; q++) {
  healthTimes.push(...await health(students));
}

// Every student, at once, through every question.
const started = performance.now();
await Promise.all(tokens.filter(Boolean).map(async (token) => {
  try {
    for (let q = 0; q < questions; q++) {
      let t = performance.now();
      const state = await post('/next', { token });
      nexts.push(performance.now() - t);
      const question = state.question;
      t = performance.now();
      await post('/answers', { token, questionIndex: question.index, answer: 0 });
      acks.push(performance.now() - t);
    }
  } catch (error) {
    failures.push(String(error));
  }
}));
const elapsed = (performance.now() - started) / 1000;

const result = {
  students, questions, seconds: Math.round(elapsed * 10) / 10, answersPerSecond: Math.round(acks.length / elapsed),
  ack: summary(acks), next: summary(nexts), health: summary(healthTimes), failures: failures.length, firstFailure: failures[0] ?? null,
};
result.ratioP50 = result.health.p50 ? Math.round((result.ack.p50 / result.health.p50) * 10) / 10 : null;
result.ratioP99 = result.health.p99 ? Math.round((result.ack.p99 / result.health.p99) * 10) / 10 : null;
if (args.json) {
  writeFileSync(args.json, JSON.stringify(result, null, 2));
}
console.log(JSON.stringify(result));
process.exit(failures.length ? 1 : 0);
