// The signed-in teacher's home: a greeting and one card per feature in js/features.js.
import { el, renderHeader, requireSignIn, revealPage, showPageError } from '/js/api.js';
import { features } from '/js/features.js';

function today(timeZone) {
  const options = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(new Date());
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(new Date());
  }
}

function renderFeatures() {
  const grid = document.getElementById('features');
  const empty = document.getElementById('features-empty');
  grid.replaceChildren();
  for (const feature of features) {
    const initial = Array.from(feature.name.trim())[0] || '•';
    const card = el('a', { className: 'feature-card', attrs: { href: feature.href } }, [
      el('span', { className: 'feature-icon', text: initial, attrs: { 'aria-hidden': 'true' } }),
      el('h3', { text: feature.name }),
      feature.description ? el('p', { text: feature.description }) : null,
    ]);
    grid.append(el('li', {}, [card]));
  }
  grid.hidden = features.length === 0;
  empty.hidden = features.length !== 0;
}

try {
  const me = await requireSignIn();
  renderHeader(me);
  const name = (me.displayName || '').trim() || me.username;
  document.getElementById('greeting').textContent = `Hello, ${name}`;
  document.getElementById('handle').textContent = '@' + me.username;
  document.getElementById('avatar').textContent = Array.from(name)[0] || '';
  document.getElementById('today').textContent = today(me.timeZone);
  renderFeatures();
  revealPage();
} catch (error) {
  showPageError(error);
}
