// Single sign-on with the organisation's OpenID Connect provider: the
// authorization code flow with PKCE, done in the browser by oauth4webapi.
//
// The access token lives only in memory (never in storage a script could read
// later); the PKCE verifier, state and nonce wait in sessionStorage for the one
// redirect back. A refresh token, when the provider gives one (scope
// `offline_access`), renews the access token before it expires without leaving
// the page, so nothing in progress is lost. Without one, or when renewal fails,
// the session ends and the page says so, keeping what is on screen.
import * as oauth from 'oauth4webapi';

const PENDING = 'signpost.admin.signin';
export const CALLBACK_PATH = '/admin/callback';

let settings = null;
let server = null; // the provider's discovery document
let session = null; // { accessToken, expiresAt, refreshToken, idToken, user }
let renewTimer = null;
const listeners = new Set();

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function changed() {
  for (const listener of listeners) listener(session);
}

export function currentSession() {
  return session;
}

/** `/admin/config.json`: the issuer, client id, scopes and upload limit. */
export async function loadSettings() {
  const response = await fetch('/admin/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`the console's settings could not be read (HTTP ${response.status})`);
  settings = await response.json();
  return settings;
}

function client() {
  return { client_id: settings.clientId };
}

function redirectUri() {
  return `${location.origin}${CALLBACK_PATH}`;
}

// oauth4webapi refuses plain HTTP; the server allows it only for a provider on
// this machine (a developer's or a test's), and so do we.
function requestOptions() {
  const issuer = new URL(settings.issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover() {
  if (server) return server;
  const issuer = new URL(settings.issuer);
  let response;
  try {
    response = await oauth.discoveryRequest(issuer, { ...requestOptions(), algorithm: 'oidc' });
  } catch (error) {
    throw new Error(`the sign-in provider ${settings.issuer} cannot be reached (${error.message})`);
  }
  server = await oauth.processDiscoveryResponse(issuer, response);
  return server;
}

/** Leaves for the provider's sign-in page; back at `/admin/callback`. */
export async function signIn(returnTo = location.pathname + location.search) {
  if (!settings?.issuer) throw new Error('single sign-on is not configured on this server');
  const as = await discover();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scopes,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** At `/admin/callback`: trades the code for tokens; answers where to go next. */
export async function completeSignIn() {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  if (!pending) throw new Error('this sign-in was not started here (or was already used): sign in again');
  const as = await discover();
  const params = oauth.validateAuthResponse(as, client(), new URL(location.href), pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as, client(), oauth.None(), params, redirectUri(), pending.verifier, requestOptions(),
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client(), response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  start(result, oauth.getValidatedIdTokenClaims(result));
  return pending.returnTo && pending.returnTo !== CALLBACK_PATH ? pending.returnTo : '/admin';
}

function start(result, claims) {
  const lifetime = Number(result.expires_in) || 300;
  session = {
    accessToken: result.access_token,
    expiresAt: Date.now() + lifetime * 1000,
    refreshToken: result.refresh_token || session?.refreshToken || null,
    idToken: result.id_token || session?.idToken || null,
    user: claims?.preferred_username || claims?.name || claims?.sub || session?.user || 'signed in',
    expired: false,
  };
  clearTimeout(renewTimer);
  // Renew a minute early, or at four fifths of a short lifetime.
  const early = Math.min(60_000, lifetime * 200);
  renewTimer = setTimeout(() => renew().catch(() => {}), Math.max(1_000, lifetime * 1000 - early));
  changed();
}

let renewing = null;
/**
 * A new access token from the refresh token. The session ends only when the
 * provider refuses the refresh token; a lost connection or a provider that is
 * briefly down leaves it as it is and tries again shortly (the token in hand may
 * still be good), so a blip never costs a sign-in.
 */
export function renew() {
  if (renewing) return renewing;
  renewing = (async () => {
    if (!session?.refreshToken) throw expire();
    let result;
    try {
      const as = await discover();
      const response = await oauth.refreshTokenGrantRequest(
        as, client(), oauth.None(), session.refreshToken, requestOptions(),
      );
      result = await oauth.processRefreshTokenResponse(as, client(), response);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && error.status >= 400 && error.status < 500) {
        throw expire(error);
      }
      clearTimeout(renewTimer);
      renewTimer = setTimeout(() => renew().catch(() => {}), 5_000);
      const unreachable = new Error('the sign-in provider cannot be reached to renew your sign-in');
      unreachable.kind = 'network';
      throw unreachable;
    }
    start(result, null);
  })().finally(() => { renewing = null; });
  return renewing;
}

function expire(cause) {
  if (session && !session.expired) {
    session = { ...session, accessToken: null, refreshToken: null, expired: true };
    clearTimeout(renewTimer);
    changed();
  }
  const error = new Error('your sign-in has expired: sign in again');
  error.kind = 'auth';
  error.cause = cause;
  return error;
}

/** The bearer token to send now (renewed first when it is about to expire). */
export async function accessToken() {
  if (!session) return null;
  // Never send a request anonymously in place of an expired sign-in: it would
  // come back refused for the wrong reason.
  if (session.expired) throw expire();
  if (Date.now() > session.expiresAt - 5_000) {
    try {
      await renew();
    } catch (error) {
      // Unreachable provider, token not yet expired: use it while it lasts.
      if (error.kind !== 'network' || Date.now() >= session.expiresAt) throw error;
    }
  }
  return session.accessToken;
}

/** Forgets the tokens and, when the provider offers it, ends its session too. */
export async function signOut() {
  const idToken = session?.idToken;
  session = null;
  clearTimeout(renewTimer);
  changed();
  let as = null;
  try { as = await discover(); } catch { /* signed out here anyway */ }
  if (as?.end_session_endpoint) {
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', settings.clientId);
    url.searchParams.set('post_logout_redirect_uri', `${location.origin}/admin`);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    location.assign(url.href);
  } else {
    location.assign('/admin');
  }
}
