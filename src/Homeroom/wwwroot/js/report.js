// /reports/games/{id}: one game's report. Summary tiles, what needs attention, a chart of the percent right
// per question (click a bar or a question's "Answers" button to chart how that question was answered), the
// questions hardest first and the players best first. Exports are plain links to the API.
import { api, el, renderHeader, requireSignIn, revealPage, showPageError } from '/js/api.js';
import { formatDateTime, plural } from '/js/classes-common.js';
import { accuracyClass, chartColors, loadChart, number, percent, seconds, shorten } from '/js/reports-common.js';

const PLAYERS_SHOWN = 100;
const TYPE_NAMES = {
  single: 'Single choice',
  multi: 'Multi-select',
  truefalse: 'True or false',
  typeanswer: 'Type answer',
  order: 'Put in order',
  poll: 'Poll',
};

let report = null;
let rightChart = null;
let answersChart = null;
let selected = null;

// The same page shows a live game's report (/reports/games/{id}) and an assignment's (/reports/assignments/{id}):
// both have the same shape, from their own API routes.
const assignment = /^\/reports\/assignments\//.test(window.location.pathname);
const apiBase = (id) => (assignment ? `/api/assignments/${id}` : `/api/reports/games/${id}`);

function gameIdFromPath() {
  const match = /^\/reports\/(?:games|assignments)\/(\d+)\/?$/.exec(window.location.pathname);
  return match ? Number(match[1]) : null;
}

function tile(label, value, note) {
  return el('li', { className: 'summary-tile' }, [
    el('span', { className: 'tile-label', text: label }),
    el('span', { className: 'tile-value', text: value }),
    note ? el('span', { className: 'tile-note', text: note }) : null,
  ]);
}

function renderHeading() {
  const { game, summary, flags } = report;
  document.title = `${game.title} · Report · Homeroom`;
  document.getElementById('report-title').textContent = game.title;
  document.getElementById('crumb-title').textContent = game.title;
  const meta = [assignment
    ? `Assigned ${formatDateTime(game.startedAt)}${game.endedAt ? `, closed ${formatDateTime(game.endedAt)}` : ''}`
    : `Played ${formatDateTime(game.startedAt)}`];
  if (game.className) {
    meta.push(game.className);
  }
  meta.push(plural(summary.players, 'player'));
  document.getElementById('report-meta').textContent = meta.join(' · ');
  const base = `${apiBase(game.id)}/export`;
  document.getElementById('export-csv').href = `${base}?format=csv`;
  document.getElementById('export-xlsx').href = `${base}?format=xlsx`;

  const notice = document.getElementById('report-notice');
  if (flags.interrupted) {
    notice.textContent = 'This game was interrupted: the service stopped while it was being played. The report shows what was answered until then.';
  } else if (flags.live) {
    notice.textContent = assignment
      ? 'This assignment is open until its deadline. Reload to see the latest answers.'
      : 'This game is being played right now. Reload to see the latest answers.';
  }
  notice.hidden = !(flags.interrupted || flags.live);

  document.getElementById('summary').replaceChildren(
    tile('Players', number(summary.players), summary.kicked ? `and ${plural(summary.kicked, 'kicked player')}` : null),
    tile('Questions', number(summary.questions), summary.questions !== summary.scoredQuestions ? `${summary.scoredQuestions} scored` : null),
    tile('Average score', number(summary.averageScore), null),
    tile('Accuracy', percent(summary.accuracy), 'of all answers expected'),
  );
}

function noneItem() {
  return el('li', { className: 'muted', text: 'None' });
}

function renderFlags() {
  const { flags, players, questions } = report;
  const byIndex = new Map(questions.map((q) => [q.index, q]));
  const byId = new Map(players.map((p) => [p.playerId, p]));

  const difficult = flags.difficultQuestions.map((index) => {
    const question = byIndex.get(index);
    const button = el('button', { className: 'link-button flag-question', attrs: { type: 'button' } }, [
      el('span', { className: 'flag-number', text: `Q${question.number}` }),
      el('span', { text: question.text }),
    ]);
    button.addEventListener('click', () => selectQuestion(index, true));
    return el('li', {}, [button, el('span', { className: 'flag-figure', text: percent(question.percentRight) })]);
  });
  const help = flags.needsHelp.map((id) => {
    const player = byId.get(id);
    return el('li', {}, [el('span', { className: 'flag-name', text: player.nickname }), el('span', { className: 'flag-figure', text: percent(player.accuracy) })]);
  });
  const unfinished = flags.didNotFinish.map((id) => {
    const player = byId.get(id);
    return el('li', {}, [el('span', { className: 'flag-name', text: player.nickname }), el('span', { className: 'flag-figure', text: player.kicked ? 'kicked' : 'left early' })]);
  });
  document.getElementById('flag-difficult').replaceChildren(...(difficult.length ? difficult : [noneItem()]));
  document.getElementById('flag-help').replaceChildren(...(help.length ? help : [noneItem()]));
  document.getElementById('flag-unfinished').replaceChildren(...(unfinished.length ? unfinished : [noneItem()]));
  document.getElementById('thresholds').textContent =
    `Difficult: under ${flags.difficultBelow} % of players right. Needs help: a player under ${flags.needsHelpBelow} % of their answers right (unanswered questions count as not right). Kicked players are not counted.`;
}

function renderQuestions() {
  const body = document.getElementById('questions-body');
  body.replaceChildren(...report.questions.map((q) => {
    const answers = el('button', {
      className: 'button button-quiet button-small',
      text: 'Answers',
      attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': `Show the answers to question ${q.number}` },
    });
    answers.addEventListener('click', () => selectQuestion(q.index, true));
    return el('tr', { attrs: { 'data-index': q.index, class: q.difficult ? 'is-difficult' : null } }, [
      el('td', { className: 'question-number', text: `Q${q.number}` }),
      el('td', { className: 'question-cell' }, [
        el('span', { className: 'question-text', text: q.text }),
        el('span', { className: 'question-type', text: TYPE_NAMES[q.type] || q.type }),
      ]),
      el('td', { className: `num ${q.type === 'poll' ? 'acc-none' : accuracyClass(q.percentRight)}` }, [
        el('span', { className: 'pill', text: q.type === 'poll' ? 'poll' : percent(q.percentRight) }),
      ]),
      el('td', { className: 'num col-wide', text: q.type === 'poll' ? `${q.answered} voted / ${q.unanswered} did not` : `${q.right} / ${q.wrong} / ${q.unanswered}` }),
      el('td', { className: 'num col-wide', text: seconds(q.averageTimeMs) }),
      el('td', { className: 'row-actions' }, [answers]),
    ]);
  }));
  const asked = report.questions.length;
  document.getElementById('questions-count').textContent = `${plural(asked, 'question')} asked`;
}

function playerRow(p) {
  const badges = [];
  if (p.needsHelp) {
    badges.push(el('span', { className: 'flag-badge flag-badge-help', text: 'needs help' }));
  }
  if (p.kicked) {
    badges.push(el('span', { className: 'flag-badge', text: 'kicked' }));
  } else if (p.leftEarly) {
    badges.push(el('span', { className: 'flag-badge', text: 'left early' }));
  }
  return el('tr', { attrs: { 'data-player-id': p.playerId } }, [
    el('td', { className: 'num rank', text: p.rank ?? '–' }),
    el('td', { className: 'player-cell' }, [
      el('span', { className: 'player-nickname', text: p.nickname }),
      p.student ? el('span', { className: 'player-student', text: p.student.preferredName || p.student.name }) : null,
      badges.length ? el('span', { className: 'badges' }, badges) : null,
    ]),
    el('td', { className: 'num', text: number(p.score) }),
    el('td', { className: `num ${accuracyClass(p.accuracy)}` }, [el('span', { className: 'pill', text: percent(p.accuracy) })]),
    el('td', { className: 'num col-wide', text: `${p.right} / ${p.wrong} / ${p.unanswered}` }),
    el('td', { className: 'num col-wide', text: seconds(p.averageTimeMs) }),
  ]);
}

function renderPlayers(all = false) {
  const players = report.players;
  const shown = all ? players : players.slice(0, PLAYERS_SHOWN);
  document.getElementById('players-body').replaceChildren(...shown.map(playerRow));
  const button = document.getElementById('all-players');
  button.hidden = shown.length >= players.length;
  button.textContent = `Show all ${number(players.length)} players`;
  const count = document.getElementById('players-count');
  count.textContent = players.length ? 'Best first; right / wrong / none counts scored questions only.' : 'Nobody joined this game.';
}

async function renderRightChart() {
  const scored = [...report.questions].filter((q) => q.type !== 'poll').sort((a, b) => a.index - b.index);
  const box = document.getElementById('right-chart-box');
  document.getElementById('right-chart-empty').hidden = scored.length > 0;
  box.hidden = scored.length === 0;
  if (!scored.length) {
    return;
  }
  const Chart = await loadChart();
  const colors = chartColors();
  rightChart = new Chart(document.getElementById('right-chart'), {
    type: 'bar',
    data: {
      labels: scored.map((q) => `Q${q.number}`),
      datasets: [{
        label: 'Percent right',
        data: scored.map((q) => q.percentRight ?? 0),
        backgroundColor: scored.map((q) => (q.difficult ? colors.wrong : colors.primary)),
        borderRadius: 4,
        maxBarThickness: 48,
      }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      onClick: (_, elements) => {
        if (elements.length) {
          selectQuestion(scored[elements[0].index].index, false);
        }
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => shorten(scored[items[0].dataIndex].text, 60),
            label: (item) => `${percent(item.raw)} right`,
          },
        },
      },
      scales: {
        y: { min: 0, max: 100, ticks: { callback: (value) => `${value} %` }, grid: { color: colors.grid } },
        x: { ticks: { color: colors.text, autoSkip: true }, grid: { display: false } },
      },
    },
  });
  box.dataset.ready = 'true';
}

async function selectQuestion(index, scroll) {
  const question = report.questions.find((q) => q.index === index);
  if (!question) {
    return;
  }
  selected = index;
  for (const row of document.querySelectorAll('#questions-body tr')) {
    const on = Number(row.dataset.index) === index;
    row.classList.toggle('is-selected', on);
    row.querySelector('button')?.setAttribute('aria-pressed', String(on));
  }
  document.getElementById('answers-title').textContent = `Answers to Q${question.number}`;
  document.getElementById('answers-question').textContent = question.text;
  const other = document.getElementById('answers-other');
  other.hidden = !question.otherAnswers;
  other.textContent = question.otherAnswers ? `And ${plural(question.otherAnswers, 'other typed answer')}.` : '';

  const Chart = await loadChart();
  const colors = chartColors();
  const bars = [
    ...question.answers.map((a) => ({
      label: a.label,
      count: a.count,
      color: a.correct === true ? colors.right : a.correct === false ? colors.wrong : colors.primary,
      note: a.correct === true ? 'right' : a.correct === false ? 'wrong' : '',
    })),
    { label: 'No answer', count: question.unanswered, color: colors.neutral, note: '' },
  ];
  const box = document.getElementById('answers-chart-box');
  box.style.height = `${Math.max(200, bars.length * 40 + 50)}px`;
  const data = {
    labels: bars.map((b) => shorten(b.label)),
    datasets: [{ label: 'Players', data: bars.map((b) => b.count), backgroundColor: bars.map((b) => b.color), borderRadius: 4, maxBarThickness: 32 }],
  };
  if (answersChart) {
    answersChart.data = data;
    answersChart.update();
  } else {
    answersChart = new Chart(document.getElementById('answers-chart'), {
      type: 'bar',
      data,
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => bars[items[0].dataIndex].label,
              label: (item) => `${plural(item.raw, 'player')}${bars[item.dataIndex].note ? ` (${bars[item.dataIndex].note})` : ''}`,
            },
          },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: colors.grid } },
          y: { ticks: { color: colors.text, autoSkip: false }, grid: { display: false } },
        },
      },
    });
  }
  // The tooltip callbacks read the bars of the question shown.
  answersChart.options.plugins.tooltip.callbacks.title = (items) => bars[items[0].dataIndex].label;
  answersChart.options.plugins.tooltip.callbacks.label = (item) => `${plural(item.raw, 'player')}${bars[item.dataIndex].note ? ` (${bars[item.dataIndex].note})` : ''}`;
  box.dataset.ready = 'true';
  box.dataset.question = String(index);
  if (scroll) {
    document.getElementById('answers-title').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

try {
  const id = gameIdFromPath();
  const me = await requireSignIn();
  renderHeader(me);
  report = await api(assignment ? `${apiBase(id)}/report` : apiBase(id));
  renderHeading();
  renderFlags();
  renderQuestions();
  renderPlayers();
  document.getElementById('all-players').addEventListener('click', () => renderPlayers(true));
  revealPage();
  await renderRightChart();
  document.getElementById('answers-card').hidden = report.questions.length === 0;
  if (report.questions.length) {
    await selectQuestion(selected ?? report.questions[0].index, false);
  }
} catch (error) {
  showPageError(error);
}
