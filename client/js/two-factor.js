import { authorizedFetch, failureMessage } from './session.js';

// The two-factor part of the home page's security section: GET /user/mfa says whether TOTP is
// on; set-up is POST /user/mfa/totp (with the current password: docs/security.md#step-up) then
// /confirm; turning it off is DELETE with the current password.

const SVG_NS = 'http://www.w3.org/2000/svg';
/** What the server's QR code (the qrcode package) is made of; anything else is dropped. */
const QR_ELEMENTS = { svg: ['viewBox', 'shape-rendering'], path: ['d', 'fill', 'stroke'] };
const COLOUR = /^#[0-9a-f]{3,8}$/i;

const $ = (id) => document.getElementById(id);
const status = $('two-factor-status');
const error = $('two-factor-error');
const panels = [
  'two-factor-off',
  'two-factor-enrol',
  'two-factor-codes',
  'two-factor-on',
  'two-factor-off-form',
];

let recoveryCodes = [];

function show(panel, text) {
  for (const id of panels) {
    $(id).classList.toggle('d-none', id !== panel);
  }
  error.classList.add('d-none');
  if (text !== undefined) {
    status.textContent = text;
  }
}

function showError(text) {
  $('two-factor-error-text').textContent = text;
  error.classList.remove('d-none');
}

/**
 * The server's SVG, rebuilt element by element from an allow-list: no script, event handler,
 * link or style can come through, and the page's CSP (img-src 'self', so no data: image) holds.
 */
function qrCode(svgText) {
  const source = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  if (source.namespaceURI !== SVG_NS || source.localName !== 'svg') {
    throw new Error('the QR code is not an SVG document');
  }
  const copy = (element) => {
    const clean = document.createElementNS(SVG_NS, element.localName);
    for (const name of QR_ELEMENTS[element.localName]) {
      const value = element.getAttribute(name);
      if (value !== null && ((name !== 'fill' && name !== 'stroke') || COLOUR.test(value))) {
        clean.setAttribute(name, value);
      }
    }
    for (const child of element.children) {
      if (child.namespaceURI === SVG_NS && child.localName === 'path') {
        clean.append(copy(child));
      }
    }
    return clean;
  };
  const svg = copy(source);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'QR code for your authenticator app');
  return svg;
}

async function refresh() {
  const response = await authorizedFetch('/user/mfa');
  if (!response.ok) {
    show(undefined, '');
    showError(`Cannot read the two-factor status: ${await failureMessage(response)}`);
    return;
  }
  const { totp, recoveryCodesLeft } = await response.json();
  if (totp) {
    show('two-factor-on', `Two-factor authentication is on. Recovery codes left: ${recoveryCodesLeft}.`);
  } else {
    show('two-factor-off', 'Two-factor authentication is off.');
  }
}

async function startSetup(event) {
  event.preventDefault();
  const currentPassword = $('two-factor-setup-password').value;
  if (!currentPassword) {
    showError('Enter your current password.');
    return;
  }
  $('two-factor-setup').disabled = true;
  let response;
  try {
    response = await authorizedFetch('/user/mfa/totp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentPassword }),
    });
  } finally {
    $('two-factor-setup').disabled = false;
  }
  $('two-factor-setup-password').value = '';
  if (!response.ok) {
    showError(response.status === 400 ? 'That password is wrong.' : await failureMessage(response));
    return;
  }
  const { secret, qrSvg } = await response.json();
  try {
    $('two-factor-qr').replaceChildren(qrCode(qrSvg));
  } catch {
    $('two-factor-qr').replaceChildren();
  }
  $('two-factor-secret').textContent = secret;
  $('two-factor-code').value = '';
  show('two-factor-enrol', 'Setting up two-factor authentication.');
  $('two-factor-code').focus();
}

async function confirm(event) {
  event.preventDefault();
  const code = $('two-factor-code').value.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) {
    showError('Enter the 6 digits your app shows.');
    return;
  }
  $('two-factor-confirm').disabled = true;
  try {
    const response = await authorizedFetch('/user/mfa/totp/confirm', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (!response.ok) {
      showError(
        response.status === 400
          ? 'That code is wrong. Check your app and try again.'
          : await failureMessage(response),
      );
      return;
    }
    recoveryCodes = (await response.json()).recoveryCodes;
    $('two-factor-code-list').replaceChildren(
      ...recoveryCodes.map((recovery) => {
        const item = document.createElement('li');
        item.textContent = recovery;
        return item;
      }),
    );
    $('two-factor-copied').classList.add('d-none');
    $('two-factor-secret').textContent = '';
    $('two-factor-qr').replaceChildren();
    show('two-factor-codes', 'Two-factor authentication is on.');
  } finally {
    $('two-factor-confirm').disabled = false;
  }
}

async function copyCodes() {
  const copied = $('two-factor-copied');
  try {
    await navigator.clipboard.writeText(recoveryCodes.join('\n'));
    copied.textContent = 'Copied.';
  } catch {
    copied.textContent = 'Copying is not allowed here: select the codes and copy them by hand.';
  }
  copied.classList.remove('d-none');
}

async function turnOff(event) {
  event.preventDefault();
  const currentPassword = $('two-factor-password').value;
  if (!currentPassword) {
    showError('Enter your current password.');
    return;
  }
  $('two-factor-off-confirm').disabled = true;
  try {
    const response = await authorizedFetch('/user/mfa/totp', {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentPassword }),
    });
    $('two-factor-password').value = '';
    if (!response.ok && response.status !== 404) {
      showError(response.status === 400 ? 'That password is wrong.' : await failureMessage(response));
      return;
    }
    await refresh();
  } finally {
    $('two-factor-off-confirm').disabled = false;
  }
}

/** Runs a handler, turning a network failure into a message rather than an uncaught rejection. */
const guarded = (handler) => (event) =>
  void handler(event).catch(() => showError('The server cannot be reached. Try again.'));

$('two-factor-off').addEventListener('submit', guarded(startSetup));
$('two-factor-enrol').addEventListener('submit', guarded(confirm));
$('two-factor-cancel').addEventListener('click', guarded(refresh));
$('two-factor-copy').addEventListener('click', guarded(copyCodes));
$('two-factor-done').addEventListener('click', () => {
  recoveryCodes = [];
  $('two-factor-code-list').replaceChildren();
  void guarded(refresh)();
});
$('two-factor-disable').addEventListener('click', () => {
  show('two-factor-off-form');
  $('two-factor-password').focus();
});
$('two-factor-off-form').addEventListener('submit', guarded(turnOff));
$('two-factor-off-cancel').addEventListener('click', guarded(refresh));

document.addEventListener('home:logged-in', guarded(refresh));
