import { authorizedFetch, failureMessage } from './session.js';

// The passkeys part of the home page's security section: GET /user/passkeys lists them; adding
// is POST /user/passkeys/registration-options with the current password (docs/security.md#step-up),
// the browser's ceremony (the global
// SimpleWebAuthnBrowser of /vendor/simplewebauthn/), then POST /user/passkeys; removing is DELETE.

const $ = (id) => document.getElementById(id);
const status = $('passkeys-status');
const error = $('passkeys-error');
const list = $('passkeys-list');
const addForm = $('passkeys-add');
const supported = Boolean(window.PublicKeyCredential && window.SimpleWebAuthnBrowser);

function showError(text) {
  $('passkeys-error-text').textContent = text;
  error.classList.remove('d-none');
}

/** A date as the reader's locale writes it; "never" for a passkey not used yet. */
const when = (iso) => (iso === null ? 'never' : new Date(iso).toLocaleString());

/** One row: name, dates and a Remove button, every value written as text. */
function row(passkey) {
  const item = document.createElement('li');
  item.className = 'list-group-item d-flex justify-content-between align-items-start gap-2 passkey';
  const text = document.createElement('div');
  const name = document.createElement('div');
  name.className = 'fw-semibold passkey-name';
  name.textContent = passkey.name;
  const dates = document.createElement('div');
  dates.className = 'small text-secondary';
  dates.textContent = `Added ${when(passkey.createdAt)} · last used ${when(passkey.lastUsedAt)}`;
  text.append(name, dates);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'btn btn-sm btn-outline-danger';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `Remove the passkey ${passkey.name}`);
  remove.addEventListener(
    'click',
    guarded(() => removePasskey(passkey, remove)),
  );
  item.append(text, remove);
  return item;
}

async function refresh() {
  const response = await authorizedFetch('/user/passkeys');
  if (!response.ok) {
    status.textContent = '';
    showError(`Cannot read your passkeys: ${await failureMessage(response)}`);
    return;
  }
  const passkeys = await response.json();
  list.replaceChildren(...passkeys.map(row));
  list.classList.toggle('d-none', passkeys.length === 0);
  status.textContent =
    passkeys.length === 0
      ? 'You have no passkey. A passkey signs you in without your password.'
      : `You have ${passkeys.length === 1 ? 'one passkey' : `${passkeys.length} passkeys`}.`;
  if (!supported) {
    status.textContent += ' This browser cannot add one.';
  }
  addForm.classList.toggle('d-none', !supported);
}

async function addPasskey(event) {
  event.preventDefault();
  error.classList.add('d-none');
  const button = $('passkeys-add-button');
  const currentPassword = $('passkeys-password').value;
  if (!currentPassword) {
    showError('Enter your current password.');
    return;
  }
  button.disabled = true;
  try {
    const optionsResponse = await authorizedFetch('/user/passkeys/registration-options', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentPassword }),
    });
    $('passkeys-password').value = '';
    if (!optionsResponse.ok) {
      showError(
        optionsResponse.status === 400 ? 'That password is wrong.' : await failureMessage(optionsResponse),
      );
      return;
    }
    const { challengeId, options } = await optionsResponse.json();
    let answer;
    try {
      answer = await window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options });
    } catch (ceremony) {
      showError(
        ceremony?.name === 'NotAllowedError' || ceremony?.name === 'AbortError'
          ? 'Adding the passkey was cancelled or timed out.'
          : ceremony?.name === 'InvalidStateError'
            ? 'This authenticator already holds one of your passkeys.'
            : `Your browser could not make a passkey${ceremony?.message ? `: ${ceremony.message}` : '.'}`,
      );
      return;
    }
    const name = $('passkeys-name').value.trim();
    const response = await authorizedFetch('/user/passkeys', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // No name: the server's default ("Passkey").
      body: JSON.stringify({ challengeId, response: answer, ...(name === '' ? {} : { name }) }),
    });
    if (!response.ok) {
      showError(await failureMessage(response));
      return;
    }
    $('passkeys-name').value = '';
    await refresh();
  } finally {
    button.disabled = false;
  }
}

async function removePasskey(passkey, button) {
  error.classList.add('d-none');
  button.disabled = true;
  const response = await authorizedFetch(`/user/passkeys/${encodeURIComponent(passkey.id)}`, {
    method: 'DELETE',
  });
  // 404: already gone (another tab); the list is read again either way.
  if (!response.ok && response.status !== 404) {
    button.disabled = false;
    showError(await failureMessage(response));
    return;
  }
  await refresh();
}

/** Runs a handler, turning a network failure into a message rather than an uncaught rejection. */
const guarded = (handler) => (event) =>
  void handler(event).catch(() => showError('The server cannot be reached. Try again.'));

addForm.addEventListener('submit', guarded(addPasskey));
document.addEventListener('home:logged-in', guarded(refresh));
