// What the bench asks of a running service before it loads it: a token, or many.

/** Refresh chains minting tokens at once: one login each, then refresh after refresh. */
const MINT_CHAINS = 8;

export async function postJson(url, path, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`POST ${url}${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text);
}

export async function login(url, name, password) {
  return (await postJson(url, '/login', { name, password })).token;
}

/**
 * `count` distinct, valid access tokens of the bench user: MINT_CHAINS logins, then refreshes
 * on each chain (a spent refresh token ends nothing here: each refresh spends the last one).
 */
export async function mintTokens(url, password, count) {
  const tokens = [];
  const chain = async () => {
    let pair = await postJson(url, '/login', { name: 'bench', password });
    tokens.push(pair.token);
    while (tokens.length < count) {
      pair = await postJson(url, '/refresh', { refreshToken: pair.refreshToken });
      tokens.push(pair.token);
    }
  };
  await Promise.all(Array.from({ length: MINT_CHAINS }, chain));
  return tokens.slice(0, count);
}
