// /reports: every game the teacher hosted, newest first, fifty at a time (Show more), each with a link to its report and
// a Delete button (after a confirmation; a live game cannot be deleted). A live game also has Resume hosting and End game.
import { api, el, messageFor, renderHeader, requireSignIn, revealPage, setBusy, showBanner, showPageError } from '/js/api.js';
import { confirmDialog, plural } from '/js/classes-common.js';
import { liveGameActions, reportItem } from '/js/reports-common.js';

const PAGE_SIZE = 50;
const list = document.getElementById('report-list');
const more = document.getElementById('more');
const status = document.getElementById('list-status');
const errorBanner = document.getElementById('error-banner');

let loaded = 0;
let total = 0;

function renderCount() {
  document.getElementById('report-count').textContent = total ? plural(total, 'game') : '';
  list.hidden = total === 0;
  document.getElementById('reports-empty').hidden = total !== 0;
  more.hidden = loaded >= total;
}

function item(report) {
  const remove = el('button', {
    className: 'button button-danger-outline button-small',
    text: 'Delete',
    attrs: {
      type: 'button',
      'aria-label': `Delete the report of ${report.title}`,
      disabled: report.status === 'live',
      title: report.status === 'live' ? 'A live game cannot be deleted' : null,
    },
  });
  const live = report.status === 'live'
    ? liveGameActions(report, {
      onEnded: async () => {
        status.textContent = `${report.title} has ended.`;
        await reload();
      },
      onError: (message) => showBanner(errorBanner, message),
    })
    : [];
  const li = reportItem(report, [...live, remove]);
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `Delete the report of ${report.title}?`,
      message: `This deletes the game and everything recorded in it: ${plural(report.players, 'player')} and their answers. It cannot be undone. The quiz itself stays in your library.`,
      confirmLabel: 'Delete report',
      danger: true,
    });
    if (!sure) {
      remove.focus();
      return;
    }
    setBusy(remove, true);
    try {
      await api(`/api/reports/games/${report.id}`, { method: 'DELETE' });
      li.remove();
      loaded -= 1;
      total -= 1;
      renderCount();
      status.textContent = `The report of ${report.title} was deleted.`;
    } catch (error) {
      setBusy(remove, false);
      showBanner(errorBanner, messageFor(error));
    }
  });
  return li;
}

/** The page holding the next game not shown yet (deletions move games up), without the ones already shown. */
async function loadMore() {
  const page = Math.floor(loaded / PAGE_SIZE) + 1;
  const result = await api(`/api/reports?page=${page}&pageSize=${PAGE_SIZE}`);
  const shown = new Set([...list.children].map((li) => li.dataset.gameId));
  const fresh = result.items.filter((report) => !shown.has(String(report.id)));
  total = result.total;
  list.append(...fresh.map(item));
  loaded += fresh.length;
  renderCount();
}

/** Loads the list again from the first page (a game that ended changes its status, or leaves the list from the lobby). */
async function reload() {
  try {
    const result = await api(`/api/reports?page=1&pageSize=${PAGE_SIZE}`);
    total = result.total;
    list.replaceChildren(...result.items.map(item));
    loaded = result.items.length;
    renderCount();
  } catch (error) {
    showBanner(errorBanner, messageFor(error));
  }
}

more.addEventListener('click', async () => {
  setBusy(more, true, 'Loading…');
  try {
    await loadMore();
  } catch (error) {
    showBanner(errorBanner, messageFor(error));
  } finally {
    setBusy(more, false);
  }
});

try {
  const me = await requireSignIn();
  renderHeader(me);
  await loadMore();
  revealPage();
} catch (error) {
  showPageError(error);
}
