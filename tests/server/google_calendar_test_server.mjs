// A stand-in for Google's OAuth 2.0 endpoints and the Google Calendar API v3,
// following the documented requests and answers
// (developers.google.com/identity/protocols/oauth2/web-server,
// developers.google.com/calendar/api/v3/reference, .../guides/sync,
// .../guides/push), so the server's Google client can be tested offline:
//
// - GET /o/oauth2/v2/auth (accounts.google.com): PKCE S256 required, grants
//   at once and redirects with code and state;
// - POST /token (oauth2.googleapis.com): authorization_code with
//   code_verifier, refresh_token (no new refresh token, as Google does);
//   POST /revoke?token= or form token= (200, or 400 invalid_token);
// - /calendar/v3/users/me/calendarList (GET);
// - /calendar/v3/calendars/{calendarId}/events GET: singleEvents (recurring
//   events expanded into instances with ids base_YYYYMMDDTHHMMSSZ),
//   maxResults + nextPageToken, nextSyncToken on the last page, syncToken
//   (changes only, deleted events as status "cancelled"; 400 with
//   timeMin/timeMax/q/orderBy as Google refuses; 410 fullSyncRequired
//   once expireSyncTokens() ran); POST insert (client ids in base32hex,
//   409 duplicate), GET/PUT/DELETE one event with If-Match (412
//   conditionNotMet), 410 deleted for a second delete;
// - POST .../events/watch (https addresses only unless allowHttpWebhooks)
//   and POST /calendar/v3/channels/stop; each change in a watched calendar
//   is announced with the X-Goog-* headers (a "sync" message first);
// - an expired access token is 401 authError with WWW-Authenticate.
//
// Recurrence is expanded for RRULE FREQ=DAILY/WEEKLY with INTERVAL, COUNT and
// UNTIL, plus EXDATE, in UTC, at most 730 instances: enough for the server's
// tests, not Google's whole RRULE support.
//
// In a test: `const g = await startGoogleCalendarTestServer({ clientId, clientSecret })`;
// g.url is the base for both --google-oauth-base and --google-api-base.
// Alone: `node google_calendar_test_server.mjs [port]`.
import http from 'node:http';
import crypto from 'node:crypto';
import { createAuthority, readBody } from './oauth_test_authority.mjs';

const GOOGLE_DIALECT = {
  accessPrefix: 'ya29.', codePrefix: '4/0A', refreshPrefix: '1//0g',
  pkceMismatch: 'Invalid code verifier.',
  requiredAuthorizeParams: [],
  extraTokenFields: {},
  // Google's token endpoint answers {error, error_description}.
  error: (status, error, description) => ({ status, body: { error, error_description: description } }),
};

export function googleError(code, reason, message, extra = {}) {
  const status = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 410: 'FAILED_PRECONDITION', 412: 'FAILED_PRECONDITION' }[code];
  return { error: { errors: [{ domain: 'global', reason, message, ...extra }], code, message, ...(status ? { status } : {}) } };
}

const newEtag = () => `"${BigInt('0x' + crypto.randomBytes(7).toString('hex')).toString()}"`;
const isoZ = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const compact = (ms) => isoZ(ms).replace(/[-:]/g, '');

function parseIcsUtc(text) {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
}

// The start instants of a recurring event (UTC arithmetic), EXDATEs removed.
function occurrences(event) {
  const startMs = Date.parse(event.start.dateTime ?? event.start.date + 'T00:00:00Z');
  const rule = (event.recurrence || []).find((l) => l.startsWith('RRULE:'));
  if (!rule) return [startMs];
  const parts = Object.fromEntries(rule.slice(6).split(';').map((p) => p.split('=')));
  const step = { DAILY: 86400000, WEEKLY: 7 * 86400000 }[parts.FREQ];
  if (!step) return [startMs];
  const interval = Number(parts.INTERVAL || 1);
  const count = parts.COUNT ? Number(parts.COUNT) : Infinity;
  const until = parts.UNTIL ? parseIcsUtc(parts.UNTIL) : Infinity;
  const excluded = new Set();
  for (const line of event.recurrence) {
    if (!line.startsWith('EXDATE')) continue;
    for (const v of line.slice(line.indexOf(':') + 1).split(',')) excluded.add(parseIcsUtc(v.trim()));
  }
  const out = [];
  for (let i = 0, t = startMs; i < count && t <= until && i < 730; i++, t += step * interval) if (!excluded.has(t)) out.push(t);
  return out;
}

export async function startGoogleCalendarTestServer({
  port = 0,
  clientId = 'test-client-' + crypto.randomBytes(4).toString('hex') + '.apps.googleusercontent.com',
  clientSecret = 'GOCSPX-' + crypto.randomBytes(12).toString('hex'),
  calendars = [
    { id: 'primary-owner@example.test', summary: 'Work', accessRole: 'owner', primary: true },
    { id: 'family0123456789@group.calendar.google.com', summary: 'Family', accessRole: 'reader' },
  ],
  pageSize = 250,          // the default maxResults
  allowHttpWebhooks = false,
  log = null,
} = {}) {
  const authority = createAuthority({ clientId, clientSecret, dialect: GOOGLE_DIALECT });
  const requests = [];
  const failures = [];
  let seq = 0;              // the change counter behind sync tokens
  let generation = 1;       // bumped by expireSyncTokens(): older tokens are 410
  const store = new Map(calendars.map((c) => [c.id, new Map()]));  // calendarId -> id -> event
  const channels = new Map();   // channel id -> {calendarId, address, token, resourceId, messageNumber}
  const notifications = [];     // what was delivered to watch addresses

  function touch(calendarId, event) {
    event.etag = newEtag();
    event.updated = new Date().toISOString();
    event._seq = ++seq;
    store.get(calendarId).set(event.id, event);
    for (const [id, ch] of channels) if (ch.calendarId === calendarId) announce(id, ch, 'exists');
  }

  function announce(id, ch, state) {
    const headers = {
      'X-Goog-Channel-ID': id, 'X-Goog-Channel-Expiration': new Date(ch.expiration).toUTCString(),
      'X-Goog-Resource-ID': ch.resourceId, 'X-Goog-Resource-URI': ch.resourceUri, 'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(ch.messageNumber++), 'Content-Length': '0',
    };
    if (ch.token) headers['X-Goog-Channel-Token'] = ch.token;
    const record = { channel: id, state, status: null };
    notifications.push(record);
    const req = http.request(ch.address, { method: 'POST', headers }, (res) => { record.status = res.statusCode; res.resume(); });
    req.on('error', (e) => { record.status = 0; record.error = e.message; });
    req.end();
  }

  function materialize(calendarId, event) {
    const out = { kind: 'calendar#event', etag: event.etag, id: event.id, status: event.status, htmlLink: `https://www.google.com/calendar/event?eid=${event.id}`,
      created: event.created, updated: event.updated, summary: event.summary, description: event.description, location: event.location,
      creator: { email: calendarId, self: true }, organizer: { email: calendarId, self: true }, start: event.start, end: event.end,
      transparency: event.transparency, recurrence: event.recurrence, recurringEventId: event.recurringEventId,
      originalStartTime: event.originalStartTime, iCalUID: event.iCalUID, sequence: event.sequence ?? 0 };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }

  // The instances of a recurring event, as singleEvents=true lists them.
  function instances(calendarId, master, overridden) {
    const startMs = Date.parse(master.start.dateTime ?? master.start.date + 'T00:00:00Z');
    const endMs = Date.parse(master.end.dateTime ?? master.end.date + 'T00:00:00Z');
    const allDay = !!master.start.date;
    return occurrences(master).filter((t) => !overridden.has(`${master.id}_${compact(t)}`)).map((t) => {
      const when = (ms) => (allDay ? { date: isoZ(ms).slice(0, 10) } : { dateTime: isoZ(ms) });
      return { ...materialize(calendarId, master), id: `${master.id}_${compact(t)}`, recurrence: undefined, recurringEventId: master.id,
        originalStartTime: when(t), start: when(t), end: when(t + endMs - startMs) };
    }).map((e) => { delete e.recurrence; return e; });
  }

  // Everything the listing shows for changes after `since` (0: everything live).
  function listing(calendarId, since, upTo, singleEvents, showDeleted) {
    const events = [...store.get(calendarId).values()];
    const overridden = new Set(events.filter((e) => e.recurringEventId).map((e) => e.id));
    const out = [];
    for (const e of events) {
      if (e._seq <= since || e._seq > upTo) continue;
      const deleted = e.status === 'cancelled';
      if (deleted && since === 0 && !showDeleted) continue;
      if (singleEvents && e.recurrence && !deleted) {
        out.push(...instances(calendarId, e, overridden));
      } else if (singleEvents && e.recurrence && deleted) {
        out.push(...(e._lastInstances || []).map((id) => ({ kind: 'calendar#event', etag: e.etag, id, status: 'cancelled', recurringEventId: e.id })));
      } else {
        out.push(deleted ? { kind: 'calendar#event', etag: e.etag, id: e.id, status: 'cancelled', ...(e.recurringEventId ? { recurringEventId: e.recurringEventId } : {}) } : materialize(calendarId, e));
      }
    }
    return out;
  }

  const syncToken = (s) => Buffer.from(JSON.stringify({ g: generation, s })).toString('base64url');
  const pageToken = (p) => Buffer.from(JSON.stringify(p)).toString('base64url');
  const decode = (t) => { try { return JSON.parse(Buffer.from(t, 'base64url').toString('utf8')); } catch { return null; } };

  function validEventBody(body) {
    if (!body || typeof body !== 'object') return googleError(400, 'parseError', 'Parse Error');
    if (!body.start || !body.end) return googleError(400, 'required', body.start ? 'Missing end time.' : 'Missing start time.');
    const s = Date.parse(body.start.dateTime ?? (body.start.date ? body.start.date + 'T00:00:00Z' : ''));
    const e = Date.parse(body.end.dateTime ?? (body.end.date ? body.end.date + 'T00:00:00Z' : ''));
    if (Number.isNaN(s) || Number.isNaN(e)) return googleError(400, 'invalid', 'Invalid start or end time.');
    if (e < s) return googleError(400, 'timeRangeEmpty', 'The specified time range is empty.', { locationType: 'parameter', location: 'timeMax' });
    return null;
  }

  function storedFrom(body, id, previous) {
    const fields = ['summary', 'description', 'location', 'start', 'end', 'transparency', 'recurrence', 'status', 'iCalUID', 'recurringEventId', 'originalStartTime'];
    const e = { id, created: previous?.created ?? new Date().toISOString(), sequence: previous ? (previous.sequence ?? 0) + 1 : 0 };
    for (const f of fields) if (body[f] !== undefined) e[f] = body[f];
    e.status = body.status === 'tentative' ? 'tentative' : 'confirmed';
    e.iCalUID = previous?.iCalUID ?? body.iCalUID ?? `${id}@google.com`;
    return e;
  }

  async function handle(req, res, raw) {
    const url = new URL(req.url, 'http://google.test');
    const record = { at: Date.now(), method: req.method, path: url.pathname, query: url.search, headers: req.headers, raw, answer: null };
    requests.push(record);
    const send = (status, body, headers = {}) => {
      record.answer = { status, body };
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { ...(text && typeof body !== 'string' ? { 'content-type': 'application/json; charset=UTF-8' } : {}), ...headers });
      res.end(text);
      if (log) log(JSON.stringify({ method: req.method, path: url.pathname, status }));
    };
    const forced = failures.shift();
    if (forced === 'drop') { req.socket.destroy(); return; }
    if (typeof forced === 'number') return send(forced, googleError(forced, forced >= 500 ? 'backendError' : 'rateLimitExceeded', 'Forced by the test'));

    // ---- OAuth -------------------------------------------------------------
    if (url.pathname === '/o/oauth2/v2/auth' && req.method === 'GET') {
      const r = authority.authorize(url.searchParams);
      return r.location ? send(302, undefined, { location: r.location }) : send(r.status, r.text, { 'content-type': 'text/plain' });
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) return send(400, { error: 'invalid_request', error_description: 'Bad Request' });
      const r = authority.tokenEndpoint(new URLSearchParams(raw), req.headers.authorization);
      return send(r.status, r.body, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
    }
    if (url.pathname === '/revoke' && req.method === 'POST') {
      const t = url.searchParams.get('token') || new URLSearchParams(raw).get('token');
      return authority.revoke(t || '') ? send(200, {}) : send(400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    }

    // ---- Calendar API ------------------------------------------------------
    if (!url.pathname.startsWith('/calendar/v3/')) return send(404, googleError(404, 'notFound', 'Not Found'));
    const bearer = authority.check(req.headers.authorization);
    if (bearer !== 'ok')
      return send(401, googleError(401, 'authError', 'Invalid Credentials', { locationType: 'header', location: 'Authorization' }),
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    const rest = url.pathname.slice('/calendar/v3'.length).split('/').map(decodeURIComponent);
    let body = null;
    if (raw) { try { body = JSON.parse(raw); } catch { return send(400, googleError(400, 'parseError', 'Parse Error')); } }

    if (rest[1] === 'users' && rest[2] === 'me' && rest[3] === 'calendarList' && rest.length === 4 && req.method === 'GET') {
      return send(200, { kind: 'calendar#calendarList', etag: `"p${seq}"`, nextSyncToken: syncToken(seq),
        items: calendars.map((c) => ({ kind: 'calendar#calendarListEntry', etag: `"c${c.id.length}"`, id: c.id, summary: c.summary, timeZone: 'Europe/Berlin', accessRole: c.accessRole, ...(c.primary ? { primary: true } : {}) })) });
    }
    if (rest[1] === 'channels' && rest[2] === 'stop' && req.method === 'POST') {
      const ch = channels.get(body?.id);
      if (!ch || ch.resourceId !== body?.resourceId) return send(404, googleError(404, 'notFound', `Channel '${body?.id}' not found for project '0'`));
      channels.delete(body.id);
      return send(204);
    }
    if (rest[1] !== 'calendars' || !rest[2]) return send(404, googleError(404, 'notFound', 'Not Found'));
    const calendarId = rest[2] === 'primary' ? calendars.find((c) => c.primary)?.id : rest[2];
    const cal = calendars.find((c) => c.id === calendarId);
    if (!cal) return send(404, googleError(404, 'notFound', 'Not Found'));
    const writable = cal.accessRole === 'owner' || cal.accessRole === 'writer';
    const events = store.get(calendarId);

    if (rest[3] === 'events' && rest.length === 4 && req.method === 'GET') {
      const q = url.searchParams;
      const singleEvents = q.get('singleEvents') === 'true';
      const maxResults = Math.min(Number(q.get('maxResults') || pageSize), 2500);
      if (!(maxResults >= 1)) return send(400, googleError(400, 'invalid', 'Invalid value for: maxResults'));
      let since = 0, offset = 0, upTo = seq;
      if (q.get('pageToken')) {
        const p = decode(q.get('pageToken'));
        if (!p || p.c !== calendarId || p.single !== singleEvents) return send(400, googleError(400, 'invalid', 'Invalid page token value.'));
        ({ since, offset, upTo } = p);
      } else if (q.get('syncToken')) {
        for (const forbidden of ['timeMin', 'timeMax', 'q', 'orderBy', 'iCalUID', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty'])
          if (q.has(forbidden)) return send(400, googleError(400, 'invalid', `${forbidden} cannot be used with syncToken`));
        const t = decode(q.get('syncToken'));
        if (!t || typeof t.s !== 'number') return send(400, googleError(400, 'invalid', 'Invalid sync token value.'));
        if (t.g !== generation) return send(410, googleError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.'));
        since = t.s;
      }
      // Changes made while a client pages are seen in its next sync, as at Google.
      const all = listing(calendarId, since, upTo, singleEvents, q.get('showDeleted') === 'true');
      const page = all.slice(offset, offset + maxResults);
      const answer = { kind: 'calendar#events', etag: `"e${seq}"`, summary: cal.summary, updated: new Date().toISOString(), timeZone: 'Europe/Berlin', accessRole: cal.accessRole, defaultReminders: [], items: page };
      if (offset + maxResults < all.length) answer.nextPageToken = pageToken({ c: calendarId, single: singleEvents, since, offset: offset + maxResults, upTo });
      else answer.nextSyncToken = syncToken(upTo);
      return send(200, answer);
    }
    if (rest[3] === 'events' && rest[4] === 'watch' && rest.length === 5 && req.method === 'POST') {
      if (!body?.id || body.type !== 'web_hook' || !body.address) return send(400, googleError(400, 'required', 'Required: id, type=web_hook, address'));
      if (!body.address.startsWith('https://') && !allowHttpWebhooks) return send(400, googleError(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS: ' + body.address));
      if (channels.has(body.id)) return send(400, googleError(400, 'channelIdNotUnique', 'Channel id not unique'));
      const ttl = Number(body.params?.ttl || 604800);
      const ch = { calendarId, address: body.address, token: body.token, resourceId: crypto.randomBytes(12).toString('base64url'),
        resourceUri: `https://www.googleapis.com/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`, expiration: Date.now() + ttl * 1000, messageNumber: 1 };
      channels.set(body.id, ch);
      announce(body.id, ch, 'sync');
      return send(200, { kind: 'api#channel', id: body.id, resourceId: ch.resourceId, resourceUri: ch.resourceUri, token: ch.token, expiration: String(ch.expiration) });
    }
    if (rest[3] === 'events' && rest.length === 4 && req.method === 'POST') {
      if (!writable) return send(403, googleError(403, 'forbidden', 'Forbidden'));
      const bad = validEventBody(body);
      if (bad) return send(400, bad);
      const id = body.id ?? crypto.randomBytes(13).toString('hex').replace(/[w-z]/g, 'a').slice(0, 26);
      if (!/^[a-v0-9]{5,1024}$/.test(id)) return send(400, googleError(400, 'invalid', 'Invalid resource id value.'));
      if (events.has(id)) return send(409, googleError(409, 'duplicate', 'The requested identifier already exists.'));
      const e = storedFrom(body, id, null);
      touch(calendarId, e);
      return send(200, materialize(calendarId, e));
    }
    if (rest[3] === 'events' && rest[4] && rest.length === 5) {
      const e = events.get(rest[4]);
      const ifMatch = req.headers['if-match'];
      if (req.method === 'GET') {
        if (!e) return send(404, googleError(404, 'notFound', 'Not Found'));
        if (req.headers['if-none-match'] === e.etag) return send(304);
        return send(200, materialize(calendarId, e));
      }
      if (!writable) return send(403, googleError(403, 'forbidden', 'Forbidden'));
      if (!e) return send(404, googleError(404, 'notFound', 'Not Found'));
      if (ifMatch && ifMatch !== e.etag) return send(412, googleError(412, 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' }));
      if (req.method === 'PUT') {
        const bad = validEventBody(body);
        if (bad) return send(400, bad);
        const next = storedFrom(body, e.id, e);
        touch(calendarId, next);
        return send(200, materialize(calendarId, next));
      }
      if (req.method === 'DELETE') {
        if (e.status === 'cancelled') return send(410, googleError(410, 'deleted', 'Resource has been deleted'));
        if (e.recurrence) e._lastInstances = occurrences(e).map((t) => `${e.id}_${compact(t)}`);
        e.status = 'cancelled';
        touch(calendarId, e);
        return send(204);
      }
    }
    return send(404, googleError(404, 'notFound', 'Not Found'));
  }

  const server = http.createServer((req, res) => {
    readBody(req).then((raw) => handle(req, res, raw)).catch((e) => { res.writeHead(500); res.end(String(e)); });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url, clientId, clientSecret, requests, channels, notifications, authority,
    // The calendar's events as stored (deleted ones have status "cancelled").
    events: (calendarId) => [...store.get(calendarId).values()],
    // What the calendar's owner does in Google Calendar's own interface.
    addEvent(calendarId, event) {
      const id = event.id ?? crypto.randomBytes(10).toString('hex');
      const e = storedFrom(event, id, store.get(calendarId).get(id));
      if (event.status === 'cancelled') e.status = 'cancelled';
      touch(calendarId, e);
      return materialize(calendarId, e);
    },
    removeEvent(calendarId, id) {
      const e = store.get(calendarId).get(id);
      if (e.recurrence) e._lastInstances = occurrences(e).map((t) => `${e.id}_${compact(t)}`);
      e.status = 'cancelled';
      touch(calendarId, e);
    },
    expireSyncTokens() { generation++; },
    expireAccessTokens() { authority.expireAccessTokens(); },
    // Each entry fails one request, in order: an HTTP status or 'drop'.
    failNext(...entries) { failures.push(...entries); },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const g = await startGoogleCalendarTestServer({ port: Number(process.argv[2] || 0), log: (line) => console.log(line) });
  console.log(`google calendar test server on ${g.url}\nSLOTWISE_GOOGLE_CLIENT_ID=${g.clientId}\nSLOTWISE_GOOGLE_CLIENT_SECRET=${g.clientSecret}`);
}
