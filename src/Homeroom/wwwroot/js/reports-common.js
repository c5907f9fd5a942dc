// Helpers shared by the report pages (/reports, /reports/games/{id}, /classes/{id}/report) and the
// dashboard's "Recent reports". Nicknames, quiz text and every other text from the API go in with
// textContent only (through el()).
import { api, el, messageFor, setBusy } from '/js/api.js';
import { confirmDialog, formatDateTime, loadScript, plural } from '/js/classes-common.js';

const CHART_JS = '/lib/chart.js/chart.umd.min.js';

const STATUS_TEXT = { finished: 'Finished', interrupted: 'Interrupted', live: 'Live now' };

/** 47.1 → "47.1 %", null → "–". */
export function percent(value) {
  if (value === null || value === undefined) {
    return '–';
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(value)} %`;
}

/** 3417 (ms) → "3.4 s", null → "–". */
export function seconds(milliseconds) {
  if (milliseconds === null || milliseconds === undefined) {
    return '–';
  }
  return `${new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(milliseconds / 1000)} s`;
}

export function number(value) {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(value);
}

/** The "Finished", "Interrupted" or "Live now" badge of a game. */
export function statusBadge(status) {
  return el('span', { className: `status-badge status-${status}`, text: STATUS_TEXT[status] || status });
}

/** A class for a percentage cell: low (under the 35 % threshold), middle or high. */
export function accuracyClass(value) {
  if (value === null || value === undefined) {
    return 'acc-none';
  }
  return value < 35 ? 'acc-low' : value < 70 ? 'acc-mid' : 'acc-high';
}

/**
 * One game in a list of reports (the reports page and the dashboard): its title linking to the report,
 * when it was played and with whom, players, accuracy and status. `actions` are extra elements (Delete).
 */
export function reportItem(item, actions = []) {
  const href = `/reports/games/${item.id}`;
  const meta = [formatDateTime(item.startedAt)];
  if (item.className) {
    meta.push(item.className);
  }
  meta.push(plural(item.players, 'player'), plural(item.questions, 'question'));
  return el('li', { className: 'report-item', attrs: { 'data-game-id': item.id } }, [
    el('div', { className: 'report-main' }, [
      el('a', { className: 'report-name', text: item.title, attrs: { href } }),
      el('p', { className: 'report-meta', text: meta.join(' · ') }),
    ]),
    el('div', { className: 'report-side' }, [
      statusBadge(item.status),
      el('p', { className: `report-accuracy ${accuracyClass(item.accuracy)}` }, [
        el('span', { className: 'report-accuracy-value', text: percent(item.accuracy) }),
        el('span', { className: 'report-accuracy-label', text: 'right' }),
      ]),
    ]),
    actions.length ? el('div', { className: 'report-actions' }, actions) : null,
  ]);
}

/**
 * For a game still live: "Resume hosting" (its host screen) and "End game" (after a confirmation; POST
 * /api/games/{id}/end). `onEnded(game)` runs once it has ended; `onError(message)` if it could not.
 */
export function liveGameActions(item, { onEnded, onError }) {
  const resume = el('a', {
    className: 'button button-primary button-small',
    text: 'Resume hosting',
    attrs: { href: `/games/${item.id}/host`, 'aria-label': `Resume hosting ${item.title}` },
  });
  const end = el('button', {
    className: 'button button-danger-outline button-small',
    text: 'End game',
    attrs: { type: 'button', 'aria-label': `End the game ${item.title}` },
  });
  end.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `End ${item.title} now?`,
      message: 'The players see the final podium and the results so far are kept in the report. A game still in its lobby is closed and not kept.',
      confirmLabel: 'End game',
      danger: true,
    });
    if (!sure) {
      end.focus();
      return;
    }
    setBusy(end, true);
    try {
      onEnded(await api(`/api/games/${item.id}/end`, { method: 'POST' }));
    } catch (error) {
      setBusy(end, false);
      onError(messageFor(error));
    }
  });
  return [resume, end];
}

function cssColor(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The colours charts use, read from the page's tokens so that dark mode applies. */
export function chartColors() {
  return {
    text: cssColor('--text', '#141b2d'),
    muted: cssColor('--muted', '#4a5468'),
    grid: cssColor('--border', '#dde2ec'),
    primary: cssColor('--primary', '#3046c5'),
    right: cssColor('--chart-right', '#1f8a55'),
    wrong: cssColor('--chart-wrong', '#c4452f'),
    neutral: cssColor('--chart-expected', '#b6bfd3'),
  };
}

/** Loads the vendored Chart.js once and sets its defaults to the page's font and colours. */
export async function loadChart() {
  await loadScript(CHART_JS);
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  window.Chart.defaults.color = chartColors().muted;
  return window.Chart;
}

/** A long label cut to fit a chart axis (the full text stays in the tooltip). */
export function shorten(text, length = 28) {
  const characters = Array.from(text || '');
  return characters.length > length ? characters.slice(0, length - 1).join('') + '…' : characters.join('');
}
