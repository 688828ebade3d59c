// Measures the widget's and the dashboard's budgets (web/README.md): gzipped sizes, load to a
// calendar with free days (median of 10 cold loads in headless Chromium on
// loopback), and month / time-zone re-render times. Needs web/dist (node
// web/build.mjs) and build/bin/slotwise-server (or SLOTWISE_SERVER).
//   node web/budget.mjs [--loads 10] [--json out.json]
// Exits 1 when a budget is exceeded.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createProvider, berlinProvider, distDir, hostPage, launch, newPage, run, startServer, waitForEvent } from '../tests/web/lib.mjs'

const args = process.argv.slice(2)
const loads = Number(args[args.indexOf('--loads') + 1]) || 10
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null

const KB = 1024
const budget = { dashboardGzip: 60 * KB, widgetGzip: 25 * KB, zonePickerGzip: 16 * KB, paymentGzip: 8 * KB, firstInteractionGzip: 180 * KB, loadMs: 300, rerenderMs: 16 }

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const gz = (buf) => gzipSync(buf, { level: 9 }).length

await run('web budget', async () => {
  const info = JSON.parse(readFileSync(join(distDir, 'build-info.json'), 'utf8'))
  const size = (f) => {
    const buf = readFileSync(join(distDir, f))
    return { raw: buf.length, gzip: gz(buf) }
  }
  const loader = size('widget.js')
  const widget = size(info.widget)
  const engineJs = size(info.engine.module)
  const engineWasm = size(info.engine.wasm)
  const widgetGzip = loader.gzip + widget.gzip
  // The zone picker: a chunk loaded when the visitor opens it, not with the widget.
  const zonePicker = info.zonePicker ? size(info.zonePicker) : null
  // The payment step: a chunk loaded only when a booking asks for a payment.
  const payment = info.payment ? size(info.payment) : null
  // The dashboard's own code (web/app/src): the engine and the zone picker
  // are the widget's files, cached once for both.
  const dashboard = info.dashboard ? size(info.dashboard) : null

  // The real clock (no SLOTWISE_NOW): the widget's first snapshot range is then the right one.
  const server = await startServer({
    now: null,
    pages: { 'budget.html': hostPage({ title: 'Budget', widgets: [{ provider: 'berlin', service: 'consult' }] }) },
  })
  await createProvider(server, 'berlin', berlinProvider())
  const snap = await fetch(`${server.url}/v1/providers/berlin/snapshot?from=2027-03-01&to=2027-04-30`)
  const snapshot = { raw: (await snap.clone().arrayBuffer()).byteLength, gzip: gz(Buffer.from(await snap.arrayBuffer())) }
  const firstInteractionGzip = widgetGzip + engineJs.gzip + engineWasm.gzip

  const browser = await launch()
  // Cold: a fresh browser context (empty HTTP and code caches) per load.
  // Measured twice: with Chromium's own Accept-Encoding (the server then
  // compresses with brotli per request), and asking for gzip only.
  let phases = {}
  const coldLoads = async (headers) => {
    phases = {}
    const times = []
    for (let i = 0; i < loads + 1; i++) {
      const page = await newPage(browser, headers ? { extraHTTPHeaders: headers } : {})
      await page.goto(`${server.url}/budget.html`)
      await waitForEvent(page, 'ready')
      const t = await page.evaluate(() => window.__events.find((e) => e.name === 'ready').detail.at)
      const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark')
        .filter((m) => m.name.startsWith('slotwise:')).map((m) => [m.name.slice(9), m.startTime])))
      if (i > 0) for (const [k, v] of Object.entries(marks)) (phases[k] ||= []).push(v)
      const hasFree = await page.locator('slotwise-booking button.day.free').count()
      if (!hasFree) throw new Error('calendar shows no free days')
      if (i > 0) times.push(t) // the first load also starts Chromium's processes
      await page.context().close()
    }
    return times
  }
  const brTimes = await coldLoads(null)
  const times = await coldLoads({ 'Accept-Encoding': 'gzip' })

  // Re-renders, in one warm page: month and zone changes, synchronous work
  // plus the style and layout the next frame needs.
  const page = await newPage(browser)
  await page.goto(`${server.url}/budget.html`)
  await waitForEvent(page, 'ready')
  const rerender = await page.evaluate(async () => {
    const host = document.querySelector('slotwise-booking')
    const root = host.shadowRoot
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
    const month = []
    const zone = []
    for (let i = 0; i < 20; i++) {
      const btn = root.querySelector(i % 2 ? 'button[aria-label="Previous month"]' : 'button[aria-label="Next month"]')
      const t0 = performance.now()
      btn.click()
      root.querySelector('table').getBoundingClientRect() // style + layout
      month.push(performance.now() - t0)
      await frame()
    }
    const zones = ['Asia/Tokyo', 'America/Los_Angeles', 'Europe/London', 'Pacific/Auckland']
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now()
      host.setZone(zones[i % zones.length])
      root.querySelector('table').getBoundingClientRect()
      zone.push(performance.now() - t0)
      await frame()
    }
    return { month, zone }
  })

  const result = {
    sizes: {
      loader: loader, widget, engineJs, engineWasm, snapshotTwoMonths: snapshot, zonePicker, payment, dashboard,
      widgetGzip, firstInteractionGzip,
    },
    loadToCalendarMs: { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times, acceptEncoding: 'gzip' },
    loadPhasesMedianMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, median(v)])),
    loadToCalendarBrotliMs: { median: median(brTimes), min: Math.min(...brTimes), max: Math.max(...brTimes), runs: brTimes, acceptEncoding: 'Chromium default (br)' },
    monthChangeMs: { median: median(rerender.month), max: Math.max(...rerender.month) },
    zoneChangeMs: { median: median(rerender.zone), max: Math.max(...rerender.zone) },
  }
  const f = (n) => n.toFixed(1)
  const kb = (n) => (n / KB).toFixed(1) + ' KB'
  console.log(`widget.js (loader)                  ${kb(loader.raw)} raw, ${kb(loader.gzip)} gz`)
  console.log(`${info.widget.padEnd(36)}${kb(widget.raw)} raw, ${kb(widget.gzip)} gz (JS + CSS)`)
  console.log(`${info.engine.module.padEnd(36)}${kb(engineJs.raw)} raw, ${kb(engineJs.gzip)} gz`)
  console.log(`${info.engine.wasm.padEnd(36)}${kb(engineWasm.raw)} raw, ${kb(engineWasm.gzip)} gz (zone data included)`)
  console.log(`snapshot, two months                ${kb(snapshot.raw)} raw, ${kb(snapshot.gzip)} gz`)
  console.log(`widget code gz:            ${kb(widgetGzip)}  (budget ${kb(budget.widgetGzip)})`)
  if (zonePicker) console.log(`zone picker chunk gz:      ${kb(zonePicker.gzip)}  (budget ${kb(budget.zonePickerGzip)}; ${info.zonePicker}, ${kb(zonePicker.raw)} raw, loaded on demand)`)
  if (payment) console.log(`payment step chunk gz:    ${kb(payment.gzip)}  (budget ${kb(budget.paymentGzip)}; ${info.payment}, ${kb(payment.raw)} raw, loaded only for a paid service, Stripe.js not counted)`)
  if (dashboard) console.log(`dashboard code gz:         ${kb(dashboard.gzip)}  (budget ${kb(budget.dashboardGzip)}; ${info.dashboard}, ${kb(dashboard.raw)} raw, English built in; engine and zone picker shared with the widget)`)
  for (const [lang, file] of Object.entries(info.dashboardStrings || {})) console.log(`  + ${lang} words gz:          ${kb(size(file).gzip)}  (${file}, fetched only in that language)`)
  console.log(`first interaction gz:      ${kb(firstInteractionGzip)}  (budget ${kb(budget.firstInteractionGzip)}; + snapshot ${kb(snapshot.gzip)})`)
  console.log(`load to calendar, ms (gzip): median ${f(result.loadToCalendarMs.median)}, min ${f(result.loadToCalendarMs.min)}, max ${f(result.loadToCalendarMs.max)} over ${times.length} cold loads (budget ${budget.loadMs})`)
  console.log(`  phases (median ms since navigation): ${Object.entries(result.loadPhasesMedianMs).map(([k, v]) => `${k} ${f(v)}`).join(', ')}`)
  console.log(`  same, Chromium's default Accept-Encoding (server brotli per request): median ${f(result.loadToCalendarBrotliMs.median)}, min ${f(result.loadToCalendarBrotliMs.min)}, max ${f(result.loadToCalendarBrotliMs.max)}`)
  console.log(`month change re-render ms: median ${f(result.monthChangeMs.median)}, max ${f(result.monthChangeMs.max)} (budget ${budget.rerenderMs})`)
  console.log(`zone change re-render ms:  median ${f(result.zoneChangeMs.median)}, max ${f(result.zoneChangeMs.max)} (budget ${budget.rerenderMs})`)
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n')
  const over = []
  if (widgetGzip > budget.widgetGzip) over.push('widget size')
  if (zonePicker && zonePicker.gzip > budget.zonePickerGzip) over.push('zone picker size')
  if (payment && payment.gzip > budget.paymentGzip) over.push('payment chunk size')
  if (dashboard && dashboard.gzip > budget.dashboardGzip) over.push('dashboard size')
  if (firstInteractionGzip > budget.firstInteractionGzip) over.push('first-interaction size')
  if (result.loadToCalendarMs.median > budget.loadMs) over.push('load to calendar')
  if (result.monthChangeMs.median > budget.rerenderMs) over.push('month re-render')
  if (result.zoneChangeMs.median > budget.rerenderMs) over.push('zone re-render')
  if (over.length) throw new Error(`over budget: ${over.join(', ')}`)
}, { timeoutMs: 300000 })
