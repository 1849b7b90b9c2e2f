// Talking to `/graphql` with the signed-in user's bearer token.
//
// Every failure becomes an `ApiError` whose `kind` the pages act on:
// `network` (the connection was lost: offer to retry), `auth` (the sign-in
// expired: ask to sign in again, keeping the page), `forbidden` (the role
// lacks it), `input` (the server named what is wrong) or `server`.
import { accessToken, renew } from './auth.js';

export class ApiError extends Error {
  constructor(kind, message, details = {}) {
    super(message);
    this.kind = kind;
    Object.assign(this, details);
  }
}

const KINDS = {
  UNAUTHENTICATED: 'auth',
  FORBIDDEN: 'forbidden',
  BAD_USER_INPUT: 'input',
  VALIDATION_FAILED: 'input',
  NOT_FOUND: 'input',
  CONFLICT: 'input',
  LIMIT_EXCEEDED: 'input',
  DATABASE_UNAVAILABLE: 'network',
};

function failure(status, body) {
  const errors = body?.errors || [];
  if (status === 401) return new ApiError('auth', 'your sign-in has expired: sign in again');
  // A proxy's answer while the server restarts, or no answer at all.
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return new ApiError('network', 'the server cannot be reached just now');
  }
  if (errors.length) {
    const code = errors[0].extensions?.code;
    return new ApiError(KINDS[code] || 'server', errors.map((e) => e.message).join('; '), { code, errors });
  }
  if (status === 413) return new ApiError('input', 'the file is larger than this server accepts');
  return new ApiError('server', `the server answered HTTP ${status}`);
}

async function headers() {
  let token;
  try {
    token = await accessToken();
  } catch (error) {
    if (error.kind === 'network') throw new ApiError('network', error.message);
    throw new ApiError('auth', 'your sign-in has expired: sign in again');
  }
  const result = { Accept: 'application/json' };
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/** Runs a query or mutation; its `data`, or throws an `ApiError`. */
export async function gql(query, variables = {}, { retried = false } = {}) {
  const sent = await headers();
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { ...sent, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('network', 'the connection to the server was lost');
  }
  const body = await response.json().catch(() => null);
  if (response.status === 401 && !retried) {
    // A token that expired in flight: renew once and ask again.
    await renew();
    return gql(query, variables, { retried: true });
  }
  if (response.status === 401) {
    // A token just renewed and still refused: the server does not trust this
    // provider's tokens, and signing in again would only loop.
    throw new ApiError('config', 'the server refused your sign-in although it is new: its JWT settings (issuer, audience, keys) may not match the sign-in provider; ask an administrator');
  }
  if (!response.ok || body?.errors?.length) throw failure(response.status, body);
  if (!body || !('data' in body)) throw new ApiError('network', 'the answer from the server was cut short');
  return body.data;
}

/**
 * A GraphQL multipart request carrying `file` as the variable `file`, with upload
 * progress (`onProgress(sent, total)`). XMLHttpRequest, because fetch cannot yet
 * report how much of a request body has been sent.
 */
export async function upload(query, variables, file, onProgress = () => {}) {
  try {
    return await send(query, variables, file, onProgress);
  } catch (error) {
    if (error.kind !== 'auth') throw error;
    // The file is still in memory: renew the sign-in and send it once more.
    try {
      await renew();
    } catch {
      throw new ApiError('auth', `your sign-in expired before ${file.name} was sent, so nothing was imported: sign in again and choose the file again`);
    }
    return send(query, variables, file, onProgress);
  }
}

async function send(query, variables, file, onProgress) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  const sentHeaders = await headers();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/graphql');
    for (const [name, value] of Object.entries(sentHeaders)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
    request.onerror = () => reject(new ApiError('network', 'the connection was lost while uploading'));
    request.ontimeout = () => reject(new ApiError('network', 'the upload timed out'));
    request.onload = () => {
      let body = null;
      try { body = JSON.parse(request.responseText); } catch { /* not JSON */ }
      if (request.status >= 200 && request.status < 300 && !body) {
        reject(new ApiError('network', 'the answer from the server was cut short'));
      } else if (request.status >= 200 && request.status < 300 && !body?.errors?.length && body?.data) {
        resolve(body.data);
      } else {
        reject(failure(request.status, body));
      }
    };
    request.send(form);
  });
}
