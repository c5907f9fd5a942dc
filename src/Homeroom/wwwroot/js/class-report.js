// /classes/{id}/report: every game played with a class. Each student's accuracy game by game (a table, and a
// line chart of one student's trend against the class), the questions the class keeps missing, and the
// picker's equity report (drawn by the class page's own Equity module).
import { api, el, renderHeader, requireSignIn, revealPage, showPageError } from '/js/api.js';
import { initEquity } from '/js/class-equity.js';
import { classIdFromPath, displayName, plural } from '/js/classes-common.js';
import { accuracyClass, chartColors, loadChart, percent, shorten } from '/js/reports-common.js';

let report = null;
let trendChart = null;

function shortDate(value) {
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }).format(new Date(value));
}

function studentLabel(row) {
  return displayName(row.student) + (row.removed ? ' (removed)' : '');
}

function renderHeading() {
  const { games, students } = report;
  document.title = `${report.class.name} · Report · Homeroom`;
  document.getElementById('report-title').textContent = `${report.class.name}: report`;
  const crumb = document.getElementById('crumb-class');
  crumb.textContent = report.class.name;
  crumb.href = `/classes/${report.class.id}`;
  const meta = [plural(games.length, 'game'), plural(students.length, 'student')];
  if (games.length) {
    meta.push(games.length === 1 ? `played ${shortDate(games[0].startedAt)}` : `from ${shortDate(games[0].startedAt)} to ${shortDate(games.at(-1).startedAt)}`);
  }
  document.getElementById('report-meta').textContent = meta.join(' · ');
}

function cell(value, played = true) {
  return el('td', { className: `num ${played ? accuracyClass(value) : 'acc-none'}` }, [
    el('span', { className: 'pill', text: played ? percent(value) : '–' }),
  ]);
}

function renderMatrix() {
  const { games, students } = report;
  document.getElementById('matrix-head').replaceChildren(
    el('th', { attrs: { scope: 'col' }, text: 'Student' }),
    ...games.map((g) => el('th', { className: 'num game-col', attrs: { scope: 'col' } }, [
      el('a', { attrs: { href: `/reports/${g.kind === 'assignment' ? 'assignments' : 'games'}/${g.id}`, title: g.title } }, [
        el('span', { className: 'game-date', text: shortDate(g.startedAt) }),
        el('span', { className: 'game-title', text: shorten(g.title, 18) }),
      ]),
    ])),
    el('th', { className: 'num', attrs: { scope: 'col' }, text: 'All games' }),
  );
  const rows = students.map((row) => {
    const name = el('button', { className: 'link-button student-button', text: studentLabel(row), attrs: { type: 'button' } });
    name.disabled = row.gamesPlayed === 0;
    name.addEventListener('click', () => {
      const select = document.getElementById('trend-student');
      select.value = String(row.student.id);
      showTrend(row.student.id, true);
    });
    return el('tr', { attrs: { 'data-student-id': row.student.id } }, [
      el('th', { attrs: { scope: 'row' } }, [name]),
      ...row.games.map((g) => cell(g.accuracy, g.played)),
      cell(row.accuracy, row.gamesPlayed > 0),
    ]);
  });
  const classRow = el('tr', { className: 'class-row' }, [
    el('th', { attrs: { scope: 'row' }, text: 'Whole class' }),
    ...games.map((g) => cell(g.accuracy)),
    el('td', {}),
  ]);
  document.getElementById('matrix-body').replaceChildren(...rows, classRow);
}

async function showTrend(studentId, scroll) {
  const { games, students } = report;
  const row = students.find((s) => s.student.id === studentId);
  if (!row) {
    return;
  }
  document.getElementById('trend-title').textContent = `Trend: ${studentLabel(row)}`;
  const Chart = await loadChart();
  const colors = chartColors();
  // Two-line labels (date, then title), so every game keeps its label.
  const labels = games.map((g) => [shortDate(g.startedAt), shorten(g.title, 16)]);
  const data = {
    labels,
    datasets: [
      {
        label: displayName(row.student),
        data: row.games.map((g) => (g.played ? g.accuracy : null)),
        borderColor: colors.primary,
        backgroundColor: colors.primary,
        pointRadius: 5,
        spanGaps: true,
      },
      {
        label: 'Whole class',
        data: games.map((g) => g.accuracy),
        borderColor: colors.neutral,
        backgroundColor: colors.neutral,
        borderDash: [6, 4],
        pointRadius: 3,
        spanGaps: true,
      },
    ],
  };
  if (trendChart) {
    trendChart.data = data;
    trendChart.update();
  } else {
    trendChart = new Chart(document.getElementById('trend-chart'), {
      type: 'line',
      data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: 'top', align: 'end', labels: { color: colors.text, boxWidth: 14, boxHeight: 14 } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.raw)}` } },
        },
        scales: {
          y: { min: 0, max: 100, ticks: { callback: (value) => `${value} %` }, grid: { color: colors.grid } },
          x: { ticks: { color: colors.text, maxRotation: 0, autoSkip: true }, grid: { display: false } },
        },
      },
    });
  }
  const box = document.getElementById('trend-box');
  box.dataset.ready = 'true';
  box.dataset.student = String(studentId);
  if (scroll) {
    document.getElementById('trend-title').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

function renderTrendPicker() {
  const select = document.getElementById('trend-student');
  const played = report.students.filter((s) => s.gamesPlayed > 0);
  select.replaceChildren(...played.map((row) => el('option', { text: studentLabel(row), attrs: { value: row.student.id } })));
  select.addEventListener('change', () => showTrend(Number(select.value), false));
  document.getElementById('trend-card').hidden = played.length === 0;
  return played[0]?.student.id ?? null;
}

function renderMissed() {
  const missed = report.missedQuestions;
  document.getElementById('missed-empty').hidden = missed.length > 0;
  document.getElementById('missed-list').replaceChildren(...missed.map((q) => el('li', { className: 'missed-item' }, [
    el('div', { className: 'missed-main' }, [
      el('p', { className: 'missed-text', text: q.text }),
      el('p', { className: 'missed-where' }, [
        el('span', { text: `${q.right} of ${q.expected} right · asked in ` }),
        ...q.games.flatMap((g, i) => [
          i ? el('span', { text: ', ' }) : null,
          el('a', { text: g.gameTitle, attrs: { href: `/reports/${g.kind === 'assignment' ? 'assignments' : 'games'}/${g.gameId}` } }),
        ]).filter(Boolean),
      ]),
    ]),
    el('span', { className: `pill missed-percent ${accuracyClass(q.percentRight)}`, text: percent(q.percentRight) }),
  ])));
}

try {
  const classId = classIdFromPath();
  const me = await requireSignIn();
  renderHeader(me);
  report = await api(`/api/reports/classes/${classId}`);
  renderHeading();
  const noGames = report.games.length === 0;
  document.getElementById('no-games').hidden = !noGames;
  document.getElementById('students-card').hidden = noGames;
  document.getElementById('missed-card').hidden = noGames;
  renderMatrix();
  renderMissed();
  const first = renderTrendPicker();
  const equity = initEquity({ base: `/api/classes/${classId}` });
  revealPage();
  await equity.render(report.equity);
  if (first !== null) {
    await showTrend(first, false);
  }
} catch (error) {
  showPageError(error);
}
