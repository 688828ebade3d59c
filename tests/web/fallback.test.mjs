// WebAssembly disabled (V8 --jitless: no WebAssembly object) or blocked (a CSP without
// 'wasm-unsafe-eval'): the widget asks the server's /slots instead, looks the
// same, and still books. The host page is never reloaded.
import assert from 'node:assert/strict'
import { chooseZone, assertClean, createProvider, hostPage, launch, newPage, NO_WASM_CSP, run, shownTimes, startServer, submitDetails, waitForEvent } from './lib.mjs'

await run('web fallback without WebAssembly', async () => {
  const server = await startServer({
    pages: {
      'book.html': hostPage({ title: 'Book', widgets: [{ provider: 'berlin', service: 'consult' }] }),
      'no-wasm-csp.html': hostPage({ title: 'Book', csp: NO_WASM_CSP, widgets: [{ provider: 'berlin', service: 'consult' }] }),
    },
  })
  await createProvider(server, 'berlin')

  const expectedTimes = async (date, zone) => {
    const r = await fetch(`${server.url}/v1/providers/berlin/slots?service=consult&from=${date}&to=${date}&time_zone=${encodeURIComponent(zone)}`)
    return (await r.json()).slots.map((s) => s.start)
  }

  // 1. V8 without WebAssembly at all.
  // V8 in jitless mode has no WebAssembly object at all (as in Safari's Lockdown Mode).
  const noWasm = await launch(['--js-flags=--jitless'])
  const page = await newPage(noWasm)
  await page.goto(`${server.url}/book.html`)
  assert.equal(await page.evaluate(() => typeof WebAssembly), 'undefined')
  const [ready] = await waitForEvent(page, 'ready')
  assert.equal(ready.engine, 'server')
  await page.evaluate(() => { window.__marker = 'same document' })
  const w = page.locator('slotwise-booking')
  await w.locator('[data-date="2027-03-15"]').click()
  const starts = await w.locator('.slot').evaluateAll((els) => els.map((b) => b.dataset.start))
  assert.deepEqual(starts, await expectedTimes('2027-03-15', 'America/New_York'))
  assert.equal((await shownTimes(w))[0], '4:00 AM')
  // Zone change goes to the server too.
  await chooseZone(w, 'Tokyo')
  await w.locator('.calendar[aria-busy=false]').waitFor()
  await w.locator('[data-date="2027-03-15"]').click()
  await w.locator('#times-heading', { hasText: 'Monday, March 15' }).waitFor()
  assert.deepEqual(await w.locator('.slot').evaluateAll((els) => els.map((b) => b.dataset.start)), await expectedTimes('2027-03-15', 'Asia/Tokyo'))
  await w.locator('.slot').first().click()
  await submitDetails(w, 'No Wasm', 'nowasm@example.org')
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.timeZone, 'Asia/Tokyo')
  assert.equal(await page.evaluate(() => window.__marker), 'same document', 'the host page was not reloaded')
  await assertClean(page)

  // 2. A host CSP that does not allow compiling WebAssembly.
  const browser = await launch()
  const csp = await newPage(browser)
  await csp.goto(`${server.url}/no-wasm-csp.html`)
  const [ready2] = await waitForEvent(csp, 'ready')
  assert.equal(ready2.engine, 'server')
  const c = csp.locator('slotwise-booking')
  await c.locator('[data-date="2027-03-16"]').click()
  await c.locator('.slot').nth(3).click()
  await submitDetails(c, 'Strict Host', 'strict@example.org')
  const [booked2] = await waitForEvent(csp, 'booked')
  const list = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
  const ids = (list.json.bookings || list.json).map((b) => b.id)
  assert.ok(ids.includes(booked.bookingId) && ids.includes(booked2.bookingId))
  assert.equal(csp.errors.length, 0, csp.errors.join('; '))
})
