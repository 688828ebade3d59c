// SMS and WhatsApp (issue 12) through the server, against the Twilio test
// server (twilio_test_server.mjs), which checks Twilio's documented request
// shape with Node's own form decoder and answers as Twilio does: texts for
// booking events in the client's language and zone, WhatsApp journeys,
// nothing without a phone or consent, retries on 429/500, dead on 21211 and
// on refused credentials, and the channel off without credentials.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { SERVER, admin, book, cleanupAll, client, freshDatabase, providerConfig, putProvider, request, slotAt, startServer, until } from './harness.mjs';
import { startTwilioTestServer } from './twilio_test_server.mjs';

after(cleanupAll);

const SMS_FROM = '+15005550006';
const WHATSAPP_FROM = '+14155238886';
const PROVIDER_PHONE = '+4930901820';

async function twilioServer(options = {}) {
  const twilio = await startTwilioTestServer(options);
  after(() => twilio.stop());
  return twilio;
}

// A server that sends texts through `twilio`; `credentials` replaces the
// environment Twilio would accept (null: none at all).
async function smsServer(db, twilio, { credentials, args = [] } = {}) {
  const env = credentials === null ? {} : credentials ?? {
    SLOTWISE_TWILIO_ACCOUNT_SID: twilio.accountSid, SLOTWISE_TWILIO_AUTH_TOKEN: twilio.authToken,
    SLOTWISE_TWILIO_FROM: SMS_FROM, SLOTWISE_TWILIO_WHATSAPP_FROM: WHATSAPP_FROM,
  };
  const clean = { SLOTWISE_TWILIO_ACCOUNT_SID: '', SLOTWISE_TWILIO_AUTH_TOKEN: '', SLOTWISE_TWILIO_FROM: '', SLOTWISE_TWILIO_WHATSAPP_FROM: '',
    SLOTWISE_TWILIO_API_KEY_SID: '', SLOTWISE_TWILIO_API_KEY_SECRET: '' };
  return startServer(db, {
    env: { ...clean, ...env },
    args: ['--job-poll', '0.2', '--job-backoff', '0.2:0.5', '--allow-private-targets', '--twilio-api-base', twilio.url, ...args],
  });
}

function notifications(overrides = {}) {
  return { provider_email: null, provider_phone: PROVIDER_PHONE,
    provider: { email: [], sms: ['booking.created', 'booking.cancelled'], whatsapp: [], push: [] }, client: ['email', 'sms'], ...overrides };
}

async function provider(base, id, settings) {
  await putProvider(base, id, { ...providerConfig(), notifications: settings });
}

const sqlText = (s) => `'${s.replace(/'/g, "''")}'`;
const smsJobs = (db) => db.sql("SELECT key, state, attempts, COALESCE(last_error, '') FROM jobs WHERE kind = 'sms.send' ORDER BY id")
  .map(([key, state, attempts, error]) => ({ key, state, attempts: Number(attempts), error }));
// Every booking.event job of these bookings has run: the fan-out has queued every text it owes.
const eventsDone = (db, ids) => {
  const rows = db.sql(`SELECT state FROM jobs WHERE kind = 'booking.event' AND (${ids.map((id) => `key LIKE ${sqlText(`booking.event:${id}:%`)}`).join(' OR ')})`);
  return rows.length > 0 && rows.every(([state]) => state === 'done');
};
const settled = (db) => smsJobs(db).every((j) => j.state === 'done' || j.state === 'dead');
const accepted = (twilio, to) => twilio.messages.filter((m) => m.to === to);

async function booked(base, body) {
  const r = await book(base, body);
  assert.equal(r.status, 201, r.text);
  return r.json.booking;
}

test('a client with a phone and a provider with SMS on: created and cancelled texts in their language, at their time', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio);
  await until('the SMS line of the start', () => /sms: Twilio http:\/\/127\.0\.0\.1:\d+, account AC\w+, SMS from \+15005550006/.test(server.output()));
  await provider(server.url, 'p1', notifications());
  // 10:00Z on Tuesday 24 November: 11:00 in Berlin, 23:00 in Auckland.
  const start = slotAt(1, 180);
  const b = await booked(server.url, { provider: 'p1', service: 's30', start, locale: 'de-DE', time_zone: 'Pacific/Auckland',
    client: { ...client(1), phone: '+64 21 123 4567' } });
  await until('two texts', () => twilio.messages.length >= 2);
  const clientText = accepted(twilio, '+64211234567');
  assert.deepEqual(clientText.map((m) => m.body), ['Test Clinic: Ihr Termin Checkup am Di. 24. Nov., 23:00 Uhr (Pacific/Auckland) ist bestätigt.']);
  assert.deepEqual(accepted(twilio, PROVIDER_PHONE).map((m) => m.body), ['New booking: Client 1, Checkup, Tue 24 Nov, 11:00 (Europe/Berlin).']);

  const r = await request(server.url, 'POST', `/v1/bookings/${b.id}/cancel?token=${b.manage_token}`, { body: { reason: 'Flug verschoben' } });
  assert.equal(r.status, 200, r.text);
  await until('four texts', () => twilio.messages.length >= 4);
  await until('all sent', () => settled(db) && eventsDone(db, [b.id]));
  assert.deepEqual(accepted(twilio, '+64211234567').map((m) => m.body).slice(1),
    ['Ihr Termin Checkup bei Test Clinic am Di. 24. Nov., 23:00 Uhr (Pacific/Auckland) ist storniert. Grund: Flug verschoben']);
  assert.deepEqual(accepted(twilio, PROVIDER_PHONE).map((m) => m.body).slice(1),
    ['Client 1 cancelled: Checkup, Tue 24 Nov, 11:00 (Europe/Berlin). Reason: Flug verschoben']);
  assert.equal(twilio.messages.length, 4, 'each text once');

  // The requests as Twilio documents them, read back by Node's own decoder.
  for (const rec of twilio.requests) {
    assert.equal(rec.method, 'POST');
    assert.equal(rec.path, `/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    assert.equal(rec.user, twilio.accountSid);
    assert.equal(rec.contentType, 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.keys(rec.fields), ['To', 'From', 'Body']);
    assert.equal(rec.fields.From, SMS_FROM);
    assert.equal(rec.answer.status, 201);
  }
  assert.deepEqual(smsJobs(db).map((j) => [j.state, j.attempts]), [['done', 1], ['done', 1], ['done', 1], ['done', 1]]);
  assert.match(server.output(), /sms sms\.send:\S+ to \+64\*+67: sent, Twilio SM[0-9a-f]{32} queued/);
});

test('WhatsApp: to and from whatsapp: numbers, for the accept, reject, reschedule and cancel journeys', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio);
  await provider(server.url, 'p1', notifications({ client: ['whatsapp'],
    provider: { email: [], sms: [], whatsapp: ['booking.created', 'booking.cancelled', 'booking.rescheduled'], push: [] } }));
  const phone = { ...client(2), phone: '+33 6 12 34 56 78' };
  // Two requests (the video service waits for the provider): one accepted, then moved, then cancelled; one rejected.
  const accept = await booked(server.url, { provider: 'p1', service: 'video', start: slotAt(1, 60), locale: 'fr-FR', client: phone });
  const reject = await booked(server.url, { provider: 'p1', service: 'video', start: slotAt(1, 120), locale: 'es', client: phone });
  const call = (b, path, query = '', body = {}) => request(server.url, 'POST', `/v1/bookings/${b.id}/${path}${query}`, { headers: query ? {} : admin, body });
  assert.equal((await call(accept, 'confirm')).status, 200);
  assert.equal((await call(reject, 'decline', '', { reason: 'en congé' })).status, 200);
  assert.equal((await call(accept, 'reschedule', `?token=${accept.manage_token}`, { start: slotAt(2, 60) })).status, 200);
  assert.equal((await call(accept, 'cancel', `?token=${accept.manage_token}`)).status, 200);
  // Six texts to the client, four to the provider (not the confirm and decline it made itself).
  await until('every event fanned out and every text settled', () => eventsDone(db, [accept.id, reject.id]) && smsJobs(db).length === 10 && settled(db));
  const link = (await request(server.url, 'GET', `/v1/bookings/${accept.id}?token=${accept.manage_token}`)).json.booking.meeting_link;
  assert.match(link, /^https:\/\/meet\.example\.test\//);

  const to = 'whatsapp:+33612345678';
  for (const rec of twilio.requests) {
    assert.match(rec.fields.To, /^whatsapp:\+[1-9]\d+$/);
    assert.equal(rec.fields.From, `whatsapp:${WHATSAPP_FROM}`);
  }
  // Times in the provider's zone (the booking gave none): 08:00Z is 09:00 in Berlin.
  const clientTexts = accepted(twilio, to).map((m) => m.body).sort();
  assert.deepEqual(clientTexts, [
    'Test Clinic a bien reçu votre demande pour Video call le mar. 24 nov. à 09:00 (Europe/Berlin). Vous serez prévenu dès sa confirmation.',
    'Test Clinic a confirmé votre rendez-vous Video call le mar. 24 nov. à 09:00 (Europe/Berlin). Lien : ' + link,
    'Test Clinic ha recibido su solicitud de Video call el mar. 24 nov. a las 10:00 (Europe/Berlin). Le avisaremos cuando esté confirmada.',
    'Test Clinic no puede aceptar su solicitud de Video call el mar. 24 nov. a las 10:00 (Europe/Berlin). Motivo: en congé',
    'Votre rendez-vous Video call avec Test Clinic est déplacé du mar. 24 nov. à 09:00 (Europe/Berlin) au mer. 25 nov. à 09:00 (Europe/Berlin). Lien : ' + link,
    'Votre rendez-vous Video call avec Test Clinic le mer. 25 nov. à 09:00 (Europe/Berlin) est annulé.',
  ].sort());
  assert.deepEqual(accepted(twilio, `whatsapp:${PROVIDER_PHONE}`).map((m) => m.body).sort(), [
    'Client 2 cancelled: Video call, Wed 25 Nov, 09:00 (Europe/Berlin).',
    'Moved: Client 2, Video call, from Tue 24 Nov, 09:00 (Europe/Berlin) to Wed 25 Nov, 09:00 (Europe/Berlin).',
    'New request to confirm: Client 2, Video call, Tue 24 Nov, 09:00 (Europe/Berlin).',
    'New request to confirm: Client 2, Video call, Tue 24 Nov, 10:00 (Europe/Berlin).',
  ].sort());
});

test('no phone, a phone that is not E.164, or SMS off for clients: nothing is sent, and the odd phone is logged', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio);
  await provider(server.url, 'on', notifications({ provider_phone: null }));
  await provider(server.url, 'off', notifications({ client: ['email'], provider_phone: null }));
  const { phone, ...noPhone } = client(3);
  const ids = [];
  ids.push((await booked(server.url, { provider: 'on', service: 's30', start: slotAt(1, 0), client: noPhone })).id);
  ids.push((await booked(server.url, { provider: 'on', service: 's30', start: slotAt(1, 30), client: { ...client(4), phone: '030 1234567' } })).id);
  ids.push((await booked(server.url, { provider: 'off', service: 's30', start: slotAt(1, 0), client: client(5) })).id);
  await until('the events fanned out', () => eventsDone(db, ids));
  assert.deepEqual(smsJobs(db), []);
  assert.equal(twilio.requests.length, 0);
  await until('the log line of the odd phone', () => /sms: booking bk_\S+: the client's phone is not an E\.164 number \(\+country code and digits\), no text/.test(server.output()), 5000);
  assert.ok(!server.output().includes('030 1234567'), 'the number itself is not logged');
});

test('429, 500 and a dropped connection, then success: retried, sent once', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio);
  await provider(server.url, 'p1', notifications({ provider_phone: null }));
  twilio.failNext(20429, 20500, 'drop');
  const b = await booked(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 0), client: { ...client(6), phone: '+4915112345678' } });
  await until('the text sent', () => eventsDone(db, [b.id]) && smsJobs(db).length === 1 && settled(db), 60000);
  assert.deepEqual(smsJobs(db).map((j) => [j.state, j.attempts]), [['done', 4]]);
  assert.deepEqual(twilio.requests.map((r) => r.answer.status), [429, 500, 0, 201]);
  assert.equal(twilio.messages.length, 1);
  assert.match(server.output(), /attempt 1\/\d+ will be retried: TWILIO_RATE_LIMITED 20429: Too Many Requests/);
  assert.match(server.output(), /attempt 2\/\d+ will be retried: TWILIO_UNAVAILABLE 20500/);
  assert.match(server.output(), /attempt 3\/\d+ will be retried: TWILIO_UNREACHABLE/);
});

test('21211 (invalid To): dead at once with Twilio\'s error, never retried, the booking unaffected', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio);
  await provider(server.url, 'p1', notifications({ provider_phone: null }));
  // Twilio's magic test number for an invalid To.
  const b = await booked(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 0), client: { ...client(7), phone: '+15005550001' } });
  await until('the text settled', () => eventsDone(db, [b.id]) && smsJobs(db).length === 1 && settled(db));
  const [job] = smsJobs(db);
  assert.equal(job.state, 'dead');
  assert.equal(job.attempts, 1);
  assert.match(job.error, /^TWILIO_REJECTED 21211: The 'To' number is not a valid phone number\. .*\(https:\/\/www\.twilio\.com\/docs\/errors\/21211\)$/);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(twilio.requests.length, 1, 'not retried');
  const r = await request(server.url, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`);
  assert.equal(r.json.booking.status, 'CONFIRMED');
});

test('wrong credentials: 401, the text dead with a clear log line', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio, { credentials: {
    SLOTWISE_TWILIO_ACCOUNT_SID: twilio.accountSid, SLOTWISE_TWILIO_AUTH_TOKEN: 'wrong-token', SLOTWISE_TWILIO_FROM: SMS_FROM } });
  await provider(server.url, 'p1', notifications({ provider_phone: null }));
  const b = await booked(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 0), client: { ...client(8), phone: '+4915112345678' } });
  await until('the text settled', () => eventsDone(db, [b.id]) && smsJobs(db).length === 1 && settled(db));
  const [job] = smsJobs(db);
  assert.deepEqual([job.state, job.attempts], ['dead', 1]);
  assert.match(job.error, /^TWILIO_AUTH_FAILED 20003: Authentication Error/);
  assert.equal(twilio.requests.length, 1);
  assert.equal(twilio.requests[0].answer.status, 401);
  await until('the credentials log line', () => /sms: Twilio refused the credentials \(SLOTWISE_TWILIO_ACCOUNT_SID/.test(server.output()), 5000);
  assert.ok(!server.output().includes('wrong-token'), 'no secret in the log');
});

test('an API key instead of the auth token; a Messaging Service instead of From', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const keySid = 'SK' + '0123456789abcdef'.repeat(2);
  const twilio = await twilioServer({ apiKeys: { [keySid]: 'key-secret' } });
  const service = 'MG' + 'fedcba9876543210'.repeat(2);
  const server = await smsServer(db, twilio, { credentials: {
    SLOTWISE_TWILIO_ACCOUNT_SID: twilio.accountSid, SLOTWISE_TWILIO_API_KEY_SID: keySid, SLOTWISE_TWILIO_API_KEY_SECRET: 'key-secret',
    SLOTWISE_TWILIO_FROM: service } });
  await provider(server.url, 'p1', notifications({ provider_phone: null }));
  const b = await booked(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 0), client: { ...client(9), phone: '+4915112345678' } });
  await until('the text settled', () => eventsDone(db, [b.id]) && smsJobs(db).length === 1 && settled(db));
  assert.equal(smsJobs(db)[0].state, 'done');
  assert.equal(twilio.requests[0].user, keySid);
  assert.deepEqual(twilio.requests[0].fields, { To: '+4915112345678', MessagingServiceSid: service,
    Body: 'Test Clinic: your Checkup on Tue 24 Nov, 08:00 (Europe/Berlin) is confirmed.' });
  assert.equal(twilio.messages[0].status, 'accepted');
});

test('without credentials the channels are off, said once at start, and no text is queued', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const twilio = await twilioServer();
  const server = await smsServer(db, twilio, { credentials: null });
  await until('the start line', () => server.output().includes('sms: SMS and WhatsApp off'));
  assert.equal(server.output().split('sms: SMS and WhatsApp off').length, 2, 'said once');
  await provider(server.url, 'p1', notifications());
  const b = await booked(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 0), client: { ...client(10), phone: '+4915112345678' } });
  await until('the event fanned out', () => eventsDone(db, [b.id]));
  assert.deepEqual(smsJobs(db), []);
  assert.equal(twilio.requests.length, 0);
});

test('a bad --twilio-api-base or sender is said at start; --help names the flag and the variables', { timeout: 60000 }, async () => {
  const r = spawnSync(SERVER, ['--db', 'sqlite::memory:', '--twilio-api-base', 'ftp://twilio.example'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--twilio-api-base needs an http:\/\/ or https:\/\/ URL/);
  const odd = spawn(SERVER, ['--db', 'sqlite::memory:', '--listen', '127.0.0.1:0', '--twilio-api-base', 'http://127.0.0.1:9'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SLOTWISE_TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32), SLOTWISE_TWILIO_AUTH_TOKEN: 'secret-token', SLOTWISE_TWILIO_FROM: '0301234567',
      SLOTWISE_TWILIO_WHATSAPP_FROM: '' } });
  let out = '';
  odd.stdout.on('data', (d) => { out += d; });
  odd.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => odd.on('exit', resolve));
  try {
    await until('the SMS lines of the start', () => out.includes('sms: SMS and WhatsApp off'), 15000);
  } finally {
    odd.kill('SIGTERM');
    await exited;
  }
  assert.match(out, /sms: SLOTWISE_TWILIO_FROM '0301234567' is neither an E\.164 number, an alphanumeric sender ID nor a Messaging Service SID: SMS off/);
  assert.ok(!out.includes('secret-token'));
  const help = spawnSync(SERVER, ['--help'], { encoding: 'utf8' });
  for (const text of ['--twilio-api-base URL', 'SLOTWISE_TWILIO_ACCOUNT_SID', 'SLOTWISE_TWILIO_AUTH_TOKEN', 'SLOTWISE_TWILIO_FROM', 'SLOTWISE_TWILIO_WHATSAPP_FROM'])
    assert.ok(help.stdout.includes(text), text);
});
