// The onboarding (web/app/src/screens/onboarding.js) in Chromium against the
// real server, the walk: a newcomer signs in with the mailed code,
// onboards (errors at the fields, Back, a reload mid-way, a taken id answered
// at the field with a suggestion), copies the snippet, and a visitor books
// through that snippet on a page of another origin (a second HTTP server) —
// the whole walk measured and held under two minutes; axe in every step and
// state; 320 px without sideways scroll, screenshot. The keyboard-only
// onboarding is dash_onboarding_keyboard.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { assertClean, createProvider, launch, newPage, onCleanup, repo, run, runAxe, submitDetails, waitForEvent } from './lib.mjs'
import { screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { focusedId, screen } from './dash_onboarding_lib.mjs'

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
  // A day after today: a time minutes away could pass before the booking
  // arrives (the first service has no notice), which is the visitor's race,
  // not the snippet's.
  const later = w.locator('button.day.free:not(.today)')
  if (await later.count() === 0) {
    await w.locator('button[aria-label="Next month"]').click()
    await w.locator('.calendar[aria-busy=false]').waitFor()
  }
  await later.first().click()
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
})
