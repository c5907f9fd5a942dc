// /assignments: the teacher's assignments, newest first. Each card: the quiz, the class, the deadline and its
// status, progress ("14 of 25 finished"), the code, link and QR code to hand out, and what can be done:
// the report, see who is where (with the resume codes a student needs on another device), extend the
// deadline, close now, delete (after a confirmation). ?created={id} marks the one just assigned.
import { api, el, messageFor, renderHeader, requireSignIn, revealPage, setBusy, showBanner, showPageError } from '/js/api.js';
import { confirmDialog, formatDateTime, plural } from '/js/classes-common.js';

const list = document.getElementById('assignment-list');
const status = document.getElementById('list-status');
const errorBanner = document.getElementById('error-banner');
const created = Number(new URLSearchParams(window.location.search).get('created')) || null;
const STATUS = { open: 'Open', closed: 'Closed early', over: 'Deadline passed' };

/** A datetime-local value (the browser's time zone) for an instant. */
function localInput(value) {
  const date = new Date(value);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function progressText(a) {
  return `${a.finished} of ${a.of} finished`;
}

async function studentsTable(a, box) {
  const detail = await api(`/api/assignments/${a.id}`);
  const rows = detail.students.map((s) => el('tr', {}, [
    el('th', { text: s.name, attrs: { scope: 'row' } }),
    el('td', { text: s.finished ? 'Finished' : `${s.answered} of ${a.questionCount} answered` }),
    el('td', { className: 'num', text: String(s.bestScore) }),
    el('td', { className: 'num', text: String(s.attempts) }),
    el('td', { className: 'num', text: s.resumeCode }),
    el('td', { className: 'num', text: String(s.devices) }),
  ]));
  const table = el('table', { className: 'data-table' }, [
    el('caption', { className: 'visually-hidden', text: `Students in ${a.title}` }),
    el('thead', {}, [el('tr', {}, ['Student', 'Progress', 'Best score', 'Attempts', 'Resume code', 'Devices'].map((label) => el('th', { text: label, attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows),
  ]);
  box.replaceChildren(
    detail.students.length ? el('div', { className: 'table-wrap' }, [table]) : el('p', { className: 'muted', text: 'Nobody has started yet.' }),
    detail.notStarted.length ? el('p', { className: 'assignment-meta', text: `Not started: ${detail.notStarted.join(', ')}` }) : null,
    el('p', { className: 'hint', text: 'A student who continues on another device chooses their name and types the resume code beside it.' }),
  );
}

function card(a) {
  const meta = [a.className || 'Nicknames (no class)', `${a.questionCount} questions`, a.options.timer ? 'timed' : 'no timer',
    a.options.attempts === 1 ? 'one attempt' : `${a.options.attempts} attempts`];
  const due = a.closedAt ? `Closed ${formatDateTime(a.closedAt)}` : `Due ${formatDateTime(a.deadline)}`;
  const progress = el('progress', { attrs: { max: Math.max(1, a.of), value: a.finished, 'aria-label': `${a.title}: ${progressText(a)}` } });
  const students = el('div', { className: 'assignment-students', attrs: { hidden: true } });
  const whoButton = el('button', { className: 'button button-small', text: 'Students', attrs: { type: 'button', 'aria-expanded': 'false' } });
  whoButton.addEventListener('click', async () => {
    const open = students.hidden;
    students.hidden = !open;
    whoButton.setAttribute('aria-expanded', String(open));
    if (open) {
      students.replaceChildren(el('p', { className: 'loading', text: 'Loading…' }));
      try {
        await studentsTable(a, students);
      } catch (error) {
        students.replaceChildren(el('p', { className: 'muted', text: messageFor(error) }));
      }
    }
  });
  const copy = el('button', { className: 'button button-small', text: 'Copy link', attrs: { type: 'button' } });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(a.joinUrl);
      status.textContent = `Copied the link to ${a.title}.`;
    } catch {
      status.textContent = `The link is ${a.joinUrl}`;
    }
  });

  const actions = [
    el('a', { className: 'button button-small', text: 'Report', attrs: { href: `/reports/assignments/${a.id}` } }),
    whoButton,
  ];
  if (a.status === 'open') {
    const inputId = `deadline-${a.id}`;
    const input = el('input', { attrs: { id: inputId, type: 'datetime-local', value: localInput(a.deadline) } });
    const extend = el('button', { className: 'button button-small', text: 'Extend', attrs: { type: 'button' } });
    extend.addEventListener('click', async () => {
      setBusy(extend, true, 'Saving…');
      try {
        await api(`/api/assignments/${a.id}`, { method: 'PATCH', body: { deadline: new Date(input.value).toISOString() } });
        status.textContent = `The deadline of ${a.title} is now ${formatDateTime(new Date(input.value).toISOString())}.`;
        await load();
      } catch (error) {
        setBusy(extend, false);
        showBanner(errorBanner, messageFor(error));
      }
    });
    const close = el('button', { className: 'button button-small', text: 'Close now', attrs: { type: 'button' } });
    close.addEventListener('click', async () => {
      const sure = await confirmDialog({
        title: `Close ${a.title} now?`,
        message: 'Students can no longer answer, and the results are final. This cannot be undone.',
        confirmLabel: 'Close assignment',
      });
      if (sure) {
        try {
          await api(`/api/assignments/${a.id}/close`, { method: 'POST' });
          status.textContent = `Closed ${a.title}.`;
          await load();
        } catch (error) {
          showBanner(errorBanner, messageFor(error));
        }
      }
    });
    actions.push(el('div', { className: 'field' }, [el('label', { text: 'New deadline', attrs: { for: inputId } }), input]), extend, close);
  }
  const remove = el('button', { className: 'button button-danger-outline button-small', text: 'Delete', attrs: { type: 'button', 'aria-label': `Delete ${a.title}` } });
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `Delete ${a.title}?`,
      message: `This deletes the assignment and everything recorded in it: ${plural(a.started, 'student')} and their answers. It cannot be undone. The quiz itself stays in your library.`,
      confirmLabel: 'Delete assignment',
      danger: true,
    });
    if (sure) {
      try {
        await api(`/api/assignments/${a.id}`, { method: 'DELETE' });
        status.textContent = `Deleted ${a.title}.`;
        await load();
      } catch (error) {
        showBanner(errorBanner, messageFor(error));
      }
    }
  });
  actions.push(remove);

  return el('li', { className: `assignment-card${a.id === created ? ' is-new' : ''}`, attrs: { 'data-assignment-id': a.id } }, [
    el('div', {}, [
      el('h3', { text: a.title }),
      el('p', { className: 'assignment-meta', text: `${STATUS[a.status]} · ${due} · ${meta.join(' · ')}` }),
      el('p', { className: 'assignment-progress' }, [el('strong', { text: progressText(a) }), a.started > a.finished ? ` · ${a.started - a.finished} in progress` : '']),
      progress,
      el('p', { className: 'assignment-link' }, [
        'Code ', el('span', { className: 'assignment-code', text: a.code }), ' · ',
        el('a', { text: a.joinUrl, attrs: { href: a.joinUrl } }), copy,
      ]),
      el('div', { className: 'assignment-actions' }, actions),
    ]),
    el('img', { className: 'assignment-qr', attrs: { src: a.qrCodeUrl, alt: `QR code of the link to ${a.title}`, width: 132, height: 132 } }),
    students,
  ]);
}

async function load() {
  const assignments = await api('/api/assignments');
  list.replaceChildren(...assignments.map(card));
  list.hidden = assignments.length === 0;
  document.getElementById('assignments-empty').hidden = assignments.length !== 0;
  document.getElementById('assignment-count').textContent = assignments.length ? plural(assignments.length, 'assignment') : '';
}

try {
  const me = await requireSignIn();
  renderHeader(me);
  await load();
  revealPage();
  if (created) {
    status.textContent = 'Assigned. Hand out the code, the link or the QR code.';
    list.querySelector(`[data-assignment-id="${created}"]`)?.scrollIntoView({ block: 'nearest' });
  }
} catch (error) {
  showPageError(error);
}
