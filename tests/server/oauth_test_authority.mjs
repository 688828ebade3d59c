// The OAuth 2.0 side shared by the Google and Microsoft test servers
// (google_calendar_test_server.mjs, ms_graph_test_server.mjs): the
// authorization code grant of RFC 6749 with PKCE (RFC 7636, S256 only, as
// both services recommend), the refresh_token grant and token revocation
// (RFC 7009). The consent screen is skipped: the authorization endpoint
// grants at once for the one test user, which is what a person clicking
// "Allow" would produce. Each service's own words for errors come from the
// `dialect` the caller passes.
import crypto from 'node:crypto';

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
export const s256 = (verifier) => b64url(crypto.createHash('sha256').update(verifier, 'ascii').digest());
// RFC 7636 section 4.1: 43-128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function createAuthority({ clientId, clientSecret, redirectUris = null, accessTtlSeconds = 3600, rotateRefresh = false, dialect }) {
  const codes = new Map();     // code -> {clientId, redirectUri, challenge, scope, used}
  const access = new Map();    // access token -> {expiresAt, scope, refresh}
  const refresh = new Map();   // refresh token -> {scope, revoked}
  const events = [];           // what happened, for tests: {kind, ...}

  const token = (prefix) => prefix + b64url(crypto.randomBytes(24));

  function issueAccess(scope, refreshToken) {
    const t = token(dialect.accessPrefix);
    access.set(t, { expiresAt: Date.now() + accessTtlSeconds * 1000, scope, refresh: refreshToken });
    return t;
  }

  // GET authorize: the redirect a browser would follow after consent.
  function authorize(query) {
    const get = (k) => query.get(k);
    if (get('client_id') !== clientId) return { status: 400, text: 'invalid_client: unknown client_id' };
    const redirectUri = get('redirect_uri');
    if (!redirectUri || (redirectUris && !redirectUris.includes(redirectUri))) return { status: 400, text: 'redirect_uri_mismatch' };
    const back = new URL(redirectUri);
    const fail = (error, description) => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (get('state') !== null) back.searchParams.set('state', get('state'));
      events.push({ kind: 'authorize_refused', error, description });
      return { status: 302, location: back.toString() };
    };
    if (get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    if (!get('scope')) return fail('invalid_scope', 'scope is required');
    const challenge = get('code_challenge');
    if (!challenge) return fail('invalid_request', 'code_challenge is required');
    if (get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    if (!/^[A-Za-z0-9\-_]{43}$/.test(challenge)) return fail('invalid_request', 'code_challenge is not a base64url SHA-256');
    for (const required of dialect.requiredAuthorizeParams || []) if (!get(required)) return fail('invalid_request', `${required} is required`);
    const code = token(dialect.codePrefix);
    codes.set(code, { clientId, redirectUri, challenge, scope: get('scope'), used: false, at: Date.now() });
    back.searchParams.set('code', code);
    if (get('state') !== null) back.searchParams.set('state', get('state'));
    events.push({ kind: 'authorized', scope: get('scope'), state: get('state') });
    return { status: 302, location: back.toString() };
  }

  // POST token: form fields, client authentication in the body or by Basic.
  function tokenEndpoint(fields, authorization) {
    let id = fields.get('client_id'), secret = fields.get('client_secret');
    const basic = /^Basic (.+)$/.exec(authorization || '');
    if (basic) {
      const [u, p] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u); secret = decodeURIComponent(p ?? '');
    }
    if (id !== clientId || secret !== clientSecret) return dialect.error(401, 'invalid_client', 'The OAuth client was not found or its secret is wrong.');
    const grant = fields.get('grant_type');
    if (grant === 'authorization_code') {
      const entry = codes.get(fields.get('code') || '');
      if (!entry || entry.used || Date.now() - entry.at > 600_000) return dialect.error(400, 'invalid_grant', 'The authorization code is invalid, expired or already used.');
      entry.used = true;  // RFC 6749 10.5: a code is good once
      if (fields.get('redirect_uri') !== entry.redirectUri) return dialect.error(400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
      const verifier = fields.get('code_verifier');
      if (!verifier || !VERIFIER.test(verifier)) return dialect.error(400, 'invalid_request', 'code_verifier is missing or malformed.');
      if (s256(verifier) !== entry.challenge) {
        events.push({ kind: 'pkce_mismatch' });
        return dialect.error(400, 'invalid_grant', dialect.pkceMismatch);
      }
      const r = token(dialect.refreshPrefix);
      refresh.set(r, { scope: entry.scope, revoked: false });
      const a = issueAccess(entry.scope, r);
      events.push({ kind: 'code_exchanged' });
      return { status: 200, body: { access_token: a, expires_in: accessTtlSeconds, refresh_token: r, scope: entry.scope, token_type: 'Bearer', ...dialect.extraTokenFields } };
    }
    if (grant === 'refresh_token') {
      const r = fields.get('refresh_token') || '';
      const entry = refresh.get(r);
      if (!entry || entry.revoked) return dialect.error(400, 'invalid_grant', 'Token has been expired or revoked.');
      let next = r;
      if (rotateRefresh) {
        entry.revoked = true;
        next = token(dialect.refreshPrefix);
        refresh.set(next, { scope: entry.scope, revoked: false });
      }
      const a = issueAccess(entry.scope, next);
      events.push({ kind: 'refreshed' });
      const body = { access_token: a, expires_in: accessTtlSeconds, scope: entry.scope, token_type: 'Bearer', ...dialect.extraTokenFields };
      if (rotateRefresh) body.refresh_token = next;
      return { status: 200, body };
    }
    return dialect.error(400, 'unsupported_grant_type', `grant_type ${grant} is not supported.`);
  }

  // RFC 7009: revoking a refresh token ends its access tokens too.
  function revoke(tokenValue) {
    if (refresh.has(tokenValue)) {
      refresh.get(tokenValue).revoked = true;
      for (const [a, e] of access) if (e.refresh === tokenValue) access.delete(a);
      events.push({ kind: 'revoked', which: 'refresh' });
      return true;
    }
    if (access.has(tokenValue)) {
      const e = access.get(tokenValue);
      access.delete(tokenValue);
      if (e.refresh && refresh.has(e.refresh)) refresh.get(e.refresh).revoked = true;
      events.push({ kind: 'revoked', which: 'access' });
      return true;
    }
    return false;
  }

  // The bearer of an API request: 'ok', 'expired' or 'invalid'.
  function check(authorization) {
    const m = /^Bearer (\S+)$/.exec(authorization || '');
    if (!m) return 'invalid';
    const entry = access.get(m[1]);
    if (!entry) return 'invalid';
    if (entry.expiresAt <= Date.now()) return 'expired';
    return 'ok';
  }

  return {
    authorize, tokenEndpoint, revoke, check, events,
    // Every access token issued so far stops working, as an hour later.
    expireAccessTokens() { for (const e of access.values()) e.expiresAt = 0; },
    liveRefreshTokens: () => [...refresh.values()].filter((e) => !e.revoked).length,
  };
}

// Reads a request body and parses it: form fields or JSON.
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
