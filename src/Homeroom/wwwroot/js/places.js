// /places: the store locator. Anyone can search for the places nearest a point (typed, the device's
// location, or a click on the map) and see them on a Leaflet map and in a list; a signed-in teacher also
// gets "My places" to add and delete their own. Text from the API only ever goes in through el() and
// textContent: popups and marker icons are DOM nodes, never HTML strings.
import {
  api, clearErrors, el, getMe, messageFor, renderHeader, setBusy, showBanner, showFieldErrors, showFormError,
} from '/js/api.js';
import { addBasemap, findPlace, hideChoices, showChoices } from '/js/places-geo.js';

const PAGE_SIZE = 10;
const METRES = { km: 1000, mi: 1609.344 };

const errorBanner = document.getElementById('error-banner');
const searchForm = document.getElementById('search-form');
const searchSubmit = document.getElementById('search-submit');
const locateButton = document.getElementById('locate');
const resultsList = document.getElementById('results-list');
const resultsCount = document.getElementById('results-count');
const resultsStatus = document.getElementById('results-status');
const moreButton = document.getElementById('more-results');
const categoryOptions = document.getElementById('category-options');
const mapHint = document.getElementById('map-hint');
const placeForm = document.getElementById('place-form');
const placeSubmit = document.getElementById('place-submit');
const mineList = document.getElementById('mine-list');
const mineStatus = document.getElementById('mine-status');
const placeChoices = document.getElementById('place-choices');

let me = null;
let map = null;
let resultLayer = null;
let userMarker = null;
let radiusCircle = null;
let draftPoint = null;
let query = null; // the last search that succeeded: the filters "More results" continues with
let nextCursor = null;
let results = []; // {item, marker, li}
const categories = new Set();
let mapClickFills = 'search'; // or 'place', while a teacher is adding a place
let resolvedPlace = null; // the town or ZIP code whose coordinates are in the latitude and longitude fields

// ---------------------------------------------------------------------------------------------
// Formatting

/** "1.2 km", "12 km", "1,204 mi", "< 0.1 km": one decimal under 10, whole numbers above. */
export function formatDistance(value, unit) {
  const label = unit === 'mi' ? 'mi' : 'km';
  if (value < 0.05) {
    return `< 0.1 ${label}`;
  }
  const digits = value < 10 ? 1 : 0;
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return `${text} ${label}`;
}

function formatCoordinate(value) {
  return String(Math.round(value * 100000) / 100000);
}

function openState(item) {
  if (item.status?.state === 'unknown') {
    return { text: 'Hours unknown', kind: 'unknown' };
  }
  if (item.openNow === true) {
    return { text: 'Open now', kind: 'open' };
  }
  if (item.openNow === false) {
    return { text: 'Closed', kind: 'closed' };
  }
  return { text: 'Hours unknown', kind: 'unknown' };
}

/** What the hours mean now, as the API says it ("open now, closes at 18:00"), with any note; null without hours. */
function statusLine(item, className) {
  if (!item.status) {
    return null;
  }
  const text = item.status.text.charAt(0).toUpperCase() + item.status.text.slice(1);
  return el('p', { className, attrs: item.status.note ? { title: item.status.note } : {} }, [
    el('span', { className: 'status-text', text }),
    item.status.note ? el('span', { className: 'status-note', text: ` ${item.status.note}` }) : null,
  ]);
}

function plural(count, one, many = one + 's') {
  return `${count} ${count === 1 ? one : many}`;
}

/** A link for a place's website: only http(s) addresses become links; the host is the text. */
function websiteLink(url, className) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return null;
  }
  return el('a', {
    className,
    text: parsed.host.replace(/^www\./, ''),
    attrs: { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' },
  });
}

function phoneLink(phone, className) {
  const dial = phone.replace(/[^\d+]/g, '');
  return dial
    ? el('a', { className, text: phone, attrs: { href: 'tel:' + dial } })
    : el('span', { className, text: phone });
}

function badge(text, kind) {
  return el('span', { className: `badge badge-${kind}`, text });
}

// ---------------------------------------------------------------------------------------------
// The map

function meta(name) {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content')?.trim() || '';
}

function initMap() {
  const L = window.L;
  if (!L) {
    showBanner(errorBanner, 'The map could not be loaded. The list of places still works.');
    document.getElementById('map').hidden = true;
    mapHint.hidden = true;
    return;
  }
  const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  map = L.map('map', {
    attributionControl: false,
    zoomAnimation: !still,
    fadeAnimation: !still,
    markerZoomAnimation: !still,
    worldCopyJump: true,
    minZoom: 1,
    maxZoom: 18,
    zoomSnap: 0.5,
  }).setView([20, 0], 2);
  const tileUrl = meta('homeroom-tile-url');
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, crossOrigin: false }).addTo(map);
    document.getElementById('map').classList.add('has-tiles');
    const attribution = meta('homeroom-tile-attribution');
    if (attribution) {
      const line = document.getElementById('tile-attribution');
      line.textContent = 'Map tiles: ' + attribution;
      line.hidden = false;
    }
  } else {
    // No tile server: the country shapes shipped with the page (Natural Earth, public domain).
    addBasemap(map).then((drawn) => {
      if (drawn) {
        const line = document.getElementById('tile-attribution');
        line.textContent = 'Map: Natural Earth (public domain).';
        line.hidden = false;
      }
    });
  }
  L.control.scale({ position: 'bottomleft' }).addTo(map);
  resultLayer = L.layerGroup().addTo(map);
  map.on('click', (event) => {
    const point = event.latlng.wrap();
    const lat = formatCoordinate(point.lat);
    const lon = formatCoordinate(point.lng);
    if (mapClickFills === 'place' && me) {
      placeForm.elements.lat.value = lat;
      placeForm.elements.lon.value = lon;
      showDraft(point.lat, point.lng);
      mapHint.textContent = `The new place goes at ${lat}, ${lon}. Click again to move it, or finish the form below.`;
      return;
    }
    forgetPlace();
    searchForm.elements.lat.value = lat;
    searchForm.elements.lon.value = lon;
    searchForm.requestSubmit();
  });
}

function pinIcon(number, item) {
  const classes = ['place-pin'];
  if (item.outsideRadius) {
    classes.push('is-outside');
  }
  if (item.openNow === false) {
    classes.push('is-closed');
  }
  return window.L.divIcon({
    className: classes.join(' '),
    html: el('span', { className: 'place-pin-number', text: String(number) }),
    iconSize: [32, 32],
    iconAnchor: [16, 32],
    popupAnchor: [0, -30],
  });
}

function popupFor(item, unit) {
  const state = openState(item);
  const details = [item.category, formatDistance(item.distance, unit)].filter(Boolean).join(' · ');
  return el('div', { className: 'place-popup' }, [
    el('p', { className: 'popup-name', text: item.name }),
    el('p', { className: 'popup-meta', text: details }),
    item.address ? el('p', { className: 'popup-address', text: item.address }) : null,
    el('p', { className: 'popup-badges' }, [
      badge(state.text, state.kind),
      item.outsideRadius ? badge('Outside your radius', 'outside') : null,
    ]),
    statusLine(item, 'popup-status'),
    item.hours ? el('p', { className: 'popup-hours', text: item.hours }) : null,
    item.phone || item.url
      ? el('p', { className: 'popup-links' }, [
        item.phone ? phoneLink(item.phone, 'popup-link') : null,
        item.url ? websiteLink(item.url, 'popup-link') : null,
      ])
      : null,
  ]);
}

/** The longitude of a place moved by whole turns to lie within 180° of the search point, so a result across the antimeridian is drawn next to it. */
function nearLongitude(lon, origin) {
  return lon + 360 * Math.round((origin - lon) / 360);
}

function showSearchPoint(lat, lon, radius, unit) {
  if (!map) {
    return;
  }
  const L = window.L;
  userMarker?.remove();
  radiusCircle?.remove();
  radiusCircle = null;
  userMarker = L.marker([lat, lon], {
    icon: L.divIcon({ className: 'user-pin', html: el('span', { className: 'user-pin-dot' }), iconSize: [22, 22], iconAnchor: [11, 11] }),
    interactive: false,
    keyboard: false,
    zIndexOffset: 1000,
    title: 'Your location',
  }).addTo(map);
  userMarker.getElement()?.setAttribute('aria-label', 'Your location');
  if (radius) {
    radiusCircle = L.circle([lat, lon], { radius: radius * METRES[unit], className: 'radius-circle', interactive: false }).addTo(map);
  }
}

function showDraft(lat, lon) {
  if (!map) {
    return;
  }
  draftPoint?.remove();
  draftPoint = window.L.circleMarker([lat, lon], { radius: 9, className: 'draft-point', interactive: false }).addTo(map);
}

function clearDraft() {
  draftPoint?.remove();
  draftPoint = null;
}

function fitMap() {
  if (!map || !query) {
    return;
  }
  const L = window.L;
  const origin = L.latLng(query.latNumber, query.lonNumber);
  if (!results.length) {
    if (radiusCircle) {
      map.fitBounds(radiusCircle.getBounds(), { padding: [24, 24] });
    } else {
      map.setView(origin, Math.max(map.getZoom(), 11));
    }
    return;
  }
  const bounds = L.latLngBounds([origin]);
  for (const { marker } of results) {
    bounds.extend(marker.getLatLng());
  }
  map.fitBounds(bounds, { padding: [48, 48], maxZoom: 15 });
}

// ---------------------------------------------------------------------------------------------
// Searching

function readSearch() {
  const f = searchForm.elements;
  return {
    q: f.q.value.trim(),
    lat: f.lat.value.trim(),
    lon: f.lon.value.trim(),
    radius: f.radius.value.trim(),
    unit: f.unit.value === 'mi' ? 'mi' : 'km',
    category: f.category.value.trim(),
    openNow: f.openNow.checked,
    nearestIfNone: f.nearestIfNone.checked,
  };
}

function fillSearch(values) {
  const f = searchForm.elements;
  f.q.value = values.q || '';
  resolvedPlace = values.q && values.lat && values.lon ? values.q : null;
  f.lat.value = values.lat || '';
  f.lon.value = values.lon || '';
  f.radius.value = values.radius || '';
  f.unit.value = values.unit === 'mi' ? 'mi' : 'km';
  f.category.value = values.category || '';
  f.openNow.checked = Boolean(values.openNow);
  f.nearestIfNone.checked = values.nearestIfNone !== false;
}

/** The search as query-string parameters: for the API (with limit and cursor) and for this page's address. */
function searchParams(search, { cursor, forApi } = {}) {
  const params = new URLSearchParams(search.q && !forApi ? { q: search.q } : {});
  params.set('lat', search.lat);
  params.set('lon', search.lon);
  if (search.radius) {
    params.set('radius', search.radius);
  }
  if (search.unit === 'mi' || forApi) {
    params.set('unit', search.unit);
  }
  if (search.category) {
    params.set('category', search.category);
  }
  if (search.openNow) {
    params.set('openNow', 'true');
  }
  if (forApi ? search.nearestIfNone : !search.nearestIfNone) {
    params.set('nearestIfNone', forApi ? 'true' : 'false');
  }
  if (forApi) {
    params.set('limit', String(PAGE_SIZE));
  }
  if (cursor) {
    params.set('cursor', cursor);
  }
  return params;
}

/** On a phone the form fills the screen: after a search the visitor is taken to the map and the list. */
function revealResults() {
  const layout = document.querySelector('.places-layout');
  if (layout.getBoundingClientRect().top > window.innerHeight * 0.6) {
    layout.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
}

/** The town or ZIP code typed: its coordinates go into the fields and the search runs, or the choices are shown. */
async function searchByName(search, options) {
  clearErrors(searchForm);
  showBanner(errorBanner, '');
  setBusy(searchSubmit, true, 'Finding…');
  let answer;
  try {
    answer = await findPlace(search.q);
  } catch (error) {
    hideChoices(placeChoices);
    showFormError(searchForm, error);
    setBusy(searchSubmit, false);
    return;
  }
  setBusy(searchSubmit, false);
  const choose = (match) => {
    const f = searchForm.elements;
    f.q.value = match.postcode ? match.postcode : match.label;
    resolvedPlace = f.q.value;
    f.lat.value = formatCoordinate(match.lat);
    f.lon.value = formatCoordinate(match.lon);
    showChoices(placeChoices, { ...answer, unique: true, matches: [match, ...answer.matches.filter((m) => m !== match)] }, choose);
    runSearch(readSearch(), options);
  };
  showChoices(placeChoices, answer, choose);
  if (answer.unique) {
    const f = searchForm.elements;
    resolvedPlace = search.q;
    f.lat.value = formatCoordinate(answer.matches[0].lat);
    f.lon.value = formatCoordinate(answer.matches[0].lon);
    await runSearch(readSearch(), options);
  } else {
    resultsStatus.textContent = 'Choose which place you mean.';
  }
}

/** Coordinates typed, located or clicked: the town name no longer describes them. */
function forgetPlace() {
  if (searchForm.elements.q.value) {
    searchForm.elements.q.value = '';
  }
  resolvedPlace = null;
  hideChoices(placeChoices);
}

async function runSearch(search, { reveal = false } = {}) {
  if (search.q && search.q !== resolvedPlace) {
    await searchByName(search, { reveal });
    return;
  }
  clearErrors(searchForm);
  showBanner(errorBanner, '');
  const missing = {};
  if (!search.lat) {
    missing.lat = ['Enter a latitude (or a town or ZIP code above), or use your location or the map.'];
  }
  if (!search.lon) {
    missing.lon = ['Enter a longitude, or use your location or the map.'];
  }
  if (Object.keys(missing).length) {
    showFieldErrors(searchForm, missing);
    return;
  }
  setBusy(searchSubmit, true, 'Searching…');
  resultsStatus.textContent = 'Searching…';
  try {
    const page = await api('/api/places/near?' + searchParams(search, { forApi: true }));
    query = { ...search, latNumber: Number(search.lat), lonNumber: Number(search.lon), unit: page.unit };
    window.history.replaceState(null, '', '/places?' + searchParams(search));
    resetResults();
    showSearchPoint(query.latNumber, query.lonNumber, search.radius ? Number(search.radius) : null, page.unit);
    addResults(page);
    fitMap();
    if (reveal) {
      revealResults();
    }
  } catch (error) {
    resultsStatus.textContent = '';
    showFormError(searchForm, error);
  } finally {
    setBusy(searchSubmit, false);
  }
}

async function loadMore() {
  if (!query || !nextCursor) {
    return;
  }
  setBusy(moreButton, true, 'Loading…');
  const firstNew = results.length;
  try {
    const page = await api('/api/places/near?' + searchParams(query, { cursor: nextCursor, forApi: true }));
    addResults(page);
    fitMap();
    results[firstNew]?.li.querySelector('.result-focus')?.focus();
  } catch (error) {
    showBanner(errorBanner, messageFor(error));
  } finally {
    setBusy(moreButton, false);
  }
}

function resetResults() {
  resultLayer?.clearLayers();
  results = [];
  nextCursor = null;
  resultsList.replaceChildren();
}

function addResults(page) {
  for (const item of page.items) {
    addResult(item, page.unit);
    if (item.category) {
      categories.add(item.category);
    }
  }
  nextCursor = page.nextCursor || null;
  categoryOptions.replaceChildren(...[...categories].sort((a, b) => a.localeCompare(b)).map((c) => el('option', { attrs: { value: c } })));
  renderSummary(page.unit);
}

function renderSummary(unit) {
  const count = results.length;
  const start = document.getElementById('results-start');
  const empty = document.getElementById('results-empty');
  start.hidden = true;
  resultsList.hidden = count === 0;
  empty.hidden = count !== 0;
  moreButton.hidden = !nextCursor;
  resultsCount.textContent = count ? plural(count, 'place') + (nextCursor ? ' so far' : '') : '';

  const where = query.q || `${formatCoordinate(query.latNumber)}, ${formatCoordinate(query.lonNumber)}`;
  const within = query.radius ? ` within ${query.radius} ${unit === 'mi' ? 'mi' : 'km'}` : '';
  const filters = [query.category ? `“${query.category}”` : null, query.openNow ? 'open now' : null].filter(Boolean).join(', ');
  if (count === 0) {
    const what = [query.openNow ? 'open' : null, 'places'].filter(Boolean).join(' ');
    document.getElementById('results-empty-text').textContent =
      `No ${query.category ? `“${query.category}” ` : ''}${what}${within || ' anywhere'}. ` +
      (query.radius ? 'Try a larger distance, or tick “Show the nearest even if none is within the distance”.' : 'Try another category or turn off “Open now”.');
    resultsStatus.textContent = `Nothing found near ${where}.`;
    return;
  }
  const outside = results.length === 1 && results[0].item.outsideRadius;
  resultsStatus.textContent = outside
    ? `Nothing${within}; the nearest place is shown instead.`
    : `Nearest ${filters ? filters + ' ' : ''}places to ${where}${within}.`;
}

function addResult(item, unit) {
  const number = results.length + 1;
  const state = openState(item);
  const focusButton = el('button', {
    className: 'result-focus',
    text: item.name,
    attrs: { type: 'button', 'aria-describedby': `result-${item.id}-details` },
  });
  const details = [item.category, item.address].filter(Boolean).join(' · ');
  const li = el('li', {
    className: 'result-item',
    attrs: { 'data-place-id': item.id, 'data-distance': item.distance },
  }, [
    el('span', { className: 'result-number', text: String(number), attrs: { 'aria-hidden': 'true' } }),
    el('div', { className: 'result-body' }, [
      el('div', { className: 'result-head' }, [
        el('h3', { className: 'result-name' }, [focusButton]),
        el('span', { className: 'result-distance', text: formatDistance(item.distance, unit) }),
      ]),
      el('div', { attrs: { id: `result-${item.id}-details` } }, [
        details ? el('p', { className: 'result-meta', text: details }) : null,
        el('p', { className: 'result-badges' }, [
          badge(state.text, state.kind),
          item.outsideRadius ? badge('Outside your radius', 'outside') : null,
          item.mine && !item.public ? badge('Private', 'private') : null,
        ]),
        statusLine(item, 'result-status'),
        item.hours ? el('p', { className: 'result-hours', text: item.hours }) : null,
      ]),
      item.phone || item.url
        ? el('p', { className: 'result-links' }, [
          item.phone ? phoneLink(item.phone, 'result-link') : null,
          item.url ? websiteLink(item.url, 'result-link') : null,
        ])
        : null,
    ]),
  ]);

  const entry = { item, li, marker: null };
  if (map) {
    const lon = query ? nearLongitude(item.lon, query.lonNumber) : item.lon;
    const marker = window.L.marker([item.lat, lon], { icon: pinIcon(number, item), title: item.name, riseOnHover: true });
    marker.bindPopup(popupFor(item, unit), { maxWidth: 280, minWidth: 200 });
    marker.on('add', () => marker.getElement()?.setAttribute('aria-label', `${number}. ${item.name}`));
    marker.on('click', () => highlight(entry, { scroll: true }));
    marker.on('popupclose', () => {
      if (entry.li.classList.contains('is-active')) {
        entry.li.classList.remove('is-active');
        marker.getElement()?.classList.remove('is-active');
      }
    });
    marker.addTo(resultLayer);
    entry.marker = marker;
  }
  focusButton.addEventListener('click', () => focusOnMap(entry));
  li.addEventListener('click', (event) => {
    if (!event.target.closest('a, button')) {
      focusOnMap(entry);
    }
  });
  results.push(entry);
  resultsList.append(li);
}

function highlight(entry, { scroll = false } = {}) {
  for (const other of results) {
    other.li.classList.toggle('is-active', other === entry);
    other.marker?.getElement()?.classList.toggle('is-active', other === entry);
  }
  if (scroll) {
    entry.li.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

/** A list item was chosen: bring its marker into view and open its popup. */
function focusOnMap(entry) {
  highlight(entry);
  if (!map || !entry.marker) {
    return;
  }
  const at = entry.marker.getLatLng();
  if (!map.getBounds().pad(-0.1).contains(at)) {
    map.setView(at, Math.max(map.getZoom(), 13), { animate: false });
  }
  entry.marker.openPopup();
  highlight(entry);
}

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  runSearch(readSearch(), { reveal: true });
});

moreButton.addEventListener('click', loadMore);
for (const field of [searchForm.elements.lat, searchForm.elements.lon]) {
  field.addEventListener('input', () => {
    if (resolvedPlace !== null) {
      searchForm.elements.q.value = '';
      resolvedPlace = null;
      hideChoices(placeChoices);
    }
  });
}

locateButton.addEventListener('click', () => {
  clearErrors(searchForm);
  const banner = searchForm.querySelector('[role="alert"]');
  if (!('geolocation' in navigator) || !window.isSecureContext) {
    showBanner(banner, 'This browser cannot share your location here. Type coordinates or click the map instead.');
    return;
  }
  setBusy(locateButton, true, 'Finding you…');
  navigator.geolocation.getCurrentPosition(
    (position) => {
      setBusy(locateButton, false);
      forgetPlace();
      searchForm.elements.lat.value = formatCoordinate(position.coords.latitude);
      searchForm.elements.lon.value = formatCoordinate(position.coords.longitude);
      runSearch(readSearch(), { reveal: true });
    },
    (error) => {
      setBusy(locateButton, false);
      showBanner(banner, error.code === error.PERMISSION_DENIED
        ? 'Your browser did not share your location. Type coordinates or click the map instead.'
        : 'Your location could not be found just now. Type coordinates or click the map instead.');
    },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 },
  );
});

// ---------------------------------------------------------------------------------------------
// My places (signed-in teachers)

function setMapClickTarget(target) {
  mapClickFills = target;
  mapHint.textContent = target === 'place'
    ? 'Click the map to set the new place’s position.'
    : 'Click the map to search from that point.';
  mapHint.classList.toggle('is-placing', target === 'place');
}

function coordinate(text) {
  const trimmed = text.trim();
  if (!trimmed) {
    return null;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

function fillTimeZones(preferred) {
  const select = placeForm.elements.timeZone;
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = [...new Set(['UTC', preferred, browserZone, ...zones].filter(Boolean))];
  // The default leaves the zone to the server, which finds it from the place's position.
  select.replaceChildren(
    el('option', { text: 'From the place’s position', attrs: { value: '' } }),
    ...all.map((zone) => el('option', { text: zone.replaceAll('_', ' '), attrs: { value: zone } })),
  );
  select.dataset.default = '';
  select.value = select.dataset.default;
}

const MINE_PAGE_SIZE = 50;
let minePages = 1;

/** My places by name, a page of 50 at a time ("Show more" adds the next page). */
async function loadMine() {
  const places = await api(`/api/places?page=1&pageSize=${MINE_PAGE_SIZE * minePages}`);
  const more = places.length === MINE_PAGE_SIZE * minePages;
  mineList.replaceChildren(...places.map(mineItem));
  mineList.hidden = places.length === 0;
  document.getElementById('mine-empty').hidden = places.length !== 0;
  document.getElementById('mine-more').hidden = !more;
  document.getElementById('mine-count').textContent = places.length
    ? (more ? `${places.length} shown` : plural(places.length, 'place'))
    : '';
  for (const place of places) {
    categories.add(place.category);
  }
}

function mineItem(place) {
  const li = el('li', { className: 'mine-item', attrs: { 'data-place-id': place.id } });
  const info = el('div', { className: 'mine-main' }, [
    el('p', { className: 'mine-name', text: place.name }),
    el('p', { className: 'mine-meta', text: [place.category, place.address].filter(Boolean).join(' · ') }),
    el('p', { className: 'mine-meta' }, [
      badge(place.public ? 'Public' : 'Private', place.public ? 'public' : 'private'),
      el('span', { text: ` ${formatCoordinate(place.lat)}, ${formatCoordinate(place.lon)}` }),
      place.hours ? el('span', { text: ` · ${place.hours}` }) : null,
      place.country ? el('span', { text: ` · ${place.country}` }) : null,
    ]),
    statusLine(place, 'mine-status'),
  ]);
  const nearby = el('button', {
    className: 'button button-quiet button-small',
    text: 'Search here',
    attrs: { type: 'button', 'aria-label': `Search around ${place.name}` },
  });
  const remove = el('button', {
    className: 'button button-danger-outline button-small',
    text: 'Delete',
    attrs: { type: 'button', 'aria-label': `Delete ${place.name}` },
  });
  const actions = el('div', { className: 'mine-actions' }, [nearby, remove]);
  li.append(info, actions);

  nearby.addEventListener('click', () => {
    forgetPlace();
    searchForm.elements.lat.value = formatCoordinate(place.lat);
    searchForm.elements.lon.value = formatCoordinate(place.lon);
    runSearch(readSearch());
    document.getElementById('map').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  });
  remove.addEventListener('click', () => {
    const yes = el('button', { className: 'button button-danger button-small', text: 'Delete', attrs: { type: 'button' } });
    const no = el('button', { className: 'button button-small', text: 'Cancel', attrs: { type: 'button' } });
    const ask = el('div', { className: 'mine-confirm', attrs: { role: 'group', 'aria-label': `Delete ${place.name}?` } }, [
      el('span', { className: 'mine-confirm-text', text: `Delete ${place.name}?` }),
      yes,
      no,
    ]);
    actions.replaceWith(ask);
    no.focus();
    no.addEventListener('click', () => {
      ask.replaceWith(actions);
      remove.focus();
    });
    yes.addEventListener('click', async () => {
      setBusy(yes, true, 'Deleting…');
      try {
        await api(`/api/places/${place.id}`, { method: 'DELETE' });
        await loadMine();
        mineStatus.textContent = `Deleted ${place.name}.`;
        if (query) {
          await runSearch(query);
        }
      } catch (error) {
        setBusy(yes, false);
        showBanner(errorBanner, messageFor(error));
      }
    });
  });
  return li;
}

function initMine() {
  document.getElementById('my-places').hidden = false;
  const mineMore = document.getElementById('mine-more');
  mineMore.addEventListener('click', async () => {
    setBusy(mineMore, true, 'Loading…');
    minePages += 1;
    try {
      await loadMine();
    } catch (error) {
      minePages -= 1;
      showBanner(errorBanner, messageFor(error));
    } finally {
      setBusy(mineMore, false);
    }
  });
  fillTimeZones(me.timeZone);
  placeForm.addEventListener('focusin', () => setMapClickTarget('place'));
  searchForm.addEventListener('focusin', () => setMapClickTarget('search'));
  document.getElementById('place-pick-on-map').addEventListener('click', () => {
    setMapClickTarget('place');
    document.getElementById('map').scrollIntoView({ block: 'center' });
  });
  document.getElementById('place-use-search').addEventListener('click', () => {
    const { lat, lon } = readSearch();
    placeForm.elements.lat.value = lat;
    placeForm.elements.lon.value = lon;
    const latNumber = coordinate(lat);
    const lonNumber = coordinate(lon);
    if (latNumber !== null && lonNumber !== null) {
      showDraft(latNumber, lonNumber);
    }
  });
  placeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(placeForm);
    const f = placeForm.elements;
    const body = {
      name: f.name.value.trim(),
      category: f.category.value.trim(),
      address: f.address.value.trim() || null,
      lat: coordinate(f.lat.value),
      lon: coordinate(f.lon.value),
      phone: f.phone.value.trim() || null,
      url: f.url.value.trim() || null,
      public: f.public.checked,
      timeZone: f.timeZone.value || null,
      hours: f.hours.value.trim() || null,
      country: f.country.value.trim() || null,
    };
    setBusy(placeSubmit, true, 'Adding…');
    try {
      const created = await api('/api/places', { method: 'POST', body });
      placeForm.reset();
      f.timeZone.value = f.timeZone.dataset.default;
      clearDraft();
      setMapClickTarget('search');
      await loadMine();
      mineStatus.textContent = `Added ${created.name}.`;
      if (query) {
        await runSearch(query);
      }
    } catch (error) {
      showFormError(placeForm, error);
    } finally {
      setBusy(placeSubmit, false);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Start

initMap();
try {
  me = await getMe();
} catch (error) {
  showBanner(errorBanner, messageFor(error));
}
if (me) {
  renderHeader(me);
  document.getElementById('guest-note').hidden = true;
  initMine();
  try {
    await loadMine();
  } catch (error) {
    showBanner(errorBanner, messageFor(error));
  }
}

const start = new URLSearchParams(window.location.search);
if ((start.get('lat') && start.get('lon')) || start.get('q')) {
  fillSearch({
    q: start.get('q'),
    lat: start.get('lat'),
    lon: start.get('lon'),
    radius: start.get('radius'),
    unit: start.get('unit'),
    category: start.get('category'),
    openNow: start.get('openNow') === 'true',
    nearestIfNone: start.get('nearestIfNone') !== 'false',
  });
  runSearch(readSearch());
}
