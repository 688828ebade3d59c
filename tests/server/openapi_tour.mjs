// A representative tour of the API for server.openapi_contract when it runs
// alone (no recordings from the server suites): a real server on a fresh
// SQLite file, records its own answers, and calls the public, provider,
// account, webhook, calendar-feed and operations routes, with the usual
// refusals. Resolves the recorded exchanges.
import fs from 'node:fs';
import path from 'node:path';

import {
  admin, book, cleanupAll, client, freshDatabase, providerConfig, putProvider, request, signIn, slotAt, startServer, tempDir,
} from './harness.mjs';

export async function tour() {
  const recordings = tempDir('slotwise-tour-');
  const file = path.join(recordings, 'tour.jsonl');
  const db = await freshDatabase();
  const server = await startServer(db, { args: ['--mail-dir', tempDir('slotwise-tour-mail-'), '--job-poll', '0.1', '--record-exchanges', file] });
  const u = server.url;
  try {
    // Operations and the public side.
    const spec = await request(u, 'GET', '/v1/openapi.json');
    await request(u, 'GET', '/v1/openapi.json', { headers: { 'if-none-match': spec.headers.etag } });
    await request(u, 'GET', '/healthz');
    await request(u, 'GET', '/v1/no-such-thing');
    await request(u, 'GET', '/v1/providers/nobody/snapshot');
    await putProvider(u, 'tour');
    await putProvider(u, 'tour');  // 200: replaced
    await request(u, 'PUT', '/v1/providers/tour', { body: { name: 'x' }, headers: admin });
    await request(u, 'PUT', '/v1/providers/tour', { body: '{', headers: { ...admin, 'content-type': 'application/json' } });
    await request(u, 'GET', '/v1/providers/tour', { headers: admin });
    await request(u, 'GET', '/v1/providers/tour');
    await request(u, 'GET', '/v1/providers/tour', { headers: { authorization: 'Bearer wrong-token-wrong-token-123' } });
    await request(u, 'GET', '/v1/providers/tour/snapshot?from=2026-11-23&to=2026-11-30');
    await request(u, 'GET', '/v1/providers/tour/snapshot?from=2026-11-23&to=2029-11-30');
    await request(u, 'GET', '/v1/providers/tour/slots?service=s30&from=2026-11-24&to=2026-11-25&time_zone=America/New_York');
    await request(u, 'GET', '/v1/providers/tour/slots?service=s30&time_zone=Mars/Olympus');
    await request(u, 'GET', '/v1/providers/tour/slots');
    await request(u, 'GET', '/v1/push/vapid-public-key');

    // A booking's life, with the refusals around it.
    const booking = { provider: 'tour', service: 's30', start: slotAt(2, 120), client: client(1), time_zone: 'Europe/Paris', locale: 'fr' };
    const key = 'tour-key-1';
    const made = await book(u, booking, key);
    await book(u, booking, key);  // replayed
    await book(u, { ...booking, notes: 'other' }, key);  // reused key
    await book(u, { ...booking, client: client(2) });  // slot taken
    await book(u, { ...booking, start: slotAt(2, 121), client: client(3) });  // off grid
    await book(u, { ...booking, service: 'nope' });
    await request(u, 'POST', '/v1/bookings', { body: booking });  // no key
    await book(u, { provider: 'tour' });
    const id = made.json.booking.id, token = made.json.booking.manage_token;
    await request(u, 'GET', `/v1/bookings/${id}?token=${token}`);
    await request(u, 'GET', `/v1/bookings/${id}`);
    await request(u, 'GET', `/v1/bookings/${id}?token=wrong`);
    await request(u, 'GET', `/v1/bookings/${id}.ics?token=${token}`);
    await request(u, 'GET', `/v1/providers/tour/snapshot?reschedule=${id}&token=${token}`);
    await request(u, 'POST', `/v1/bookings/${id}/reschedule?token=${token}`, { body: { start: slotAt(3, 120) } });
    await request(u, 'POST', `/v1/bookings/${id}/complete`, { headers: admin });
    await request(u, 'GET', `/v1/bookings/${id}/history`, { headers: admin });
    await request(u, 'POST', `/v1/bookings/${id}/cancel?token=${token}`, { body: { reason: 'tour' } });
    await request(u, 'POST', `/v1/bookings/${id}/cancel?token=${token}`, {});
    const pending = await book(u, { ...booking, service: 'video', start: slotAt(4, 120) });
    await request(u, 'POST', `/v1/bookings/${pending.json.booking.id}/confirm`, { headers: admin });
    const declined = await book(u, { ...booking, service: 'video', start: slotAt(5, 120), client: client(4) });
    await request(u, 'POST', `/v1/bookings/${declined.json.booking.id}/decline`, { headers: admin, body: { reason: 'full' } });
    await request(u, 'POST', `/v1/bookings/${pending.json.booking.id}/no-show`, { headers: admin });
    await request(u, 'POST', `/v1/bookings/${id}/verify?token=${token}`, { body: { code: '123456' } });
    await request(u, 'GET', '/v1/providers/tour/bookings?from=2026-11-20&to=2026-12-31', { headers: admin });
    await request(u, 'GET', '/v1/providers/tour/clients', { headers: admin });

    // Accounts and what an account owns.
    const me = await signIn(server, 'tour-owner@example.com');
    const bearer = { authorization: `Bearer ${me.token}` };
    await request(u, 'POST', '/v1/auth/session', { body: { challenge: 'nope', code: '12345678' } });
    await request(u, 'GET', '/v1/me', { headers: bearer });
    await request(u, 'GET', '/v1/me', { headers: { cookie: me.cookie } });
    await request(u, 'GET', '/v1/auth/sessions', { headers: bearer });
    const apiKey = await request(u, 'POST', '/v1/api-keys', { headers: bearer, body: { name: 'tour' } });
    await request(u, 'GET', '/v1/api-keys', { headers: bearer });
    await request(u, 'DELETE', `/v1/api-keys/${apiKey.json.id}`, { headers: bearer });
    await request(u, 'DELETE', '/v1/api-keys/nope', { headers: bearer });
    await request(u, 'PUT', '/v1/providers/tour-own', { headers: bearer, body: providerConfig({ services: providerConfig().services.slice(0, 1) }) });
    await request(u, 'PUT', '/v1/providers/tour', { headers: bearer, body: { name: 'x' } });
    const hook = await request(u, 'POST', '/v1/providers/tour-own/webhooks', { headers: bearer, body: { url: 'https://hooks.example.com/x', events: ['booking.created'] } });
    await request(u, 'POST', '/v1/providers/tour-own/webhooks', { headers: bearer, body: { url: 'http://127.0.0.1/x', events: ['booking.created'] } });
    await request(u, 'GET', '/v1/providers/tour-own/webhooks', { headers: bearer });
    await request(u, 'PATCH', `/v1/providers/tour-own/webhooks/${hook.json.id}`, { headers: bearer, body: { enabled: false } });
    await request(u, 'GET', `/v1/providers/tour-own/webhooks/${hook.json.id}/deliveries`, { headers: bearer });
    await request(u, 'POST', `/v1/providers/tour-own/webhooks/${hook.json.id}/deliveries/nope/redeliver`, { headers: bearer });
    await request(u, 'DELETE', `/v1/providers/tour-own/webhooks/${hook.json.id}`, { headers: bearer });
    const feed = await request(u, 'POST', '/v1/providers/tour-own/calendar-feed', { headers: bearer });
    if (feed.json?.url) await request(u, 'GET', new URL(feed.json.url).pathname);
    await request(u, 'GET', '/v1/providers/tour-own/calendars', { headers: bearer });
    await request(u, 'POST', '/v1/providers/tour-own/calendars', { headers: bearer, body: { kind: 'nope' } });
    await request(u, 'GET', '/v1/me/push-subscriptions', { headers: bearer });
    await request(u, 'POST', '/v1/me/push-subscriptions', { headers: bearer, body: { endpoint: 'http://x' } });
    await request(u, 'GET', '/v1/booking-actions/forged', { headers: { accept: 'application/json' } });
    await request(u, 'POST', '/v1/payments/stripe/webhook', { body: {} });
    await request(u, 'GET', '/v1/me/export', { headers: bearer });
    await request(u, 'PUT', `/v1/accounts/${me.account.id}/plan`, { headers: admin, body: { plan: 'pro' } });
    await request(u, 'POST', '/v1/clients/erase', { headers: admin, body: { email: 'client4@example.com' } });
    await request(u, 'DELETE', '/v1/auth/sessions', { headers: { cookie: me.cookie, origin: 'https://evil.example' } });
    await request(u, 'DELETE', '/v1/auth/session', { headers: bearer });
    await request(u, 'GET', '/v1/me', { headers: bearer });
  } finally {
    await server.stop();
  }
  const exchanges = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  await cleanupAll();
  return exchanges;
}
