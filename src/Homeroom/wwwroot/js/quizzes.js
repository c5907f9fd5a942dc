// /quizzes: the quiz library. Three tabs (my quizzes, my favourites, the public catalogue), a debounced
// search (?q=), paging, a card per quiz (favourite star, host live, open or edit, copy, export, delete) and the
// import panel (a file, dropped or chosen, or pasted text; an optional name; the format detected or named; the report lists what
// was skipped, by line).
import {
  ApiError, api, clearErrors, el, messageFor, renderHeader, requireSignIn, revealPage, setBusy, showBanner,
  showFieldErrors, showFormError, showPageError,
} from '/js/api.js';
import { confirmDialog } from '/js/classes-common.js';
import { hostButton } from '/js/host-options.js';
import { coverClass, exportMenu, formatDate, ownerName, plural, starButton } from '/js/quizzes-common.js';

const TABS = ['mine', 'favorites', 'public'];
const PAGE_SIZE = 12;
const SEARCH_DELAY = 300;

const list = document.getElementById('quiz-list');
const listStatus = document.getElementById('list-status');
const errorBanner = document.getElementById('error-banner');
const search = document.getElementById('search');

const params = new URLSearchParams(window.location.search);
const state = {
  tab: TABS.includes(params.get('tab')) ? params.get('tab') : 'mine',
  q: params.get('q') || '',
  page: Math.max(1, Number.parseInt(params.get('page') || '1', 10) || 1),
  total: 0,
};
let loadCounter = 0;
// Stars clicked while a list was loading: that list's answer is older than the click, so the click wins.
const starred = new Map();

function sentence(text) {
  const value = String(text || '');
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function say(message, link) {
  listStatus.replaceChildren(message);
  if (link) {
    listStatus.append(' ', el('a', { text: link.text, attrs: { href: link.href } }));
  }
}

function remember() {
  const query = new URLSearchParams();
  if (state.tab !== 'mine') {
    query.set('tab', state.tab);
  }
  if (state.q.trim()) {
    query.set('q', state.q.trim());
  }
  if (state.page > 1) {
    query.set('page', String(state.page));
  }
  const text = query.toString();
  window.history.replaceState(null, '', '/quizzes' + (text ? '?' + text : ''));
}

function listPath() {
  const query = new URLSearchParams({ page: String(state.page), pageSize: String(PAGE_SIZE) });
  if (state.q.trim()) {
    query.set('q', state.q.trim());
  }
  if (state.tab === 'favorites') {
    query.set('favorites', 'true');
  }
  return (state.tab === 'public' ? '/api/quizzes/public?' : '/api/quizzes?') + query.toString();
}

async function load() {
  const mine = ++loadCounter;
  const started = performance.now();
  list.setAttribute('aria-busy', 'true');
  try {
    const result = await api(listPath());
    if (mine !== loadCounter) {
      return;
    }
    // A page past the end (after a delete, or an old link) shows the last page instead.
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    if (state.page > pages && result.total > 0) {
      state.page = pages;
      remember();
      await load();
      return;
    }
    state.total = result.total;
    for (const item of result.items) {
      const click = starred.get(item.id);
      if (click && click.at > started) {
        item.favorite = click.favorite;
      }
    }
    render(result.items);
    showBanner(errorBanner, '');
  } catch (error) {
    if (mine === loadCounter) {
      showBanner(errorBanner, messageFor(error));
    }
  } finally {
    if (mine === loadCounter) {
      list.removeAttribute('aria-busy');
    }
  }
}

function render(items) {
  list.replaceChildren(...items.map(quizCard));
  list.hidden = items.length === 0;
  const searching = Boolean(state.q.trim());
  document.getElementById('result-count').textContent = state.total
    ? searching ? `${plural(state.total, 'quiz', 'quizzes')} found` : plural(state.total, 'quiz', 'quizzes')
    : '';

  const empty = document.getElementById('list-empty');
  empty.hidden = items.length !== 0;
  const action = document.getElementById('list-empty-action');
  action.hidden = true;
  let title;
  let text;
  if (searching) {
    title = 'Nothing found';
    text = `No quiz here matches “${state.q.trim()}”. Every word must appear in a title, description, tag or question.`;
  } else if (state.tab === 'mine') {
    title = 'No quizzes yet';
    text = 'Write your first quiz, or import one from Moodle, Kahoot or a spreadsheet with the Import button.';
    action.hidden = false;
  } else if (state.tab === 'favorites') {
    title = 'No favourites yet';
    text = 'Tap the star on any quiz, yours or a public one, to keep it here.';
  } else {
    title = 'No public quizzes yet';
    text = 'Quizzes that teachers make public appear here for everyone to use and copy.';
  }
  document.getElementById('list-empty-title').textContent = title;
  document.getElementById('list-empty-text').textContent = text;

  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  document.getElementById('pager').hidden = pages <= 1;
  document.getElementById('page-text').textContent = `Page ${state.page} of ${pages}`;
  document.getElementById('page-prev').disabled = state.page <= 1;
  document.getElementById('page-next').disabled = state.page >= pages;
}

function quizCard(quiz) {
  const href = `/quizzes/${quiz.id}`;
  const star = starButton(quiz, {
    onChange: (favorite) => {
      starred.set(quiz.id, { favorite, at: performance.now() });
      say(favorite ? `Added “${quiz.title}” to your favourites.` : `Removed “${quiz.title}” from your favourites.`);
      if (state.tab === 'favorites') {
        load();
      }
    },
    onError: (error) => showBanner(errorBanner, messageFor(error)),
  });

  const cover = el('div', { className: `quiz-cover ${coverClass(quiz.id)}` }, [
    el('span', { className: 'quiz-count', text: plural(quiz.questionCount, 'question') }),
    quiz.mine && quiz.visibility === 'public' ? el('span', { className: 'badge badge-public', text: 'Public' }) : null,
  ]);

  const body = el('div', { className: 'quiz-body' }, [
    el('h3', { className: 'quiz-heading' }, [el('a', { className: 'quiz-title', text: quiz.title, attrs: { href } })]),
    quiz.description ? el('p', { className: 'quiz-desc', text: quiz.description }) : null,
    quiz.tags.length
      ? el('ul', { className: 'tag-list', attrs: { 'aria-label': 'Tags' } }, quiz.tags.map((tag) => el('li', { className: 'tag', text: tag })))
      : null,
    el('p', {
      className: 'quiz-meta',
      text: quiz.mine ? `Updated ${formatDate(quiz.updatedAt)}` : `By ${ownerName(quiz.owner)}`,
    }),
  ]);

  const open = el('a', {
    className: 'button button-small',
    text: quiz.mine ? 'Edit' : 'View',
    attrs: { href, 'aria-label': `${quiz.mine ? 'Edit' : 'View'} ${quiz.title}` },
  });
  const copy = el('button', {
    className: 'button button-quiet button-small',
    text: 'Copy',
    attrs: { type: 'button', 'aria-label': `Copy ${quiz.title} to my library` },
  });
  copy.addEventListener('click', async () => {
    setBusy(copy, true, 'Copying…');
    try {
      const created = await api(`/api/quizzes/${quiz.id}/copy`, { method: 'POST' });
      say(`Copied to your library as “${created.title}”.`, { text: 'Open the copy', href: `/quizzes/${created.id}` });
      if (state.tab === 'mine') {
        await load();
      }
    } catch (error) {
      showBanner(errorBanner, messageFor(error));
    } finally {
      setBusy(copy, false);
    }
  });

  // Any quiz I can see can be played live (mine or a public one), once it has questions.
  const host = quiz.questionCount > 0 ? hostButton(quiz) : null;
  const actions = el('div', { className: 'quiz-actions' }, [host, open, copy, exportMenu(quiz)]);
  if (quiz.mine) {
    const remove = el('button', {
      className: 'button button-danger-outline button-small',
      text: 'Delete',
      attrs: { type: 'button', 'aria-label': `Delete ${quiz.title}` },
    });
    remove.addEventListener('click', () => deleteQuiz(quiz, remove));
    actions.append(remove);
  }

  return el('li', { className: 'quiz-card', attrs: { 'data-quiz-id': quiz.id } }, [
    cover,
    el('div', { className: 'quiz-star' }, [star]),
    body,
    actions,
  ]);
}

async function deleteQuiz(quiz, button) {
  const sure = await confirmDialog({
    title: `Delete “${quiz.title}”?`,
    message: `This deletes the quiz and its ${plural(quiz.questionCount, 'question')} for good. Teachers who starred it lose it too. It cannot be undone.`,
    confirmLabel: 'Delete quiz',
    danger: true,
  });
  if (!sure) {
    button.focus();
    return;
  }
  setBusy(button, true, 'Deleting…');
  try {
    await api(`/api/quizzes/${quiz.id}`, { method: 'DELETE' });
    await load();
    say(`“${quiz.title}” was deleted.`);
    search.focus();
  } catch (error) {
    setBusy(button, false);
    showBanner(errorBanner, messageFor(error));
  }
}

// ---- Tabs, search, paging -------------------------------------------------------------------

function setUpTabs() {
  const tabs = TABS.map((name) => document.getElementById('tab-' + name));
  const select = (name, { focus = false } = {}) => {
    for (const [index, tab] of tabs.entries()) {
      const selected = TABS[index] === name;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected) {
        document.getElementById('library-panel').setAttribute('aria-labelledby', tab.id);
        if (focus) {
          tab.focus();
        }
      }
    }
  };
  const show = (name, options) => {
    select(name, options);
    if (state.tab !== name) {
      state.tab = name;
      state.page = 1;
      say('');
      remember();
      load();
    }
  };
  for (const [index, tab] of tabs.entries()) {
    tab.addEventListener('click', () => show(TABS[index]));
    tab.addEventListener('keydown', (event) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: TABS.length - 1 - index };
      if (event.key in moves) {
        event.preventDefault();
        show(TABS[(index + moves[event.key] + TABS.length) % TABS.length], { focus: true });
      }
    });
  }
  select(state.tab);
}

let searchTimer = 0;
function searchNow() {
  window.clearTimeout(searchTimer);
  if (search.value === state.q) {
    return;
  }
  state.q = search.value;
  state.page = 1;
  remember();
  load();
}
search.value = state.q;
search.addEventListener('input', () => {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(searchNow, SEARCH_DELAY);
});
document.getElementById('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  searchNow();
});

function turnPage(delta) {
  state.page = Math.max(1, state.page + delta);
  remember();
  load().then(() => document.getElementById('library-panel').focus({ preventScroll: false }));
}
document.getElementById('page-prev').addEventListener('click', () => turnPage(-1));
document.getElementById('page-next').addEventListener('click', () => turnPage(1));

// ---- Import --------------------------------------------------------------------------------

const importPanel = document.getElementById('import-panel');
const importToggle = document.getElementById('import-toggle');
const importForm = document.getElementById('import-form');
const fileInput = document.getElementById('import-file');
const dropzone = document.getElementById('dropzone');
const report = document.getElementById('import-report');

function openImport(open) {
  importPanel.hidden = !open;
  importToggle.setAttribute('aria-expanded', String(open));
  if (open) {
    importPanel.scrollIntoView({ block: 'nearest' });
    fileInput.focus();
  } else {
    importToggle.focus();
  }
}
importToggle.addEventListener('click', () => openImport(importPanel.hidden));
document.getElementById('import-close').addEventListener('click', () => openImport(false));

function showChosenFile() {
  const file = fileInput.files?.[0];
  const name = document.getElementById('import-file-name');
  name.textContent = file ? `${file.name} · ${formatSize(file.size)}` : 'No file chosen';
  dropzone.classList.toggle('has-file', Boolean(file));
}

function formatSize(bytes) {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

fileInput.addEventListener('change', () => {
  clearErrors(importForm);
  showChosenFile();
});
for (const name of ['dragenter', 'dragover']) {
  dropzone.addEventListener(name, (event) => {
    event.preventDefault();
    dropzone.classList.add('is-dragging');
  });
}
for (const name of ['dragleave', 'dragend']) {
  dropzone.addEventListener(name, () => dropzone.classList.remove('is-dragging'));
}
dropzone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropzone.classList.remove('is-dragging');
  const files = event.dataTransfer?.files;
  if (files?.length) {
    const transfer = new DataTransfer();
    transfer.items.add(files[0]);
    fileInput.files = transfer.files;
    clearErrors(importForm);
    showChosenFile();
  }
});

function problemList(className, problems) {
  return el('ul', { className: `report-problems ${className}` }, problems.map((problem) => el('li', { attrs: { 'data-line': problem.line } }, [
    el('span', { className: 'report-line', text: problem.line > 0 ? `Line ${problem.line}` : 'File' }),
    el('span', { className: 'report-message', text: sentence(problem.message) }),
  ])));
}

const FORMAT_NAMES = { gift: 'Moodle GIFT', aiken: 'Moodle Aiken', kahoot: 'Kahoot spreadsheet', csv: 'Homeroom CSV', json: 'Homeroom JSON' };

function showImported(result) {
  const quiz = result.quiz;
  const count = quiz.questions.length;
  const children = [
    el('p', { className: 'report-title report-ok' }, [
      'Imported ',
      el('a', { className: 'report-quiz', text: quiz.title, attrs: { href: `/quizzes/${quiz.id}` } }),
      ` with ${plural(count, 'question')}.`,
    ]),
    el('p', { className: 'report-format', text: `Read as ${FORMAT_NAMES[result.format] || result.format}. The quiz is private until you make it public.` }),
  ];
  if (result.skipped.length) {
    children.push(el('p', {
      className: 'report-subtitle',
      text: `${result.skipped.length === 1 ? '1 question was' : `${result.skipped.length} questions were`} skipped:`,
    }));
    children.push(problemList('report-skipped', result.skipped));
  }
  if (result.notes.length) {
    children.push(el('p', { className: 'report-subtitle', text: 'Worth knowing:' }));
    children.push(problemList('report-notes', result.notes));
  }
  children.push(el('p', { className: 'report-next' }, [
    el('a', { className: 'button button-primary button-small', text: 'Open the quiz', attrs: { href: `/quizzes/${quiz.id}` } }),
  ]));
  report.replaceChildren(...children);
  report.classList.remove('import-report-error');
  report.classList.toggle('import-report-warn', result.skipped.length > 0);
  report.hidden = false;
}

function showImportFailure(problem) {
  const children = [
    el('p', { className: 'report-title report-none', text: 'Nothing was imported.' }),
    el('p', { className: 'report-detail', text: problem.detail || problem.title || 'The file could not be read.' }),
  ];
  const skipped = Array.isArray(problem.skipped) ? problem.skipped : [];
  if (skipped.length > 1) {
    children.push(el('p', { className: 'report-subtitle', text: 'Every question had a problem:' }));
    children.push(problemList('report-skipped', skipped));
  }
  report.replaceChildren(...children);
  report.classList.remove('import-report-warn');
  report.classList.add('import-report-error');
  report.hidden = false;
}

importForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(importForm);
  report.hidden = true;
  const file = fileInput.files?.[0];
  const text = importForm.elements.text.value;
  if (!file && !text.trim()) {
    showFieldErrors(importForm, { file: ['Choose a file first, drop one on the box, or paste the text below.'] });
    return;
  }
  if (file && file.size > 32 * 1024 * 1024) {
    showFieldErrors(importForm, { file: [`This file is ${formatSize(file.size)}; a quiz file can be at most 32 MB.`] });
    return;
  }
  const format = importForm.elements.format.value;
  const title = importForm.elements.title.value.trim();
  const query = new URLSearchParams();
  if (format) {
    query.set('format', format);
  }
  if (title) {
    query.set('title', title);
  }
  // A chosen file wins; otherwise the pasted text is the body.
  let request;
  if (file) {
    const data = new FormData();
    data.append('file', file, file.name);
    request = { method: 'POST', body: data };
  } else {
    request = { method: 'POST', body: text, contentType: 'text/plain; charset=utf-8' };
  }
  const submit = document.getElementById('import-submit');
  setBusy(submit, true, 'Importing…');
  try {
    const result = await api(`/api/quizzes/import${query.size ? `?${query}` : ''}`, request);
    showImported(result);
    fileInput.value = '';
    importForm.elements.text.value = '';
    importForm.elements.title.value = '';
    showChosenFile();
    if (state.tab === 'mine' && !state.q.trim()) {
      state.page = 1;
      remember();
    }
    await load();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 422 || error.status === 413)) {
      showImportFailure(error.problem);
    } else {
      showFormError(importForm, error);
    }
  } finally {
    setBusy(submit, false);
  }
});

// ---- Start ---------------------------------------------------------------------------------

try {
  const me = await requireSignIn();
  renderHeader(me);
  setUpTabs();
  await load();
  revealPage();
  if (params.get('import') === '1') {
    openImport(true);
  }
} catch (error) {
  showPageError(error);
}
