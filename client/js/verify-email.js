import { postJson, showAlert, takeLinkToken } from './account-pages.js';
import { errorMessage, tooManyMessage } from './session.js';

// Read before anything else, and taken off the address bar (see takeLinkToken).
const token = takeLinkToken();

const status = document.getElementById('status');
const error = document.getElementById('error');

// `next`: what the reader can do now; `taken` (409) is not mended by a new link, so it offers
// the account page, where another address can be chosen, instead of the login's "new link".
function fail(text, next = 'failed') {
  status.textContent = 'Your address could not be confirmed.';
  showAlert(error, text);
  document.getElementById(next).classList.remove('d-none');
}

async function verify() {
  if (token === null) {
    fail('This page opens from the link in a confirmation mail, and this link is incomplete.');
    return;
  }
  let response;
  try {
    response = await postJson('/email/verify', { token });
  } catch {
    fail('The server cannot be reached. Open the link again.');
    return;
  }
  if (response.status === 204) {
    status.textContent = 'Your email address is confirmed.';
    document.getElementById('done').classList.remove('d-none');
  } else if (response.status === 400) {
    fail('This link is invalid, already used or expired.');
  } else if (response.status === 409) {
    fail('Another account has already confirmed this address.', 'taken');
  } else if (response.status === 429) {
    fail(tooManyMessage(response));
  } else {
    fail(`Error: ${await errorMessage(response)}`);
  }
}

void verify();
