// Shared harness of the widget's end-to-end tests: the real slotwise-server on
// a temporary SQLite database, serving a temporary copy of web/dist plus the
// test's own host pages, and Debian's Chromium driven by playwright-core.
// Everything started here is stopped and removed when the test ends.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const requireWeb = createRequire(join(repo, 'web', 'package.json'))
export const { chromium } = requireWeb('playwright-core')
export const axeSource = readFileSync(requireWeb.resolve('axe-core/axe.min.js'), 'utf8')

export const serverBin = process.env.SLOTWISE_SERVER || join(repo, 'build', 'bin', 'slotwise-server')
export const distDir = process.env.SLOTWISE_WEB_DIST || join(repo, 'web', 'dist')
export const engineDist = process.env.SLOTWISE_WASM_DIST || join(repo, 'build-wasm', 'dist')

// The fixed instant the server's clock starts at (SLOTWISE_NOW); the widget
// takes its `now` from the server's generated_at, so the browser follows.
// A Monday in March 2027: the US changes to summer time on the 14th, the EU
// on the 28th, New Zealand back to standard time on 4 April.
export const NOW = '2027-03-08T12:00:00Z'

export const STRICT_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
export const NO_WASM_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

const cleanups = []
let finished = false
export function onCleanup(fn) {
  cleanups.unshift(fn)
}
async function cleanupAll() {
  for (const fn of cleanups.splice(0)) {
    try {
      await fn()
    } catch { /* best effort */ }
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    await cleanupAll()
    process.exit(1)
  })
}
process.on('exit', () => {
  // Synchronous last resort for anything still running.
  for (const fn of cleanups) {
    try {
      fn(true)
    } catch { /* ignore */ }
  }
})

// Runs a test body with a hard time limit, always cleaning up.
export async function run(name, body, { timeoutMs = 150000 } = {}) {
  const timer = setTimeout(async () => {
    console.error(`FAIL ${name}: timed out after ${timeoutMs} ms`)
    await cleanupAll()
    process.exit(1)
  }, timeoutMs)
  const t0 = Date.now()
  try {
    await body()
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    process.exitCode = 0
  } catch (e) {
    console.error(`FAIL ${name}:`, e && e.stack ? e.stack : e)
    process.exitCode = 1
  } finally {
    clearTimeout(timer)
    finished = true
    await cleanupAll()
  }
}

export function requirePrerequisites() {
  const missing = []
  if (!existsSync(serverBin)) missing.push(`${serverBin} (cmake --build --preset native --target slotwise-server)`)
  if (!existsSync(join(distDir, 'widget.js'))) missing.push(`${distDir}/widget.js (node web/build.mjs)`)
  if (!existsSync('/usr/bin/chromium')) missing.push('/usr/bin/chromium (apt-get install chromium)')
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`)
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => res(port))
    })
  })
}

// A host page for the widget. `widgets` is a list of data-* attribute maps.
export function hostPage({ title = 'Host page', widgets = [], csp = STRICT_CSP, lang = 'en', body = '' } = {}) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  const tags = widgets.map((w) => `<script src="/widget.js" ${Object.entries(w).map(([k, v]) => `data-${k}="${esc(v)}"`).join(' ')} async></script>`)
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}
<link rel="icon" href="data:,"><link rel="stylesheet" href="/test-host.css">
<title>${esc(title)}</title></head><body><main><h1>${esc(title)}</h1>${body}${tags.join('\n')}</main></body></html>`
}

const HOST_CSS = 'body{margin:0;font-family:system-ui,sans-serif}@media (prefers-color-scheme:dark){body{background:#0b0d10;color:#e9ecf0}}main{max-width:960px;margin:0 auto;padding:16px}@media (max-width:480px){main{padding:16px 0}h1{padding:0 16px}}'

export async function startServer({ now = NOW, pages = {}, args = [] } = {}) {
  requirePrerequisites()
  const dir = mkdtempSync(join(tmpdir(), 'slotwise-web-test-'))
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  const webRoot = join(dir, 'www')
  cpSync(distDir, webRoot, { recursive: true })
  writeFileSync(join(webRoot, 'test-host.css'), HOST_CSS)
  for (const [name, html] of Object.entries(pages)) {
    mkdirSync(dirname(join(webRoot, name)), { recursive: true })
    writeFileSync(join(webRoot, name), html)
  }
  const token = 'test-admin-token-' + Math.random().toString(36).slice(2)
  const port = await freePort()
  const env = { ...process.env, SLOTWISE_ADMIN_TOKEN: token }
  if (now) env.SLOTWISE_NOW = now
  else delete env.SLOTWISE_NOW
  // CTest sets SLOTWISE_RECORD_DIR: the answers are then held to docs/openapi.json (server.openapi_contract).
  if (process.env.SLOTWISE_RECORD_DIR) {
    mkdirSync(process.env.SLOTWISE_RECORD_DIR, { recursive: true })
    args = [...args, '--record-exchanges', join(process.env.SLOTWISE_RECORD_DIR, `web-${process.pid}-${port}-${Date.now()}.jsonl`)]
  }
  const proc = spawn(serverBin, ['--db', `sqlite:${join(dir, 'slotwise.db')}`, '--listen', `127.0.0.1:${port}`,
    '--web-root', webRoot, '--access-log', 'off', '--rate-limit', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stdout.on('data', (d) => { log += d })
  proc.stderr.on('data', (d) => { log += d })
  const exited = new Promise((r) => proc.on('exit', r))
  onCleanup(async (sync) => {
    if (proc.exitCode !== null || proc.signalCode) return
    proc.kill('SIGTERM')
    if (sync) return
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(t)
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 15000
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`slotwise-server exited (${proc.exitCode}):\n${log}`)
    try {
      const r = await fetch(`${url}/healthz`)
      if (r.ok) break
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`slotwise-server did not become healthy:\n${log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const api = async (method, path, body, headers = {}) => {
    const r = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    let json = null
    try { json = JSON.parse(text) } catch { /* not JSON */ }
    return { status: r.status, json, text, headers: r.headers }
  }
  return { url, token, api, dir, webRoot, log: () => log }
}

// A provider in Berlin, Mon-Fri 09:00-17:00, two services.
export function berlinProvider(overrides = {}) {
  const weekly = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' }))
  return {
    name: 'Dr. Jana Berger', kind: 'doctor', time_zone: 'Europe/Berlin', active: true,
    schedules: { default: { weekly } },
    services: [
      { id: 'consult', name: 'Consultation', durations: [30, 60], buffer_after_minutes: 0, min_notice_minutes: 60, max_advance_days: 180,
        price: { amount: 6000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false },
      { id: 'video', name: 'Video call', durations: [45], min_notice_minutes: 60,
        price: { amount: 4500, currency: 'EUR' }, cancellation_policy: 'moderate', virtual: true, requires_confirmation: true },
    ],
    ...overrides,
  }
}

export async function createProvider(server, id, config = berlinProvider()) {
  const r = await server.api('PUT', `/v1/providers/${id}`, config)
  if (r.status !== 200 && r.status !== 201) throw new Error(`PUT provider ${id}: ${r.status} ${r.text}`)
  return r.json
}

export async function launch(extraArgs = []) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs], headless: true })
  onCleanup(() => browser.close())
  return browser
}

// A page that records the widget's events, CSP violations and page errors.
export async function newPage(browser, { timezoneId = 'America/New_York', locale = 'en-US', viewport = { width: 1280, height: 900 }, ...rest } = {}) {
  const context = await browser.newContext({ timezoneId, locale, viewport, ...rest })
  const page = await context.newPage()
  await page.addInitScript(() => {
    window.__events = []
    window.__violations = []
    for (const name of ['ready', 'date-selected', 'slot-selected', 'booked', 'error']) {
      document.addEventListener(`slotwise:${name}`, (e) => window.__events.push({ name, detail: e.detail, target: e.target.localName }))
    }
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`))
  })
  page.errors = []
  page.on('pageerror', (e) => page.errors.push(e.message))
  return page
}

export async function waitForEvent(page, name, count = 1, timeout = 30000) {
  await page.waitForFunction(([n, c]) => window.__events.filter((e) => e.name === n).length >= c, [name, count], { timeout })
  return page.evaluate((n) => window.__events.filter((e) => e.name === n).map((e) => e.detail), name)
}

export async function events(page, name) {
  return page.evaluate((n) => window.__events.filter((e) => !n || e.name === n), name)
}

export async function assertClean(page) {
  const violations = await page.evaluate(() => window.__violations)
  if (violations.length) throw new Error(`CSP violations: ${violations.join('; ')}`)
  if (page.errors.length) throw new Error(`page errors: ${page.errors.join('; ')}`)
  // A screen change the booking flow's table (web/src/flow.js) does not allow.
  const moves = await page.evaluate(() => window.__events.filter((e) => e.name === 'error' && e.detail.code === 'INVALID_MOVE').map((e) => e.detail.message))
  if (moves.length) throw new Error(`screen changes outside the flow: ${moves.join('; ')}`)
}

// The widget's month label and navigation, driven like a visitor would.
export async function gotoMonth(widget, label) {
  for (let i = 0; i < 36; i++) {
    const current = (await widget.locator('#month-label').textContent()).trim()
    if (current === label) return
    await widget.locator('button[aria-label="Next month"]').click()
    await widget.locator('.calendar[aria-busy=false]').waitFor()
  }
  throw new Error(`month ${label} not reached`)
}

export async function shownTimes(widget) {
  return (await widget.locator('.slot').allTextContents()).map((s) => s.trim())
}

// The Node build of the same WebAssembly engine, for expected answers.
export async function nodeEngine() {
  const manifest = JSON.parse(readFileSync(join(engineDist, 'manifest.json'), 'utf8'))
  void manifest
  const factory = createRequire(import.meta.url)(join(engineDist, 'slotwise-engine.node.cjs'))
  return factory({ wasmBinary: readFileSync(join(engineDist, 'slotwise-engine.node.wasm')) })
}

export async function runAxe(page, label) {
  await page.evaluate(axeSource)
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  }))
  const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' > ') + ' ' + n.failureSummary.replace(/\n/g, ' ')).join('\n    ')}`)
  if (violations.length) throw new Error(`axe violations in state "${label}":\n  ${violations.join('\n  ')}`)
  return result.passes?.length ?? 0
}

export function isFinished() {
  return finished
}

// The booking form, as a visitor fills it.
export async function fillDetails(widget, name, email) {
  await widget.locator('#name').fill(name)
  await widget.locator('#email').fill(email)
}

export async function submitDetails(widget, name, email) {
  await fillDetails(widget, name, email)
  await widget.locator('button[type=submit]').click()
}

// The widget's zone picker (<slotwise-zone-picker>), driven like a visitor:
// search, then Enter on the best match.
export async function chooseZone(widget, query) {
  const input = widget.locator('#zone input[role=combobox]')
  await input.fill(query)
  await input.press('Enter')
}
