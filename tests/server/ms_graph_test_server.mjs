// A stand-in for the Microsoft identity platform (OAuth 2.0 v2.0 endpoints)
// and the calendar part of Microsoft Graph v1.0, following the documented
// requests and answers (learn.microsoft.com: "OAuth 2.0 authorization code
// flow", "event: delta", "calendar: list", "event resource type",
// "subscription: create", "Receive change notifications through webhooks"):
//
// - GET /{tenant}/oauth2/v2.0/authorize: PKCE S256 required, grants at once,
//   redirects with code and state; POST /{tenant}/oauth2/v2.0/token:
//   authorization_code with code_verifier (AADSTS501481 on a mismatch),
//   refresh_token (a new refresh token each time, the old one dies, as the
//   identity platform rotates them). There is no per-app revocation
//   endpoint at Microsoft, so there is none here.
// - GET /v1.0/me/calendars; GET /v1.0/me/calendars/{id}/calendarView/delta
//   with startDateTime/endDateTime (400 without), Prefer:
//   odata.maxpagesize, @odata.nextLink ($skiptoken) and @odata.deltaLink
//   ($deltatoken); removed events as {"@removed": {"reason": "deleted"}};
//   series expanded into occurrences in the window; 410 syncStateNotFound
//   once expireDeltaTokens() ran.
// - POST /v1.0/me/calendars/{id}/events (201; transactionId makes a retried
//   POST answer the event already made), PATCH and DELETE
//   /v1.0/me/events/{id} with If-Match (412 ErrorIrresolvableConflict),
//   404 ErrorItemNotFound.
// - POST /v1.0/subscriptions: https notificationUrl only (unless
//   allowHttpWebhooks), validated with ?validationToken= (the answer must
//   echo it as text/plain within 10 s), then change notifications with
//   clientState; DELETE /v1.0/subscriptions/{id}.
// - an expired access token is 401 InvalidAuthenticationToken.
//
// Times are answered in UTC ("2026-11-23T09:00:00.0000000", timeZone "UTC"),
// as Graph does without a Prefer: outlook.timezone header.
// In a test: `const ms = await startMsGraphTestServer({ clientId, clientSecret })`;
// ms.url is the base for --microsoft-oauth-base and --microsoft-graph-base.
import http from 'node:http';
import crypto from 'node:crypto';
import { createAuthority, readBody } from './oauth_test_authority.mjs';

const MS_DIALECT = {
  accessPrefix: 'eyJ0eXAiOiJKV1Qi.', codePrefix: 'M.C5', refreshPrefix: 'M.C5_BAY.0.U.-',
  pkceMismatch: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  requiredAuthorizeParams: [],
  extraTokenFields: { ext_expires_in: 3600 },
  error: (status, error, description) => ({ status, body: { error, error_description: description, error_codes: [Number((/AADSTS(\d+)/.exec(description) || [0, 9002313])[1])], timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z', trace_id: crypto.randomUUID(), correlation_id: crypto.randomUUID() } }),
};

export const graphError = (code, message) => ({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() } } });
// Graph writes seven fractional digits and names the zone apart.
const graphTime = (ms) => ({ dateTime: new Date(ms).toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$10000'), timeZone: 'UTC' });
const readGraphTime = (t) => Date.parse(String(t?.dateTime || '').replace(/(\.\d{3})\d*$/, '$1') + (/[Zz]|[+-]\d\d:\d\d$/.test(t?.dateTime || '') ? '' : 'Z'));

function occurrences(event) {
  const start = readGraphTime(event.start);
  const r = event.recurrence;
  if (!r) return [start];
  const step = { daily: 86400000, weekly: 7 * 86400000 }[r.pattern?.type];
  if (!step) return [start];
  const interval = r.pattern.interval || 1;
  const count = r.range?.type === 'numbered' ? r.range.numberOfOccurrences : Infinity;
  const until = r.range?.type === 'endDate' ? Date.parse(r.range.endDate + 'T23:59:59Z') : Infinity;
  const out = [];
  for (let i = 0, t = start; i < count && t <= until && i < 730; i++, t += step * interval) out.push(t);
  return out;
}

export async function startMsGraphTestServer({
  port = 0,
  clientId = crypto.randomUUID(),
  clientSecret = crypto.randomBytes(20).toString('base64url'),
  calendars = [
    { id: 'AAMkAGI2TGuLAAA=', name: 'Calendar', canEdit: true, isDefaultCalendar: true },
    { id: 'AAMkAGI2TGuLBBB=', name: 'Holidays', canEdit: false, isDefaultCalendar: false },
  ],
  pageSize = 100,
  allowHttpWebhooks = false,
  log = null,
} = {}) {
  const authority = createAuthority({ clientId, clientSecret, rotateRefresh: true, dialect: MS_DIALECT });
  const requests = [];
  const failures = [];
  let seq = 0;
  let generation = 1;
  const store = new Map(calendars.map((c) => [c.id, new Map()]));
  const subscriptions = new Map();
  const notifications = [];
  let base = '';

  const calendarOf = (id) => [...store.entries()].find(([, m]) => m.has(id))?.[0];

  function touch(calendarId, event, changeType) {
    event.changeKey = crypto.randomBytes(12).toString('base64');
    event['@odata.etag'] = `W/"${event.changeKey}"`;
    event.lastModifiedDateTime = new Date().toISOString();
    event._seq = ++seq;
    store.get(calendarId).set(event.id, event);
    for (const [id, s] of subscriptions) if (s.resource === `/me/calendars/${calendarId}/events` || s.resource === 'me/events' || s.resource === '/me/events') notify(id, s, changeType, event);
  }

  function notify(id, s, changeType, event) {
    const payload = { value: [{ subscriptionId: id, subscriptionExpirationDateTime: s.expirationDateTime, changeType, resource: `Users/me/Events/${event.id}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/me/Events/${event.id}`, '@odata.etag': event['@odata.etag'], id: event.id },
      clientState: s.clientState ?? null, tenantId: '00000000-0000-0000-0000-000000000000' }] };
    const record = { subscription: id, changeType, status: null };
    notifications.push(record);
    const req = http.request(s.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => { record.status = res.statusCode; res.resume(); });
    req.on('error', (e) => { record.status = 0; record.error = e.message; });
    req.end(JSON.stringify(payload));
  }

  function shape(e) {
    const out = { '@odata.etag': e['@odata.etag'], id: e.id, createdDateTime: e.createdDateTime, lastModifiedDateTime: e.lastModifiedDateTime, changeKey: e.changeKey,
      transactionId: e.transactionId ?? null, iCalUId: e.iCalUId, subject: e.subject ?? '', bodyPreview: '', isAllDay: !!e.isAllDay, isCancelled: !!e.isCancelled,
      showAs: e.showAs ?? 'busy', type: e.recurrence ? 'seriesMaster' : 'singleInstance', seriesMasterId: null, start: graphTime(readGraphTime(e.start)), end: graphTime(readGraphTime(e.end)),
      location: { displayName: e.location?.displayName ?? '' }, recurrence: e.recurrence ?? null };
    return out;
  }

  // What a calendarView shows of one stored event in [from, to).
  function inWindow(e, from, to) {
    const len = readGraphTime(e.end) - readGraphTime(e.start);
    return occurrences(e).filter((t) => t < to && t + len > from).map((t) => {
      if (!e.recurrence) return shape(e);
      return { ...shape(e), id: `${e.id}_occ_${new Date(t).toISOString().replace(/[-:.]/g, '')}`, type: 'occurrence', seriesMasterId: e.id, recurrence: null, start: graphTime(t), end: graphTime(t + len) };
    });
  }

  function delta(calendarId, since, upTo, from, to) {
    const out = [];
    for (const e of store.get(calendarId).values()) {
      if (e._seq <= since || e._seq > upTo) continue;
      if (e._deleted) {
        if (since > 0) for (const id of e._lastIds || [e.id]) out.push({ '@odata.type': '#microsoft.graph.event', id, '@removed': { reason: 'deleted' } });
        continue;
      }
      out.push(...inWindow(e, from, to));
    }
    return out;
  }

  const token = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const decode = (t) => { try { return JSON.parse(Buffer.from(t, 'base64url').toString('utf8')); } catch { return null; } };

  function eventFromBody(body, previous, calendarId) {
    const e = previous ? { ...previous } : { id: 'AAMkAD' + crypto.randomBytes(18).toString('base64url') + '=', createdDateTime: new Date().toISOString(),
      iCalUId: '040000008200E00074C5B7101A82E008' + crypto.randomBytes(16).toString('hex').toUpperCase(), _calendar: calendarId };
    for (const f of ['subject', 'body', 'start', 'end', 'isAllDay', 'showAs', 'location', 'recurrence', 'transactionId', 'isCancelled', 'singleValueExtendedProperties']) if (body[f] !== undefined) e[f] = body[f];
    return e;
  }

  function badTimes(e) {
    const s = readGraphTime(e.start), en = readGraphTime(e.end);
    if (Number.isNaN(s) || Number.isNaN(en)) return graphError('ErrorInvalidRequest', 'Your request can\'t be completed. Start and End are required and must be valid dateTimeTimeZone values.');
    if (en < s) return graphError('ErrorInvalidRequest', 'Your request can\'t be completed. The end time must be after the start time.');
    return null;
  }

  async function handle(req, res, raw) {
    const url = new URL(req.url, 'http://graph.test');
    const record = { at: Date.now(), method: req.method, path: url.pathname, query: url.search, headers: req.headers, raw, answer: null };
    requests.push(record);
    const send = (status, body, headers = {}) => {
      record.answer = { status, body };
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { ...(text && typeof body !== 'string' ? { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' } : {}), ...headers });
      res.end(text);
      if (log) log(JSON.stringify({ method: req.method, path: url.pathname, status }));
    };
    const forced = failures.shift();
    if (forced === 'drop') { req.socket.destroy(); return; }
    if (typeof forced === 'number') return send(forced, graphError(forced === 429 ? 'TooManyRequests' : 'ServiceNotAvailable', 'Forced by the test'), forced === 429 ? { 'retry-after': '1' } : {});

    const oauth = /^\/(common|organizations|consumers|[0-9a-f-]{36})\/oauth2\/v2\.0\/(authorize|token)$/.exec(url.pathname);
    if (oauth && oauth[2] === 'authorize' && req.method === 'GET') {
      const r = authority.authorize(url.searchParams);
      return r.location ? send(302, undefined, { location: r.location }) : send(r.status, r.text, { 'content-type': 'text/plain' });
    }
    if (oauth && oauth[2] === 'token' && req.method === 'POST') {
      if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) return send(400, MS_DIALECT.error(400, 'invalid_request', 'AADSTS900144: The request body must contain the following parameter: \'grant_type\'.').body);
      const r = authority.tokenEndpoint(new URLSearchParams(raw), req.headers.authorization);
      return send(r.status, r.body, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
    }

    if (!url.pathname.startsWith('/v1.0/')) return send(404, graphError('UnknownError', 'Resource not found'));
    const bearer = authority.check(req.headers.authorization);
    if (bearer !== 'ok')
      return send(401, graphError('InvalidAuthenticationToken', bearer === 'expired' ? 'Access token has expired or is not yet valid.' : 'IDX14100: JWT is not well formed.'),
        { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' });
    const rest = url.pathname.slice('/v1.0'.length).split('/').filter(Boolean).map(decodeURIComponent);
    let body = null;
    if (raw) { try { body = JSON.parse(raw); } catch { return send(400, graphError('BadRequest', 'Unable to read JSON request payload.')); } }

    if (rest[0] === 'me' && rest[1] === 'calendars' && rest.length === 2 && req.method === 'GET') {
      return send(200, { '@odata.context': `${base}/v1.0/$metadata#users('me')/calendars`,
        value: calendars.map((c) => ({ id: c.id, name: c.name, color: 'auto', hexColor: '', isDefaultCalendar: !!c.isDefaultCalendar, changeKey: 'k' + c.id.length, canShare: c.canEdit, canViewPrivateItems: true, canEdit: c.canEdit, owner: { name: 'Test User', address: 'test.user@example.test' } })) });
    }
    if (rest[0] === 'me' && rest[1] === 'calendars' && rest[3] === 'calendarView' && rest[4] === 'delta' && req.method === 'GET') {
      const calendarId = rest[2];
      if (!store.has(calendarId)) return send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      const q = url.searchParams;
      const maxPage = Number((/odata\.maxpagesize=(\d+)/.exec(req.headers.prefer || '') || [0, pageSize])[1]);
      let state;
      if (q.get('$skiptoken') || q.get('$deltatoken')) {
        state = decode(q.get('$skiptoken') || q.get('$deltatoken'));
        if (!state || state.c !== calendarId) return send(400, graphError('ErrorInvalidUrlQuery', 'The token is not valid.'));
        if (state.g !== generation) return send(410, graphError('syncStateNotFound', 'Resync required. Replace any local cached copies of the calendarView with a fresh delta sync.'));
        if (q.get('$deltatoken')) state = { ...state, since: state.upTo, upTo: seq, offset: 0 };
      } else {
        const from = Date.parse(q.get('startDateTime') || ''), to = Date.parse(q.get('endDateTime') || '');
        if (Number.isNaN(from) || Number.isNaN(to)) return send(400, graphError('ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.'));
        state = { c: calendarId, g: generation, from, to, since: 0, upTo: seq, offset: 0 };
      }
      const all = delta(calendarId, state.since, state.upTo, state.from, state.to);
      const page = all.slice(state.offset, state.offset + maxPage);
      const link = `${base}/v1.0/me/calendars/${encodeURIComponent(calendarId)}/calendarView/delta`;
      const answer = { '@odata.context': `${base}/v1.0/$metadata#Collection(event)`, value: page };
      if (state.offset + maxPage < all.length) answer['@odata.nextLink'] = `${link}?$skiptoken=${token({ ...state, offset: state.offset + maxPage })}`;
      else answer['@odata.deltaLink'] = `${link}?$deltatoken=${token({ ...state, offset: 0 })}`;
      return send(200, answer, { 'preference-applied': `odata.maxpagesize=${maxPage}` });
    }
    // The documented lookup by a single-value extended property:
    // $filter=singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...').
    if (rest[0] === 'me' && rest[1] === 'calendars' && rest[3] === 'events' && rest.length === 4 && req.method === 'GET') {
      if (!store.has(rest[2])) return send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      const filter = url.searchParams.get('$filter');
      let hits = [...store.get(rest[2]).values()].filter((e) => !e._deleted);
      if (filter) {
        const m = /^singleValueExtendedProperties\/Any\(ep: ep\/id eq '((?:[^']|'')*)' and ep\/value eq '((?:[^']|'')*)'\)$/.exec(filter);
        if (!m) return send(400, graphError('ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.'));
        const [pid, value] = [m[1].replace(/''/g, "'"), m[2].replace(/''/g, "'")];
        hits = hits.filter((e) => (e.singleValueExtendedProperties || []).some((p) => p.id.toLowerCase() === pid.toLowerCase() && p.value === value));
      }
      return send(200, { '@odata.context': `${base}/v1.0/$metadata#users('me')/calendars('${rest[2]}')/events`, value: hits.map(shape) });
    }
    if (rest[0] === 'me' && rest[1] === 'calendars' && rest[3] === 'events' && rest.length === 4 && req.method === 'POST') {
      const cal = calendars.find((c) => c.id === rest[2]);
      if (!cal) return send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      if (!cal.canEdit) return send(403, graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
      if (!body) return send(400, graphError('BadRequest', 'Empty Payload. JSON content expected.'));
      if (body.transactionId) {
        const same = [...store.get(cal.id).values()].find((e) => !e._deleted && e.transactionId === body.transactionId);
        if (same) return send(201, shape(same));
      }
      const e = eventFromBody(body, null, cal.id);
      const bad = badTimes(e);
      if (bad) return send(400, bad);
      touch(cal.id, e, 'created');
      return send(201, shape(e), { location: `${base}/v1.0/me/events('${e.id}')` });
    }
    const eventPath = rest[0] === 'me' && rest[1] === 'events' && rest.length === 3 ? rest[2]
      : rest[0] === 'me' && rest[1] === 'calendars' && rest[3] === 'events' && rest.length === 5 ? rest[4] : null;
    if (eventPath) {
      const calendarId = calendarOf(eventPath);
      const e = calendarId && store.get(calendarId).get(eventPath);
      if (!e || e._deleted) return send(404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
      if (req.method === 'GET') return send(200, shape(e));
      if (!calendars.find((c) => c.id === calendarId).canEdit) return send(403, graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
      const ifMatch = req.headers['if-match'];
      if (ifMatch && ifMatch !== e['@odata.etag'] && ifMatch !== '*')
        return send(412, graphError('ErrorIrresolvableConflict', 'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.'));
      if (req.method === 'PATCH') {
        const next = eventFromBody(body || {}, e, calendarId);
        const bad = badTimes(next);
        if (bad) return send(400, bad);
        touch(calendarId, next, 'updated');
        return send(200, shape(next));
      }
      if (req.method === 'DELETE') {
        e._lastIds = e.recurrence ? inWindow(e, -Infinity, Infinity).map((o) => o.id) : [e.id];
        e._deleted = true;
        touch(calendarId, e, 'deleted');
        return send(204);
      }
    }
    if (rest[0] === 'subscriptions' && rest.length === 1 && req.method === 'POST') {
      for (const f of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) if (!body?.[f]) return send(400, graphError('InvalidRequest', `${f} is required.`));
      if (!body.notificationUrl.startsWith('https://') && !allowHttpWebhooks) return send(400, graphError('InvalidRequest', 'The Url scheme must be https.'));
      const validationToken = 'Validation: Testing client application reachability for subscription Request-Id: ' + crypto.randomUUID();
      const target = new URL(body.notificationUrl);
      target.searchParams.set('validationToken', validationToken);
      const echoed = await new Promise((resolve) => {
        const v = http.request(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, timeout: 10000 }, (vr) => {
          const chunks = [];
          vr.on('data', (c) => chunks.push(c));
          vr.on('end', () => resolve(vr.statusCode === 200 && Buffer.concat(chunks).toString('utf8') === validationToken && /^text\/plain/.test(vr.headers['content-type'] || '')));
        });
        v.on('timeout', () => { v.destroy(); resolve(false); });
        v.on('error', () => resolve(false));
        v.end();
      });
      if (!echoed) return send(400, graphError('ValidationError', 'Subscription validation request failed. Response must exactly match validationToken query parameter.'));
      const id = crypto.randomUUID();
      const s = { id, resource: body.resource, changeType: body.changeType, clientState: body.clientState, notificationUrl: body.notificationUrl, expirationDateTime: body.expirationDateTime };
      subscriptions.set(id, s);
      return send(201, { '@odata.context': `${base}/v1.0/$metadata#subscriptions/$entity`, ...s, applicationId: clientId, creatorId: crypto.randomUUID(), latestSupportedTlsVersion: 'v1_2' });
    }
    if (rest[0] === 'subscriptions' && rest.length === 2 && req.method === 'DELETE') {
      if (!subscriptions.delete(rest[1])) return send(404, graphError('ResourceNotFound', 'The object was not found.'));
      return send(204);
    }
    return send(400, graphError('BadRequest', `Resource not found for the segment '${rest[rest.length - 1] ?? ''}'.`));
  }

  const server = http.createServer((req, res) => {
    readBody(req).then((raw) => handle(req, res, raw)).catch((e) => { res.writeHead(500); res.end(String(e)); });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  base = url;
  return {
    url, clientId, clientSecret, requests, subscriptions, notifications, authority,
    events: (calendarId) => [...store.get(calendarId).values()],
    // What the calendar's owner does in Outlook. `event` in Graph's shape.
    addEvent(calendarId, event) { const e = eventFromBody(event, null, calendarId); touch(calendarId, e, 'created'); return shape(e); },
    updateEvent(calendarId, id, patch) { const e = eventFromBody(patch, store.get(calendarId).get(id), calendarId); touch(calendarId, e, 'updated'); return shape(e); },
    removeEvent(calendarId, id) {
      const e = store.get(calendarId).get(id);
      e._lastIds = e.recurrence ? inWindow(e, -Infinity, Infinity).map((o) => o.id) : [e.id];
      e._deleted = true;
      touch(calendarId, e, 'deleted');
    },
    expireDeltaTokens() { generation++; },
    expireAccessTokens() { authority.expireAccessTokens(); },
    failNext(...entries) { failures.push(...entries); },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ms = await startMsGraphTestServer({ port: Number(process.argv[2] || 0), log: (line) => console.log(line) });
  console.log(`microsoft graph test server on ${ms.url}\nSLOTWISE_MICROSOFT_CLIENT_ID=${ms.clientId}\nSLOTWISE_MICROSOFT_CLIENT_SECRET=${ms.clientSecret}`);
}
