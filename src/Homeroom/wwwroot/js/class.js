// /classes/{id}: one class, in four tabs (roster, attendance, groups, equity). This module loads the
// class and its roster, runs the tabs and hands a shared context to each tab's module.
import { api, renderHeader, requireSignIn, revealPage, showPageError } from '/js/api.js';
import { initAttendance } from '/js/class-attendance.js';
import { initEquity } from '/js/class-equity.js';
import { initGroups } from '/js/class-groups.js';
import { initRoster } from '/js/class-roster.js';
import { classIdFromPath, plural } from '/js/classes-common.js';

const TABS = ['roster', 'attendance', 'groups', 'equity'];

/** What the tabs share: the class, its current roster and today's attendance. */
class ClassContext {
  constructor(classId) {
    this.classId = classId;
    this.base = `/api/classes/${classId}`;
    this.cls = null;
    this.students = [];
    this.attendance = { date: '', absent: [] };
    this.listeners = [];
  }

  /** Calls fn now and whenever the roster or attendance changes. */
  watch(fn) {
    this.listeners.push(fn);
  }

  changed() {
    renderSummary(this);
    for (const fn of this.listeners) {
      fn();
    }
  }

  async reloadStudents() {
    const [students, attendance] = await Promise.all([api(`${this.base}/students`), api(`${this.base}/attendance`)]);
    this.students = students;
    this.attendance = attendance;
    this.changed();
  }

  isAbsent(studentId) {
    return this.attendance.absent.includes(studentId);
  }
}

function renderSummary(ctx) {
  const total = ctx.students.length;
  const absent = ctx.students.filter((s) => ctx.isAbsent(s.id)).length;
  const parts = [plural(total, 'student')];
  if (total) {
    parts.push(absent ? `${total - absent} here today, ${absent} absent` : 'everyone here today');
  }
  if (ctx.cls.archived) {
    parts.push('archived');
  }
  document.getElementById('class-summary').textContent = parts.join(' · ');
}

function setUpTabs(onShow) {
  const tabs = TABS.map((name) => document.getElementById('tab-' + name));
  const show = (name, { focus = false, updateHash = true } = {}) => {
    for (const [index, tab] of tabs.entries()) {
      const selected = TABS[index] === name;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById('panel-' + TABS[index]).hidden = !selected;
      if (selected && focus) {
        tab.focus();
      }
    }
    if (updateHash) {
      window.history.replaceState(null, '', '#' + name);
    }
    onShow(name);
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
  const fromHash = () => {
    const name = window.location.hash.slice(1);
    show(TABS.includes(name) ? name : 'roster', { updateHash: false });
  };
  window.addEventListener('hashchange', fromHash);
  fromHash();
}

try {
  const classId = classIdFromPath();
  const me = await requireSignIn();
  renderHeader(me);
  const ctx = new ClassContext(classId);
  ctx.cls = await api(ctx.base);
  document.title = `${ctx.cls.name} · Homeroom`;
  document.getElementById('class-name').textContent = ctx.cls.name;
  document.getElementById('crumb-name').textContent = ctx.cls.name;
  document.getElementById('picker-link').href = `/classes/${classId}/picker`;
  document.getElementById('report-link').href = `/classes/${classId}/report`;
  await ctx.reloadStudents();

  const tabs = {
    roster: initRoster(ctx),
    attendance: initAttendance(ctx),
    groups: initGroups(ctx),
    equity: initEquity(ctx),
  };
  ctx.changed();
  revealPage();
  setUpTabs((name) => tabs[name].shown?.());
} catch (error) {
  showPageError(error);
}
