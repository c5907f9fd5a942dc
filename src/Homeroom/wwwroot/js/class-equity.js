// The Equity tab: who has been called and how often, against each student's fair share, as a bar
// chart (the vendored Chart.js, loaded when the tab is first opened) and a table, with the verdict.
// The class report (/classes/{id}/report) shows the same, from the same elements, through render().
import { api, el, messageFor } from '/js/api.js';
import { displayName, loadScript, plural } from '/js/classes-common.js';

const CHART_JS = '/lib/chart.js/chart.umd.min.js';

function cssColor(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function formatShare(value) {
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

export function initEquity(ctx) {
  const verdictBox = document.getElementById('verdict');
  const chartBox = document.getElementById('chart-box');
  const canvas = document.getElementById('equity-chart');
  const tableBody = document.getElementById('equity-body');
  let chart = null;
  let loading = null;

  function renderVerdict(stats) {
    let kind = 'pending';
    let title = 'Not enough calls to judge yet';
    if (stats.judged) {
      const uneven = stats.uneven;
      kind = uneven ? 'uneven' : 'fair';
      title = uneven ? 'Calls look uneven' : 'Calls look fair';
    }
    verdictBox.className = `verdict verdict-${kind}`;
    verdictBox.replaceChildren(
      el('span', { className: 'verdict-icon', text: kind === 'fair' ? '✓' : kind === 'uneven' ? '!' : 'i', attrs: { 'aria-hidden': 'true' } }),
      el('div', { className: 'verdict-text' }, [
        el('p', { className: 'verdict-title', text: title }),
        el('p', { className: 'verdict-detail', text: stats.verdict }),
      ]),
    );
  }

  function renderTable(stats) {
    tableBody.replaceChildren(...stats.students.map((row) => el('tr', { attrs: { 'data-student-id': row.student.id } }, [
      el('th', { attrs: { scope: 'row' } }, [
        el('span', { text: displayName(row.student) }),
        row.removed ? el('span', { className: 'muted-note', text: ' (removed)' }) : null,
      ]),
      el('td', { className: 'num', text: String(row.calls) }),
      el('td', { className: 'num', text: formatShare(row.expected) }),
      el('td', { className: 'num', text: String(row.passes) }),
      el('td', { className: 'num', text: String(row.absences) }),
    ])));
    if (!stats.students.length) {
      tableBody.append(el('tr', {}, [el('td', { className: 'muted', text: 'No students yet.', attrs: { colspan: 5 } })]));
    }
  }

  async function renderChart(stats) {
    const hasCalls = stats.totalCalls > 0 && stats.students.length > 0;
    document.getElementById('chart-empty').hidden = hasCalls;
    chartBox.hidden = !hasCalls;
    if (!hasCalls) {
      return;
    }
    await loadScript(CHART_JS);
    const labels = stats.students.map((row) => displayName(row.student) + (row.removed ? ' (removed)' : ''));
    const calls = stats.students.map((row) => row.calls);
    const expected = stats.students.map((row) => row.expected);
    // Horizontal bars: one row per student, so names stay readable however many there are.
    chartBox.style.height = `${Math.max(220, stats.students.length * 44 + 70)}px`;
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = calls;
      chart.data.datasets[1].data = expected;
      chart.update();
      return;
    }
    const text = cssColor('--text', '#141b2d');
    const muted = cssColor('--muted', '#4a5468');
    const grid = cssColor('--border', '#dde2ec');
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = muted;
    chart = new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'Calls', data: calls, backgroundColor: cssColor('--primary', '#3046c5'), borderRadius: 4, barPercentage: 0.9, categoryPercentage: 0.75 },
          { label: 'Fair share', data: expected, backgroundColor: cssColor('--chart-expected', '#b6bfd3'), borderRadius: 4, barPercentage: 0.9, categoryPercentage: 0.75 },
        ],
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: 'top', align: 'end', labels: { color: text, boxWidth: 14, boxHeight: 14 } },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${item.datasetIndex === 1 ? formatShare(item.raw) : item.raw}`,
            },
          },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: grid }, title: { display: true, text: 'Calls', color: muted } },
          y: { ticks: { color: text, autoSkip: false }, grid: { display: false } },
        },
      },
    });
  }

  /** Shows an equity report (the picker's stats) already at hand. */
  async function render(stats) {
    renderVerdict(stats);
    renderTable(stats);
    document.getElementById('equity-totals').textContent =
      `${plural(stats.totalCalls, 'call')} · ${plural(stats.totalPasses, 'pass', 'passes')}`;
    await renderChart(stats);
    chartBox.dataset.ready = 'true';
  }

  async function load() {
    await render(await api(`${ctx.base}/picks/stats`));
  }

  function refresh() {
    loading ??= load()
      .catch((error) => {
        verdictBox.className = 'verdict verdict-uneven';
        verdictBox.replaceChildren(el('p', { className: 'verdict-detail', text: messageFor(error) }));
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  document.getElementById('equity-refresh').addEventListener('click', refresh);
  return { shown: refresh, render };
}
