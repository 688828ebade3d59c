// A stand-in for Twilio's Messages API (REST API 2010-04-01) that checks the
// documented request shape strictly and answers as Twilio does, so that the
// server's SMS and WhatsApp code can be tested offline:
//
// - POST /2010-04-01/Accounts/{AccountSid}/Messages.json, nothing else (404, 20404);
// - HTTP Basic auth with the account SID and its auth token, or an API key
//   SID and its secret (401, 20003), for the account in the path;
// - an application/x-www-form-urlencoded body, each field once, decoded by
//   Node's own URLSearchParams (not by code shared with the server);
// - To: E.164, or whatsapp:+E164 (400, 21604 missing / 21211 invalid);
// - From (E.164, an alphanumeric sender ID, or whatsapp:+E164 for a WhatsApp To)
//   or MessagingServiceSid (MG + 32 hex), not both (400, 21603 / 21212 / 21910);
// - Body: 1..1600 characters (400, 21602 / 21617).
//
// A message it takes is answered 201 with a Message resource (sid SM..., status
// "queued", or "accepted" through a Messaging Service). Twilio's magic test
// numbers give Twilio's errors: To +15005550001 -> 21211 (invalid),
// +15005550002 -> 21612 (cannot route), +15005550003 -> 21408 (no permission
// for the region), +15005550004 -> 21610 (the recipient unsubscribed),
// +15005550009 -> 21614 (not a mobile number). failNext() makes the next
// requests fail as told (429 with 20429, 500 with 20500, 503, a dropped
// connection, or any Twilio code with its status).
//
// In a test: `const twilio = await startTwilioTestServer({ accountSid, authToken })`;
// `twilio.url` is the base for --twilio-api-base; `twilio.requests` holds
// every request (method, path, user, fields, answer); `twilio.messages` the
// accepted ones. Alone: `node twilio_test_server.mjs [port]` prints its URL
// and the credentials it accepts, and logs each request as a JSON line.
import http from 'node:http';
import crypto from 'node:crypto';

export const E164 = /^\+[1-9][0-9]{1,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;

// Twilio's words for its errors (https://www.twilio.com/docs/api/errors).
export const ERRORS = {
  20003: [401, 'Authentication Error - invalid username'],
  20404: [404, 'The requested resource was not found'],
  20429: [429, 'Too Many Requests'],
  20500: [500, 'Internal Server Error'],
  20503: [503, 'Service Unavailable'],
  21211: [400, "The 'To' number is not a valid phone number."],
  21212: [400, "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID."],
  21408: [400, 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number.'],
  21602: [400, 'Message body is required.'],
  21603: [400, "A 'From' phone number is required."],
  21604: [400, "A 'To' phone number is required."],
  21610: [400, 'Attempt to send to unsubscribed recipient'],
  21612: [400, "The 'To' phone number is not currently reachable via SMS."],
  21614: [400, "'To' number is not a valid mobile number"],
  21617: [400, 'The concatenated message body exceeds the 1600 character limit.'],
  21910: [400, "Invalid From and To pair. From and To should be of the same channel"],
};
const MAGIC_TO = { '+15005550001': 21211, '+15005550002': 21612, '+15005550003': 21408, '+15005550004': 21610, '+15005550009': 21614 };

const newSid = (prefix) => prefix + crypto.randomBytes(16).toString('hex');
// RFC 2822 dates, as Twilio writes date_created.
const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');

export function errorBody(code, detail) {
  const [status, message] = ERRORS[code] || [400, `Error ${code}`];
  return { status, body: { code, message: detail ? `${message} ${detail}` : message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export async function startTwilioTestServer({
  port = 0,
  accountSid = 'AC' + crypto.randomBytes(16).toString('hex'),
  authToken = crypto.randomBytes(16).toString('hex'),
  apiKeys = {}, // SK... -> secret, keys of this account
  log = null,
} = {}) {
  const requests = [];
  const messages = [];
  const failures = [];

  function answer(res, record, status, body) {
    record.answer = { status, body };
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'twilio-request-id': newSid('RQ') });
    res.end(JSON.stringify(body));
    if (log) log(JSON.stringify(record));
  }
  const fail = (res, record, code, detail) => {
    const e = errorBody(code, detail);
    answer(res, record, e.status, e.body);
  };

  function authenticated(header) {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header || '');
    if (!m) return null;
    const text = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return null;
    const user = text.slice(0, colon), secret = text.slice(colon + 1);
    if (user === accountSid && secret === authToken) return user;
    if (Object.hasOwn(apiKeys, user) && apiKeys[user] === secret) return user;
    return null;
  }

  function handle(req, res, raw) {
    const url = new URL(req.url, 'http://twilio.test');
    const record = {
      at: Date.now(), method: req.method, path: url.pathname, contentType: req.headers['content-type'] || '',
      authorization: req.headers.authorization || '', user: null, raw, fields: null, answer: null,
    };
    requests.push(record);
    const forced = failures.shift();
    if (forced === 'drop') { req.socket.destroy(); record.answer = { status: 0 }; return; }
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return fail(res, record, 20404);
    record.user = authenticated(req.headers.authorization);
    if (!record.user || m[1] !== accountSid) return fail(res, record, 20003);
    if (!/^application\/x-www-form-urlencoded(\s*;\s*charset=utf-8)?$/i.test(record.contentType))
      return answer(res, record, 400, { code: 20001, message: 'Content-Type must be application/x-www-form-urlencoded', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
    const params = new URLSearchParams(raw);
    const fields = {};
    for (const [k, v] of params) {
      if (Object.hasOwn(fields, k)) return answer(res, record, 400, { code: 20001, message: `Parameter ${k} given twice`, more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
      fields[k] = v;
    }
    record.fields = fields;
    if (forced) return fail(res, record, forced);

    const { To: to, From: from, MessagingServiceSid: service, Body: body } = fields;
    if (!to) return fail(res, record, 21604);
    const whatsapp = to.startsWith('whatsapp:');
    const toNumber = whatsapp ? to.slice('whatsapp:'.length) : to;
    if (!E164.test(toNumber)) return fail(res, record, 21211, `(${to})`);
    if (!from && !service) return fail(res, record, 21603);
    if (from && service) return answer(res, record, 400, { code: 20001, message: 'Give From or MessagingServiceSid, not both', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 });
    if (service && !MESSAGING_SERVICE_SID.test(service)) return fail(res, record, 21212, `(${service})`);
    if (from) {
      if (from.startsWith('whatsapp:') !== whatsapp) return fail(res, record, 21910);
      const fromNumber = whatsapp ? from.slice('whatsapp:'.length) : from;
      if (!(E164.test(fromNumber) || (!whatsapp && ALPHANUMERIC_SENDER.test(fromNumber)))) return fail(res, record, 21212, `(${from})`);
    }
    if (!body) return fail(res, record, 21602);
    if ([...body].length > 1600) return fail(res, record, 21617);
    if (MAGIC_TO[toNumber]) return fail(res, record, MAGIC_TO[toNumber]);

    const now = new Date();
    const sid = newSid('SM');
    const segments = Math.max(1, Math.ceil([...body].length / ([...body].every((c) => c.charCodeAt(0) < 128) ? 153 : 67)));
    const message = {
      account_sid: accountSid, api_version: '2010-04-01', body, date_created: rfc2822(now), date_sent: null,
      date_updated: rfc2822(now), direction: 'outbound-api', error_code: null, error_message: null,
      from: from || null, messaging_service_sid: service || null, num_media: '0', num_segments: String(segments),
      price: null, price_unit: 'USD', sid, status: service ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to, uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    };
    messages.push(message);
    answer(res, record, 201, message);
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url, accountSid, authToken, requests, messages,
    // Each entry fails one request, in order: a Twilio error code (20429,
    // 20500, 20503, 21211, ...) or 'drop' (the connection closed, no answer).
    failNext(...entries) { failures.push(...entries); },
    reset() { requests.length = 0; messages.length = 0; failures.length = 0; },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const twilio = await startTwilioTestServer({ port: Number(process.argv[2] || 0), log: (line) => console.log(line) });
  console.log(`twilio test server on ${twilio.url}\nSLOTWISE_TWILIO_ACCOUNT_SID=${twilio.accountSid}\nSLOTWISE_TWILIO_AUTH_TOKEN=${twilio.authToken}`);
}
