// The signed-in teacher's home: a greeting, my newest quizzes, my favourites, my recent reports, and one
// card per feature in js/features.js.
import { api, el, messageFor, renderHeader, requireSignIn, revealPage, showBanner, showPageError } from '/js/api.js';
import { features } from '/js/features.js';
import { miniQuizCard } from '/js/quizzes-common.js';
import { liveGameActions, reportItem } from '/js/reports-common.js';

const SHOWN = 4;

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

function renderQuizzes(listId, emptyId, loadingId, page) {
  const list = document.getElementById(listId);
  list.replaceChildren(...page.items.map(miniQuizCard));
  list.hidden = page.items.length === 0;
  document.getElementById(emptyId).hidden = page.items.length !== 0;
  document.getElementById(loadingId).hidden = true;
}

/** My newest quizzes and my favourites: they fill in after the greeting is on screen. */
async function loadQuizzes() {
  try {
    const [mine, favourites] = await Promise.all([
      api(`/api/quizzes?pageSize=${SHOWN}`),
      api(`/api/quizzes?favorites=true&pageSize=${SHOWN}`),
    ]);
    renderQuizzes('my-quizzes', 'my-quizzes-empty', 'my-quizzes-loading', mine);
    renderQuizzes('favourite-quizzes', 'favourites-empty', 'favourites-loading', favourites);
    document.getElementById('see-all-quizzes').textContent = mine.total > SHOWN ? `See all ${mine.total}` : 'See all';
    const seeAllFavourites = document.getElementById('see-all-favourites');
    seeAllFavourites.hidden = favourites.total <= SHOWN;
    seeAllFavourites.textContent = `See all ${favourites.total}`;
  } catch (error) {
    document.getElementById('my-quizzes-loading').hidden = true;
    document.getElementById('favourites-loading').hidden = true;
    showBanner(document.getElementById('error-banner'), messageFor(error));
  }
}

/** The newest games' reports; a live one with Resume hosting and End game. */
async function loadReports() {
  const list = document.getElementById('recent-reports');
  try {
    const page = await api(`/api/reports?pageSize=${SHOWN}`);
    const actions = (item) => (item.status === 'live'
      ? liveGameActions(item, { onEnded: loadReports, onError: (message) => showBanner(document.getElementById('error-banner'), message) })
      : []);
    list.replaceChildren(...page.items.map((item) => reportItem(item, actions(item))));
    list.hidden = page.items.length === 0;
    document.getElementById('reports-empty').hidden = page.items.length !== 0;
    document.getElementById('see-all-reports').textContent = page.total > SHOWN ? `See all ${page.total}` : 'See all';
  } catch (error) {
    showBanner(document.getElementById('error-banner'), messageFor(error));
  } finally {
    document.getElementById('reports-loading').hidden = true;
  }
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
  loadQuizzes();
  loadReports();
} catch (error) {
  showPageError(error);
}
