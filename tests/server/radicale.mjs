// A real CalDAV server for tests: Debian's Radicale (3.x) on a free loopback
// port, with its own temporary storage folder and an htpasswd file of bcrypt
// hashes written by Apache's htpasswd, so the calendar code meets a server
// it did not write.
//
//   const radicale = await startRadicale({ users: { alice: 'secret' } });
//   radicale.url             // 'http://127.0.0.1:PORT/'
//   await radicale.makeCalendar('alice', 'work', { name: 'Work' });  // MKCALENDAR, VEVENT only
//   await radicale.putEvent('alice', 'work', 'a.ics', icsText);      // PUT, answers {status, etag}
//   await radicale.stop();
//
// Radicale creates a user's principal collection on that user's first
// authenticated request; makeCalendar makes one first. Failed logins are not
// delayed (auth delay 0) so tests that try a wrong password stay fast.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// One HTTP exchange with Basic auth; resolves {status, headers, body}, never rejects on an HTTP status.
export function davRequest(url, method, { user, password, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (user !== undefined) h.authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
    const req = http.request(url, { method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.end(body);
  });
}

function escapeXml(text) {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

// Starts Radicale; `users` maps user names to passwords. Rejects if it does
// not answer within `timeoutMs` (with its log in the message).
export async function startRadicale({ users = {}, timeoutMs = 20000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotwise-radicale-'));
  const htpasswd = path.join(dir, 'users');
  fs.writeFileSync(htpasswd, '');
  for (const [user, password] of Object.entries(users)) {
    // -B bcrypt, -b password from the command line, -C cost 4 (the minimum: logins stay fast in tests).
    execFileSync('htpasswd', ['-B', '-C', '4', '-b', htpasswd, user, password], { stdio: 'pipe' });
  }
  const port = await freePort();
  const config = path.join(dir, 'config');
  fs.writeFileSync(config, [
    '[server]', `hosts = 127.0.0.1:${port}`,
    '[auth]', 'type = htpasswd', `htpasswd_filename = ${htpasswd}`, 'htpasswd_encryption = bcrypt', 'delay = 0',
    '[rights]', 'type = owner_only',
    '[storage]', `filesystem_folder = ${path.join(dir, 'collections')}`,
    '[web]', 'type = none',
    '[logging]', 'level = warning', '',
  ].join('\n'));
  const log = [];
  // Only this file: the machine's /etc/radicale/config must not change what the tests see.
  const child = spawn('radicale', ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log.push(d.toString()));
  child.stderr.on('data', (d) => log.push(d.toString()));
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}/`;

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (!exited) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`radicale exited (${JSON.stringify(exited)}): ${log.join('')}`);
    }
    try {
      // Any HTTP answer means it listens (without credentials: 401).
      const r = await davRequest(url, 'OPTIONS');
      if (r.status > 0) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`radicale did not answer on ${url} within ${timeoutMs} ms: ${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const auth = (user) => ({ user, password: users[user] });
  return {
    url,
    port,
    log,
    stop,
    // The URL of a user's calendar collection (trailing slash, as Radicale names collections).
    calendarUrl: (user, calendar) => `${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/`,
    async makeCalendar(user, calendar, { name = calendar, components = ['VEVENT'] } = {}) {
      // The first authenticated request makes the principal collection.
      await davRequest(`${url}${encodeURIComponent(user)}/`, 'PROPFIND', { ...auth(user), headers: { depth: '0' } });
      const comps = components.map((c) => `<C:comp name="${c}"/>`).join('');
      const body = '<?xml version="1.0" encoding="utf-8"?>\n' +
        '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>' +
        `<D:displayname>${escapeXml(name)}</D:displayname>` +
        `<C:supported-calendar-component-set>${comps}</C:supported-calendar-component-set>` +
        '</D:prop></D:set></C:mkcalendar>';
      const r = await davRequest(`${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/`, 'MKCALENDAR',
        { ...auth(user), headers: { 'content-type': 'application/xml; charset=utf-8' }, body });
      if (r.status !== 201) throw new Error(`MKCALENDAR ${calendar}: ${r.status} ${r.body}`);
      return `${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/`;
    },
    async putEvent(user, calendar, name, ics, headers = {}) {
      const r = await davRequest(`${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/${name}`, 'PUT',
        { ...auth(user), headers: { 'content-type': 'text/calendar; charset=utf-8', ...headers }, body: ics });
      return { status: r.status, etag: r.headers.etag };
    },
    async deleteEvent(user, calendar, name) {
      const r = await davRequest(`${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/${name}`, 'DELETE', auth(user));
      return r.status;
    },
    async getEvent(user, calendar, name) {
      return davRequest(`${url}${encodeURIComponent(user)}/${encodeURIComponent(calendar)}/${name}`, 'GET', auth(user));
    },
  };
}
