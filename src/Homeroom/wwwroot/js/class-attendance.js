// The Attendance tab: today's present/absent switches. Every change saves the whole list with PUT;
// changes made while a save is in flight are saved right after it, so the last one always wins.
import { api, el, messageFor } from '/js/api.js';
import { displayName, formatDay } from '/js/classes-common.js';

export function initAttendance(ctx) {
  const list = document.getElementById('attendance-list');
  const status = document.getElementById('attendance-status');
  const counts = document.getElementById('attendance-counts');
  let absent = new Set();
  let saving = null;
  let dirty = false;
  let quiet = false;

  function render() {
    absent = new Set(ctx.attendance.absent);
    document.getElementById('attendance-day').textContent = ctx.attendance.date ? `Today, ${formatDay(ctx.attendance.date)}` : '';
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
    saving = api(`${ctx.base}/attendance`, { method: 'PUT', body: { absent: [...absent] } });
    try {
      const saved = await saving;
      saving = null;
      if (dirty) {
        dirty = false;
        await save();
        return;
      }
      ctx.attendance = saved;
      status.textContent = 'Saved.';
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

  ctx.watch(() => {
    // Do not redraw under the teacher's fingers while their own change is being saved.
    if (!saving && !quiet) {
      render();
    }
  });
  return {};
}
