// The onboarding (web/app/src/screens/onboarding.js) in Chromium against the
// real server, the walk: a newcomer signs in with the mailed code,
// onboards (a taken id answered at the field with a suggestion), copies the
// snippet, and a visitor books through that snippet on a page of another
// origin (a second HTTP server) — all within two minutes, measured. Then the
// whole onboarding by keyboard alone (only key presses), errors at the
// fields, the zone changed with the shared zone picker; axe in every step and
// state; a 320 px screenshot.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { assertClean, createProvider, launch, newPage, onCleanup, repo, run, runAxe, submitDetails, waitForEvent } from './lib.mjs'
import { screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'

const screen = 'sw-dashboard sw-screen-onboarding'

// A provider's own website on another origin: the snippet pasted as it came
// from the dashboard, under a CSP that names only the Slotwise server.
async function startHostSite (slotwiseOrigin, snippet) {
  const csp = `default-src 'none'; script-src ${slotwiseOrigin} 'wasm-unsafe-eval'; connect-src ${slotwiseOrigin}; style-src 'self'; img-src 'self' data:`
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="icon" href="data:,"><title>Ada's practice</title></head>
<body><h1>Book with Dr. Ada Lovelace</h1>${snippet}</body></html>`
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    res.end(req.url === '/' ? page : 'not found')
  })
  await new Promise((resolve) => server.listen(0, 'localhost', resolve))
  onCleanup(() => server.close())
  return `http://localhost:${server.address().port}/`
}

// The deepest focused element's id (through shadow roots).
const focusedId = (page) => page.evaluate(() => {
  let el = document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el?.id || el?.tagName
})

// Tab (only the key) until the element with `id` has focus.
async function tabTo (page, id, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await focusedId(page) === id) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached #${id} (at ${await focusedId(page)})`)
}

const stepHeading = (page) => page.locator(`${screen} h2`).textContent()

await run('dashboard onboarding', async () => {
  const server = await startDashboardServer()
  // An id some other owner already holds (here the operator's).
  await createProvider(server, 'dr-ada-lovelace')
  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'Europe/Berlin', permissions: ['clipboard-read', 'clipboard-write'] })

  const started = Date.now()
  await signIn(page, server, 'ada@example.com')
  await page.waitForURL(/\/app\/onboarding/)
  await page.locator(`${screen} #name`).waitFor()
  assert.equal((await screenHeading(page)).text, 'Set up your practice')
  // The zone detected from the browser, in the shared zone picker.
  await page.locator(`${screen} slotwise-zone-picker input[role=combobox]`).waitFor()
  assert.equal(await page.locator(`${screen} slotwise-zone-picker`).evaluate((el) => el.value), 'Europe/Berlin')
  await runAxe(page, 'onboarding: practice')

  // Next without a name: the error at the field, which gets focus.
  await page.locator(`${screen} button[type=submit]`).click()
  await page.locator(`${screen} #name-error`).waitFor()
  assert.equal(await focusedId(page), 'name')
  assert.equal(await page.locator(`${screen} #name`).getAttribute('aria-invalid'), 'true')
  await runAxe(page, 'onboarding: practice with an error')

  await page.locator(`${screen} #name`).fill('Dr. Ada Lovelace')
  await page.locator(`${screen} #kind`).selectOption('consultant')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.waitForURL(/step=hours/)
  assert.match(await stepHeading(page), /Opening hours/)
  // The preset: Monday to Friday, 09:00-17:00.
  assert.equal(await page.locator(`${screen} #mon-start`).inputValue(), '09:00')
  assert.equal(await page.locator(`${screen} #fri-end`).inputValue(), '17:00')
  assert.equal(await page.locator(`${screen} #sat-open`).isChecked(), false)
  // Each step fits 320 px; here the widest, the week's rows.
  await page.setViewportSize({ width: 320, height: 900 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px (hours)')
  await runAxe(page, 'onboarding: hours at 320 px')
  await page.setViewportSize({ width: 1280, height: 900 })
  // An end before the start is said at that day.
  await page.locator(`${screen} #wed-end`).fill('08:00')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.locator(`${screen} #wed-error`).waitFor()
  await runAxe(page, 'onboarding: hours with an error')
  await page.locator(`${screen} #wed-end`).fill('17:00')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.waitForURL(/step=service/)
  await runAxe(page, 'onboarding: service')
  // Back returns with what was entered kept.
  await page.locator(`${screen} button.secondary`, { hasText: 'Back' }).click()
  await page.waitForURL(/step=hours/)
  assert.equal(await page.locator(`${screen} #wed-end`).inputValue(), '17:00')
  await page.goBack()
  await page.waitForURL(/step=service/)
  await page.locator(`${screen} #serviceName`).fill('Consultation')
  // A reload keeps the step and what was typed.
  await page.reload()
  await page.locator(`${screen} #serviceName`).waitFor()
  assert.equal(await page.locator(`${screen} #serviceName`).inputValue(), 'Consultation')
  await page.locator(`${screen} #price`).fill('60,5x')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.locator(`${screen} #price-error`).waitFor()
  await page.locator(`${screen} #price`).fill('60.50')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.waitForURL(/step=address/)
  assert.equal(await page.locator(`${screen} #id`).inputValue(), 'dr-ada-lovelace', 'the id is derived from the name')
  await runAxe(page, 'onboarding: address')

  // The id is another owner's: 409 PROVIDER_ID_TAKEN at the field, a suggestion.
  await page.locator(`${screen} button[type=submit]`).click()
  await page.locator(`${screen} #id-error`).waitFor()
  assert.match(await page.locator(`${screen} #id-error`).textContent(), /taken/)
  assert.equal(await focusedId(page), 'id')
  await runAxe(page, 'onboarding: id taken, suggestion shown')
  await page.locator(`${screen} #suggestion`).click()
  assert.equal(await page.locator(`${screen} #id`).inputValue(), 'dr-ada-lovelace-2')
  await page.locator(`${screen} button[type=submit]`).click()
  await page.waitForURL(/step=done/)
  await page.locator(`${screen} #snippet`).waitFor()
  await runAxe(page, 'onboarding: done with the snippet')

  const stored = await server.api('GET', '/v1/providers/dr-ada-lovelace-2')
  assert.equal(stored.status, 200)
  assert.equal(stored.json.time_zone, 'Europe/Berlin')
  assert.equal(stored.json.kind, 'consultant')
  assert.deepEqual(stored.json.schedules.default.weekly.map((w) => `${w.day} ${w.start}-${w.end}`),
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => `${d} 09:00-17:00`))
  assert.deepEqual(stored.json.services.map((s) => [s.id, s.name, s.durations, s.price]), [['consultation', 'Consultation', [30], { amount: 6050, currency: 'EUR' }]])

  // Copy: the page says so, and the clipboard holds what the page shows.
  await page.locator(`${screen} button.copy`).click()
  await page.locator(`${screen} [role=status]`, { hasText: 'Snippet copied.' }).waitFor()
  const snippet = await page.locator(`${screen} #snippet`).inputValue()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet)
  assert.match(snippet, /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-provider="dr-ada-lovelace-2" data-service="consultation" async><\/script>$/)
  await page.setViewportSize({ width: 320, height: 900 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'onboarding: done at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-onboarding-320.png'), fullPage: true })
  await page.setViewportSize({ width: 1280, height: 900 })

  // On to the dashboard, the new practice open.
  await page.locator(`${screen} #to-dashboard`).click()
  await page.waitForURL((u) => u.pathname === '/app/')
  await page.locator('sw-dashboard nav').waitFor()
  await assertClean(page)

  // A visitor books through that snippet on the provider's own site.
  const site = await startHostSite(server.url, snippet)
  const visitor = await newPage(browser, { timezoneId: 'America/New_York' })
  await visitor.goto(site)
  await waitForEvent(visitor, 'ready')
  const w = visitor.locator('slotwise-booking')
  await w.locator('.calendar[aria-busy=false]').waitFor()
  if (await w.locator('button.day.free').count() === 0) {
    await w.locator('button[aria-label="Next month"]').click()
    await w.locator('.calendar[aria-busy=false]').waitFor()
  }
  await w.locator('button.day.free').first().click()
  await w.locator('.slot').first().click()
  await submitDetails(w, 'Grace Hopper', 'grace@example.org')
  const [booked] = await waitForEvent(visitor, 'booked')
  const elapsed = Date.now() - started
  console.log(`from the first page to a booking through the copied snippet: ${(elapsed / 1000).toFixed(1)} s`)
  assert.ok(elapsed < 120000, `the walk took ${elapsed} ms, over two minutes`)
  assert.equal(booked.provider, 'dr-ada-lovelace-2')
  const from = booked.start.slice(0, 10)
  const list = await server.api('GET', `/v1/providers/dr-ada-lovelace-2/bookings?from=${from}&to=${from}`)
  assert.equal((list.json.bookings || list.json).filter((b) => b.id === booked.bookingId).length, 1, 'the booking is the provider’s')
  await assertClean(visitor)

  // Keyboard alone: another newcomer, only key presses from the first field.
  const kb = await newPage(browser, { timezoneId: 'Europe/Berlin' })
  await signIn(kb, server, 'keys@example.com')
  await kb.waitForURL(/\/app\/onboarding/)
  await kb.locator(`${screen} slotwise-zone-picker input[role=combobox]`).waitFor()
  await tabTo(kb, 'name')
  await kb.keyboard.press('Enter')
  await kb.locator(`${screen} #name-error`).waitFor()
  assert.equal(await focusedId(kb), 'name', 'the empty field gets focus')
  await kb.keyboard.type('Keyboard Clinic')
  await kb.keyboard.press('Tab')
  assert.equal(await focusedId(kb), 'kind')
  await kb.keyboard.press('ArrowDown') // doctor → consultant
  await tabTo(kb, await zoneInputId(kb))
  await kb.keyboard.type('Lisbon')
  await kb.locator(`${screen} slotwise-zone-picker [role=option]`).first().waitFor()
  await kb.keyboard.press('Enter')
  await kb.waitForFunction((sel) => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-onboarding').shadowRoot.querySelector('slotwise-zone-picker').value === 'Europe/Lisbon', screen)
  await runAxe(kb, 'onboarding: zone changed')
  await tabTo(kb, 'next')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=hours/)
  assert.equal(await focusedId(kb), 'H2', 'focus moves to the new step')
  await tabTo(kb, 'sat-open')
  await kb.keyboard.press('Space')
  await kb.locator(`${screen} #sat-start`).waitFor()
  await tabTo(kb, 'sat-end')
  for (let i = 0; i < 4; i++) await kb.keyboard.press('ArrowDown') // the hour: 17:00 → 13:00
  await runAxe(kb, 'onboarding: hours, Saturday opened')
  await tabTo(kb, 'next')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=service/)
  await tabTo(kb, 'serviceName')
  await kb.keyboard.type('Intro session')
  await kb.keyboard.press('Tab')
  await kb.keyboard.press('ArrowDown') // 30 → 45 minutes
  await kb.keyboard.press('Tab')
  await kb.keyboard.type('40')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=address/)
  await tabTo(kb, 'id')
  assert.equal(await kb.locator(`${screen} #id`).inputValue(), 'keyboard-clinic')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=done/)
  assert.equal(await focusedId(kb), 'H2', 'focus moves to the result')
  await tabTo(kb, 'snippet')
  await kb.keyboard.press('Tab')
  await kb.keyboard.press('Enter') // the copy button
  await kb.locator(`${screen} [role=status]`, { hasText: /Snippet copied|Copying failed/ }).waitFor()
  await tabTo(kb, 'to-dashboard')
  await kb.keyboard.press('Enter')
  await kb.waitForURL((u) => u.pathname === '/app/')
  const made = await server.api('GET', '/v1/providers/keyboard-clinic')
  assert.equal(made.json.name, 'Keyboard Clinic')
  assert.equal(made.json.kind, 'consultant')
  assert.equal(made.json.time_zone, 'Europe/Lisbon')
  assert.deepEqual(made.json.schedules.default.weekly.find((w) => w.day === 'sat'), { day: 'sat', start: '09:00', end: '13:00' })
  assert.deepEqual(made.json.services[0].durations, [45])
  assert.deepEqual(made.json.services[0].price, { amount: 4000, currency: 'EUR' })
  await assertClean(kb)

  // Later, a second practice from /app/onboarding: its own id is refused at the field.
  await kb.goto(`${server.url}/app/onboarding`)
  await kb.locator(`${screen} #name`).waitFor()
  assert.equal((await screenHeading(kb)).text, 'Add a practice')
  await kb.locator('sw-dashboard nav').waitFor()
  await runAxe(kb, 'onboarding: another practice')
  // Its own id again is refused at the field, before any request.
  await kb.locator(`${screen} #name`).fill('Keyboard Clinic')
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=hours/)
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=service/)
  await kb.locator(`${screen} #serviceName`).fill('Follow-up')
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=address/)
  await kb.locator(`${screen} #next`).click()
  assert.match(await kb.locator(`${screen} #id-error`).textContent(), /already have/)
  // In German, every word of the step.
  await kb.locator('sw-dashboard #language').selectOption('de')
  await kb.locator(`${screen} h1`, { hasText: 'Weitere Praxis anlegen' }).waitFor()
  assert.match(await kb.locator(`${screen} #id-error`).textContent(), /schon eine Praxis/)
  await runAxe(kb, 'onboarding: German, own id refused')
  await kb.locator('sw-dashboard #language').selectOption('en')
})

// The zone picker's input id (the element makes it unique).
async function zoneInputId (page) {
  return page.locator(`${screen} slotwise-zone-picker input[role=combobox]`).getAttribute('id')
}
