import { authorizedFetch, failureMessage } from './session.js';

// The home page's address part: GET /user/email says the address and its state; a change is
// POST /user/email {email, currentPassword} (the new address stays pending until its link is
// opened); "resend" is POST /email/verify/resend {name}. Where mail is off (GET /pages/config) those
// two routes are not served: the page shows the address only.

const $ = (id) => document.getElementById(id);
const status = $('email-status');
const pending = $('email-pending');
const resend = $('email-resend');
const form = $('email-change');

let name = null;
// Whether the account has an address: the form then changes it, else adds one.
let hasAddress = true;
// The pending address as last shown (what sending the current address again cancels).
let shownPending = null;
// Whether the service sends mail (the change and resend routes exist).
let mailOn = true;

/** Whether mail is on (GET /pages/config: the change and resend routes are served). */
async function mailIsOn() {
  const response = await fetch('/pages/config');
  return response.ok ? (await response.json()).mail === true : true;
}

function showBox(id, text) {
  $(`${id}-text`).textContent = text ?? '';
  $(id).classList.toggle('d-none', text === undefined);
}

const showError = (text) => showBox('email-error', text);
const showNotice = (text) => showBox('email-notice', text);

async function refresh() {
  const response = await authorizedFetch('/user/email');
  if (!response.ok) {
    status.textContent = '';
    showError(`Cannot read your address: ${await failureMessage(response)}`);
    return;
  }
  const view = await response.json();
  // textContent only: an address is data.
  if (view.email === null) {
    status.textContent = 'No email address is set.';
  } else if (view.verified) {
    status.textContent = `${view.email} (verified)`;
  } else {
    status.textContent = mailOn
      ? `${view.email} (not verified: open the link we mailed to it)`
      : `${view.email} (not verified)`;
  }
  hasAddress = view.email !== null;
  shownPending = view.pending;
  const becomes = hasAddress ? 'It replaces the one above' : 'It becomes your address';
  pending.textContent =
    typeof view.pending === 'string'
      ? `New address waiting for confirmation: ${view.pending}. ${becomes} once you open the link mailed to it (to get a new link, send it again below).`
      : '';
  pending.classList.toggle('d-none', typeof view.pending !== 'string');
  resend.classList.toggle('d-none', !mailOn || view.email === null || view.verified);
  form.classList.toggle('d-none', !mailOn);
  $('email-no-mail').classList.toggle('d-none', mailOn);
  $('email-new-label').textContent = hasAddress ? 'New email address' : 'Email address';
  $('email-change-button').textContent = hasAddress ? 'Change the address' : 'Add the address';
}

resend.addEventListener('click', async () => {
  showError();
  showNotice();
  resend.disabled = true;
  try {
    const response = await fetch('/email/verify/resend', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (response.ok) {
      showNotice('A new confirmation link is on its way. Check your mail.');
    } else {
      showError(await failureMessage(response));
    }
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    resend.disabled = false;
  }
});

/**
 * What a 202 did (docs/email.md#email-change): the new address is pending with a link on its way,
 * or, asked for the address the account already has, the pending change is dropped (and an
 * unverified address gets a new link).
 */
function changedMessage(email, view) {
  if (view.pending !== null || view.email === null) {
    const becomes = hasAddress ? 'Your address changes' : 'It becomes your address';
    return `We sent a link to ${view.pending ?? email}. ${becomes} once you open it.`;
  }
  if (!view.verified) {
    return `We sent a new link to ${view.email}. Open it to confirm the address.`;
  }
  return shownPending === null
    ? 'That is already your address.'
    : `That is already your address: the change to ${shownPending} is cancelled.`;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError();
  showNotice();
  const email = $('email-new').value.trim();
  const currentPassword = $('email-password').value;
  if (email === '' || currentPassword === '') {
    showError(`Enter ${hasAddress ? 'the new' : 'an'} address and your current password.`);
    return;
  }
  $('email-change-button').disabled = true;
  try {
    const response = await authorizedFetch('/user/email', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, currentPassword }),
    });
    if (response.ok) {
      form.reset();
      showNotice(changedMessage(email, await response.json()));
      await refresh();
      return;
    }
    const message = await failureMessage(response);
    showError(
      response.status === 400 && /^currentPassword /.test(message) ? 'That password is wrong.' : message,
    );
  } catch {
    showError('The server cannot be reached. Try again.');
  } finally {
    $('email-change-button').disabled = false;
  }
});

document.addEventListener('home:logged-in', (event) => {
  name = event.detail.name;
  $('account-email').classList.remove('d-none');
  void mailIsOn()
    .then((on) => {
      mailOn = on;
      return refresh();
    })
    .catch(() => showError('The server cannot be reached. Reload the page.'));
});
