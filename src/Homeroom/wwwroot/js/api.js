// Homeroom web shell: the one module every page uses to talk to the JSON API and to show the results.
// No framework. Text that comes from the API is only ever inserted with textContent.

import { features } from '/js/features.js';

const DEFAULT_CSRF_HEADER = 'X-CSRF-TOKEN';
const MISSING_ANTIFORGERY = 'Missing antiforgery token';

// The token is kept for the tab's session (sessionStorage) as well as in memory, so that every page
// load does not cost a request to /api/auth/antiforgery (which shares the sign-in rate limit).
const CSRF_STORAGE_KEY = 'homeroom.antiforgery';

let csrfHeader = DEFAULT_CSRF_HEADER;
let csrfToken = readStoredToken();
let csrfPending = null;

function readStoredToken() {
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(CSRF_STORAGE_KEY) || 'null');
    if (stored && typeof stored.token === 'string') {
      csrfHeader = stored.headerName || DEFAULT_CSRF_HEADER;
      return stored.token;
    }
  } catch {
    // Storage can be unavailable (privacy settings); memory alone is fine.
  }
  return null;
}

function storeToken(token, headerName) {
  try {
    if (token) {
      window.sessionStorage.setItem(CSRF_STORAGE_KEY, JSON.stringify({ token, headerName }));
    } else {
      window.sessionStorage.removeItem(CSRF_STORAGE_KEY);
    }
  } catch {
    // See readStoredToken.
  }
}

/** An API call that did not succeed. `problem` is the RFC 9457 body: {title, status, detail, errors?}. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    const body = problem && typeof problem === 'object' ? problem : {};
    super(body.detail || body.title || `Request failed with status ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = body;
    this.retryAfter = retryAfter;
  }

  /** Field name → messages, or {} when the problem has none. */
  get errors() {
    const errors = this.problem.errors;
    return errors && typeof errors === 'object' ? errors : {};
  }
}

async function readProblem(response) {
  const type = response.headers.get('Content-Type') || '';
  let problem = null;
  if (type.includes('json')) {
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
  }
  if (!problem || typeof problem !== 'object') {
    problem = { title: response.statusText || 'Request failed', status: response.status };
  }
  const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null);
}

function networkError() {
  return new ApiError(0, {
    title: 'Network error',
    detail: 'Could not reach Homeroom. Check your connection and try again.',
  });
}

/** Forget the cached antiforgery token. It is tied to the signed-in user, so call this after login or logout. */
export function forgetAntiforgeryToken() {
  csrfToken = null;
  storeToken(null);
}

async function antiforgeryToken() {
  if (csrfToken) {
    return csrfToken;
  }
  if (!csrfPending) {
    csrfPending = (async () => {
      let response;
      try {
        response = await fetch('/api/auth/antiforgery', {
          credentials: 'same-origin',
          cache: 'no-store',
          headers: { Accept: 'application/json' },
        });
      } catch {
        throw networkError();
      }
      if (!response.ok) {
        throw await readProblem(response);
      }
      const body = await response.json();
      csrfHeader = body.headerName || DEFAULT_CSRF_HEADER;
      csrfToken = body.token;
      storeToken(csrfToken, csrfHeader);
      return csrfToken;
    })().finally(() => {
      csrfPending = null;
    });
  }
  return csrfPending;
}

/**
 * Calls the API on this origin with JSON in and out. Resolves to the parsed body (null for 204);
 * rejects with an ApiError. Writes carry the antiforgery header, retried once with a fresh token.
 * The body goes as JSON, except FormData (sent as a multipart form) and a body given with its own
 * `contentType` (sent as it is, e.g. a text/plain string). `headers` adds request headers (If-Match).
 */
export async function api(path, options = {}) {
  return (await apiResponse(path, options)).body;
}

/** Like api(), but resolves to {body, headers, status}, for a page that reads a header such as ETag. */
export async function apiResponse(path, { method = 'GET', body, contentType, headers: extra } = {}, retried = false) {
  const verb = method.toUpperCase();
  const headers = { Accept: 'application/json, application/problem+json', ...(extra || {}) };
  const init = { method: verb, credentials: 'same-origin', cache: 'no-store', headers };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined && contentType) {
    headers['Content-Type'] = contentType;
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const isWrite = verb !== 'GET' && verb !== 'HEAD';
  if (isWrite) {
    headers[csrfHeader] = await antiforgeryToken();
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw networkError();
  }

  if (response.ok) {
    let parsed = null;
    if (response.status !== 204) {
      const text = await response.text();
      parsed = text ? JSON.parse(text) : null;
    }
    return { body: parsed, headers: response.headers, status: response.status };
  }

  const error = await readProblem(response);
  if (isWrite && !retried && error.status === 400 && error.problem.title === MISSING_ANTIFORGERY) {
    forgetAntiforgeryToken();
    return apiResponse(path, { method: verb, body, contentType, headers: extra }, true);
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------
// Session

/** The signed-in teacher, or null when nobody is signed in (asked without provoking a 401). */
export async function getMe() {
  const session = await api('/api/auth/session');
  return session.signedIn ? session.profile : null;
}

/** Sends the browser to the sign-in page, asking it to come back here afterwards. Never resolves. */
export function redirectToLogin() {
  const here = window.location.pathname + window.location.search;
  window.location.replace('/login?next=' + encodeURIComponent(here));
  return new Promise(() => {});
}

/** The signed-in teacher; when nobody is signed in, goes to /login?next=<this page> instead. */
export async function requireSignIn() {
  const me = await getMe();
  return me ?? redirectToLogin();
}

/** Signs in with the session cookie; resolves to the teacher's profile. */
export async function logIn(username, password) {
  const me = await api('/api/auth/login?useCookies=true', { method: 'POST', body: { username, password } });
  forgetAntiforgeryToken();
  return me;
}

/** Ends the cookie session and goes to the sign-in page. */
export async function signOut() {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } finally {
    forgetAntiforgeryToken();
  }
  window.location.assign('/login?signedOut=1');
}

/**
 * The path to go to after signing in: `value` when it is a path on this site ("/x", not "//x" or
 * "/\x" or anything that resolves to another origin), otherwise `fallback`.
 */
export function safeNextPath(value, fallback = '/dashboard') {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) {
    return fallback;
  }
  // Browsers treat "\" like "/" and drop tabs and newlines, so "/\evil" and "/\t/evil" lead off-site.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) {
    return fallback;
  }
  try {
    const url = new URL(value, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname === '/login' || url.pathname === '/signup') {
      return fallback;
    }
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

/** Creates an element with optional class and text (text goes in with textContent, never as HTML). */
export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value !== undefined && value !== null && value !== false) {
        node.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }
  for (const child of children) {
    if (child) {
      node.append(child);
    }
  }
  return node;
}

/**
 * Fills the site header for a signed-in teacher: product name, the main navigation (dashboard, the
 * features from js/features.js, account), the username and the Sign out button (#sign-out).
 */
export function renderHeader(me) {
  const inner = document.querySelector('.site-header .header-inner');
  if (!inner) {
    return;
  }
  const brand = inner.querySelector('.brand');
  if (brand) {
    brand.setAttribute('href', '/dashboard');
  }
  for (const child of [...inner.children]) {
    if (child !== brand) {
      child.remove();
    }
  }

  const links = [
    { name: 'Dashboard', href: '/dashboard' },
    ...features.map((feature) => ({ name: feature.name, href: feature.href })),
    { name: 'Account', href: '/account' },
  ];
  const here = window.location.pathname;
  const list = el('ul', { className: 'nav-links' });
  for (const link of links) {
    const current = here === link.href || here.startsWith(link.href + '/');
    list.append(el('li', {}, [
      el('a', { text: link.name, attrs: { href: link.href, 'aria-current': current ? 'page' : null } }),
    ]));
  }
  const nav = el('nav', { className: 'site-nav', attrs: { 'aria-label': 'Main', id: 'site-nav' } }, [list]);
  // On a phone the links, the username and Sign out fold under a Menu button (CSS hides the button on wider
  // screens, where all of them show in the header); it opens them as a two-column grid.
  const toggle = el('button', {
    className: 'button button-quiet button-small nav-toggle',
    attrs: { type: 'button', id: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'site-nav' },
  }, [
    el('span', { className: 'nav-toggle-icon', attrs: { 'aria-hidden': 'true' } }),
    el('span', { text: 'Menu' }),
  ]);
  const setOpen = (open) => {
    inner.classList.toggle('nav-open', open);
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  inner.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && toggle.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      toggle.focus();
    }
  });

  const who = el('span', {
    className: 'user-handle',
    text: '@' + me.username,
    attrs: { id: 'header-username', title: 'Signed in as @' + me.username },
  });
  const button = el('button', {
    className: 'button button-quiet button-small',
    text: 'Sign out',
    attrs: { type: 'button', id: 'sign-out' },
  });
  button.addEventListener('click', async () => {
    setBusy(button, true, 'Signing out…');
    try {
      await signOut();
    } catch (error) {
      setBusy(button, false);
      showBanner(document.getElementById('error-banner'), messageFor(error));
    }
  });
  const menu = el('div', { className: 'user-menu' }, [who, button]);

  inner.append(toggle, nav, menu);

  // When the links overflow (a phone, many features), bring the current page's link into view.
  const current = list.querySelector('[aria-current="page"]');
  if (current && nav.scrollWidth > nav.clientWidth) {
    const navBox = nav.getBoundingClientRect();
    const linkBox = current.getBoundingClientRect();
    nav.scrollLeft += linkBox.left - navBox.left - (navBox.width - linkBox.width) / 2;
  }
}

/** Shows the page once its data is ready: hides #page-loading and reveals #page-content. */
export function revealPage() {
  document.getElementById('page-loading')?.setAttribute('hidden', '');
  document.getElementById('page-content')?.removeAttribute('hidden');
}

/** Puts a message in a banner (an element with role="alert" or role="status"); empty text hides it. */
export function showBanner(banner, message) {
  if (!banner) {
    return;
  }
  banner.textContent = message || '';
  banner.hidden = !message;
  if (message && banner.getAttribute('role') === 'alert') {
    banner.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

/** A sentence for people, from any error. */
export function messageFor(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) {
      return error.problem.detail;
    }
    if (error.status >= 500) {
      return 'Something went wrong on our side. Please try again in a moment.';
    }
    if (error.status === 429) {
      const seconds = error.retryAfter;
      if (seconds && seconds >= 90) {
        return `Too many attempts. Please try again in about ${Math.ceil(seconds / 60)} minutes.`;
      }
      if (seconds) {
        return `Too many attempts. Please try again in ${seconds} seconds.`;
      }
      return error.problem.detail || 'Too many attempts. Please wait a little and try again.';
    }
    const title = error.problem.title;
    const generic = !title || title === 'One or more validation errors occurred.' || title === 'Bad Request';
    return error.problem.detail || (generic ? 'Please check the form and try again.' : title);
  }
  return 'Something went wrong. Please reload the page and try again.';
}

function labelFor(form, input) {
  const label = input.id ? form.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
  const text = input.dataset.label || label?.textContent || '';
  return text.trim();
}

/** Turns "password must be at least…" into "Password must be at least…", using the field's label. */
function friendly(form, input, key, message) {
  const text = String(message);
  const label = input ? labelFor(form, input) : '';
  if (label && text.startsWith(key + ' ')) {
    return label + text.slice(key.length);
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Removes every field error and the banner from a form. */
export function clearErrors(form) {
  for (const message of form.querySelectorAll('.field-error')) {
    const input = form.querySelector(`[aria-describedby~="${CSS.escape(message.id)}"]`);
    if (input) {
      const rest = input.getAttribute('aria-describedby').split(/\s+/).filter((id) => id && id !== message.id);
      if (rest.length) {
        input.setAttribute('aria-describedby', rest.join(' '));
      } else {
        input.removeAttribute('aria-describedby');
      }
    }
    message.remove();
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
  }
  showBanner(form.querySelector('[role="alert"]'), '');
}

/**
 * Shows each error under the input whose name matches its key (errors: {field: [messages]}).
 * Returns the messages that matched no input, so the caller can put them in the banner.
 */
export function showFieldErrors(form, errors) {
  const unmatched = [];
  let first = null;
  for (const [key, value] of Object.entries(errors || {})) {
    const messages = Array.isArray(value) ? value : [value];
    const input = form.elements.namedItem(key);
    if (!(input instanceof HTMLElement) || input.type === 'hidden') {
      unmatched.push(...messages.map((m) => friendly(form, null, key, m)));
      continue;
    }
    if (!input.id) {
      input.id = `${form.id || 'form'}-${key}`;
    }
    const id = `${input.id}-error`;
    let message = document.getElementById(id);
    if (!message) {
      message = el('p', { className: 'field-error', attrs: { id } });
      const field = input.closest('.field') || input.parentElement;
      field.append(message);
    }
    message.textContent = messages.map((m) => friendly(form, input, key, m)).join(' ');
    input.setAttribute('aria-invalid', 'true');
    const described = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    if (!described.includes(id)) {
      input.setAttribute('aria-describedby', [id, ...described].join(' '));
    }
    first ??= input;
  }
  first?.focus();
  return unmatched;
}

/** Shows an API error on a form: field errors beside their inputs, anything else in its banner. */
export function showFormError(form, error) {
  clearErrors(form);
  const banner = form.querySelector('[role="alert"]');
  if (!(error instanceof ApiError)) {
    console.error(error);
    showBanner(banner, messageFor(error));
    return;
  }
  const unmatched = showFieldErrors(form, error.errors);
  const matchedAny = Object.keys(error.errors).length > unmatched.length;
  if (unmatched.length) {
    showBanner(banner, unmatched.join(' '));
  } else if (!matchedAny) {
    showBanner(banner, messageFor(error));
  }
}

/** Disables a button while its request is in flight, optionally changing its label. */
export function setBusy(button, busy, busyText) {
  if (!button) {
    return;
  }
  if (busy) {
    button.dataset.idleText ??= button.textContent;
    if (busyText) {
      button.textContent = busyText;
    }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  } else {
    if (button.dataset.idleText !== undefined) {
      button.textContent = button.dataset.idleText;
      delete button.dataset.idleText;
    }
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Wires every "Show" button (data-toggles-password="<input id>") to reveal or hide its password. */
export function wirePasswordToggles(root = document) {
  for (const button of root.querySelectorAll('[data-toggles-password]')) {
    const input = document.getElementById(button.dataset.togglesPassword);
    if (!input) {
      continue;
    }
    button.setAttribute('aria-controls', input.id);
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = show ? 'Hide' : 'Show';
      button.setAttribute('aria-pressed', String(show));
      button.setAttribute('aria-label', show ? 'Hide password' : 'Show password');
    });
  }
}

/** Reports an error that stopped a whole page from loading, in #error-banner. */
export function showPageError(error) {
  console.error(error);
  document.getElementById('page-loading')?.setAttribute('hidden', '');
  showBanner(document.getElementById('error-banner'), messageFor(error));
}
