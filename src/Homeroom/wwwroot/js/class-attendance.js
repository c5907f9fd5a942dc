// The Attendance tab: a day's present/absent switches (today by default; the date picker and the
// previous/next buttons open past days) and a download of a range of days. Every change saves the whole
// day with PUT; changes made while a save is in flight are saved right after it, so the last one wins.
import { api, el, messageFor } from '/js/api.js';
import { displayName, formatDay } from '/js/classes-common.js';

const MAX_EXPORT_DAYS = 366;

/** YYYY-MM-DD moved by a number of days (calendar days, whatever the daylight saving). */
export function addDays(day, count) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + count)).toISOString().slice(0, 10);
}

function daysBetween(from, to) {
  const at = (day) => { const [y, m, d] = day.split('-').map(Number); return Date.UTC(y, m - 1, d); };
  return Math.round((at(to) - at(from)) / 86400000);
}

export function initAttendance(ctx) {
  const list = document.getElementById('attendance-list');
  const status = document.getElementById('attendance-status');
  const counts = document.getElementById('attendance-counts');
  const picker = document.getElementById('attendance-date');
  const prev = document.getElementById('attendance-prev');
  const next = document.getElementById('attendance-next');
  const back = document.getElementById('attendance-today');
  const hint = document.getElementById('attendance-hint');
  let absent = new Set();
  let saving = null;
  let dirty = false;
  let quiet = false;
  // The day shown: null means today (ctx.attendance, shared with the other tabs); else a past day's record.
  let past = null;
  let loading = 0;

  const today = () => ctx.attendance.date;
  const shownDay = () => past?.date ?? today();

  function render() {
    absent = new Set((past ?? ctx.attendance).absent);
    const day = shownDay();
    document.getElementById('attendance-day').textContent = !day ? '' : past ? formatDay(day) : `Today, ${formatDay(day)}`;
    if (day) {
      picker.value = day;
      picker.max = today();
      next.disabled = !past;
      back.hidden = !past;
    }
    hint.textContent = past
      ? 'A past day: changes are saved to its record (and its download). The picker and the group maker use today’s attendance.'
      : 'Absent students are skipped by the picker and the group maker today. Changes save as you go.';
    document.getElementById('attendance-empty').hidden = ctx.students.length !== 0;
    document.getElementById('attendance-all').hidden = ctx.students.length === 0;
    list.replaceChildren(...ctx.students.map(item));
    renderCounts();
  }

  function renderCounts() {
    const total = ctx.students.length;
    const away = ctx.students.filter((s) => absent.has(s.id)).length;
    counts.replaceChildren(
      el('span', { className: 'count-present', text: `${total - away} present` }),
      el('span', { className: 'count-absent', text: `${away} absent` }),
    );
  }

  function item(student) {
    const name = displayName(student);
    const id = `present-${student.id}`;
    const input = el('input', {
      className: 'switch-input',
      attrs: { type: 'checkbox', role: 'switch', id, 'data-student-id': student.id },
    });
    input.checked = !absent.has(student.id);
    const state = el('span', { className: 'switch-state', text: input.checked ? 'Present' : 'Absent', attrs: { 'aria-hidden': 'true' } });
    const li = el('li', { className: input.checked ? 'attendance-item' : 'attendance-item is-absent' }, [
      el('label', { className: 'attendance-label', attrs: { for: id } }, [
        el('span', { className: 'attendance-name', text: name }),
        el('span', { className: 'switch', attrs: { 'aria-hidden': 'true' } }),
        state,
      ]),
    ]);
    li.prepend(input);
    input.addEventListener('change', () => {
      if (input.checked) {
        absent.delete(student.id);
      } else {
        absent.add(student.id);
      }
      li.classList.toggle('is-absent', !input.checked);
      state.textContent = input.checked ? 'Present' : 'Absent';
      renderCounts();
      save();
    });
    return li;
  }

  async function save() {
    if (saving) {
      dirty = true;
      return;
    }
    status.textContent = 'Saving…';
    status.classList.remove('status-error');
    const day = past?.date;
    saving = api(`${ctx.base}/attendance`, { method: 'PUT', body: day ? { absent: [...absent], date: day } : { absent: [...absent] } });
    try {
      const saved = await saving;
      saving = null;
      if (dirty) {
        dirty = false;
        await save();
        return;
      }
      status.textContent = 'Saved.';
      if (day) {
        if (past?.date === day) {
          past = saved;
        }
        return;
      }
      ctx.attendance = saved;
      // Tell the other tabs, without redrawing this list (that would lose the keyboard focus).
      quiet = true;
      try {
        ctx.changed();
      } finally {
        quiet = false;
      }
    } catch (error) {
      saving = null;
      dirty = false;
      status.textContent = `Not saved: ${messageFor(error)}`;
      status.classList.add('status-error');
    }
  }

  document.getElementById('attendance-all').addEventListener('click', () => {
    absent.clear();
    for (const input of list.querySelectorAll('.switch-input')) {
      input.checked = true;
      input.closest('li').classList.remove('is-absent');
      input.closest('li').querySelector('.switch-state').textContent = 'Present';
    }
    renderCounts();
    save();
  });

  /** Shows a day: today's shared record, or a past day's fetched with ?date=. */
  async function showDay(day) {
    if (!day || !today()) {
      return;
    }
    if (day >= today()) {
      past = null;
      status.textContent = '';
      render();
      return;
    }
    const ticket = ++loading;
    status.textContent = 'Loading…';
    status.classList.remove('status-error');
    try {
      const record = await api(`${ctx.base}/attendance?date=${encodeURIComponent(day)}`);
      if (ticket === loading) {
        past = record;
        status.textContent = '';
        render();
      }
    } catch (error) {
      if (ticket === loading) {
        status.textContent = `Not loaded: ${messageFor(error)}`;
        status.classList.add('status-error');
      }
    }
  }

  picker.addEventListener('change', () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(picker.value)) {
      showDay(picker.value);
    }
  });
  prev.addEventListener('click', () => showDay(addDays(shownDay(), -1)));
  next.addEventListener('click', () => showDay(addDays(shownDay(), 1)));
  back.addEventListener('click', () => showDay(today()));

  // The download: two links kept in step with the From and To days.
  const from = document.getElementById('attendance-from');
  const to = document.getElementById('attendance-to');
  const exportError = document.getElementById('attendance-export-error');
  const links = { csv: document.getElementById('attendance-export-csv'), xlsx: document.getElementById('attendance-export-xlsx') };

  function updateLinks() {
    let problem = '';
    if (!from.value || !to.value) {
      problem = 'Choose both days.';
    } else if (from.value > to.value) {
      problem = 'From must be on or before To.';
    } else if (daysBetween(from.value, to.value) + 1 > MAX_EXPORT_DAYS) {
      problem = `A download covers at most ${MAX_EXPORT_DAYS} days.`;
    }
    exportError.textContent = problem;
    exportError.hidden = !problem;
    for (const [format, link] of Object.entries(links)) {
      if (problem) {
        link.removeAttribute('href');
        link.setAttribute('aria-disabled', 'true');
      } else {
        link.href = `${ctx.base}/attendance/export?from=${from.value}&to=${to.value}&format=${format}`;
        link.removeAttribute('aria-disabled');
      }
    }
    from.setAttribute('aria-invalid', String(!from.value || (Boolean(to.value) && from.value > to.value)));
    to.setAttribute('aria-invalid', String(!to.value || (Boolean(problem) && Boolean(from.value) && from.value <= to.value)));
  }
  from.addEventListener('input', updateLinks);
  to.addEventListener('input', updateLinks);
  document.getElementById('attendance-export-form').addEventListener('submit', (event) => event.preventDefault());

  ctx.watch(() => {
    if (today() && !to.value) {
      // The last week up to today, to start with.
      to.value = today();
      from.value = addDays(today(), -6);
      updateLinks();
    }
    // Do not redraw under the teacher's fingers while their own change is being saved.
    if (!saving && !quiet) {
      render();
    }
  });
  return {};
}
