// The widget's payment step (issue 16) in Chromium, end to end: the real
// slotwise-server talks to the Stripe test server (tests/server/
// stripe_test_server.mjs) as to Stripe's API, and the page loads the Stripe.js
// stand-in that server serves at /v3/ (`stripe-js-src`), under the strict CSP
// plus the Stripe origin. A paid service: the step (amount, countdown,
// focus, live region), a declined card (Stripe's error at the form, retry),
// a reload that resumes the step, a good card, and the booking CONFIRMED in
// the widget and on the server. A deposit in German whose hold runs out: back
// to the times, told why, EXPIRED on the server. A free service never loads
// Stripe.js nor the payment chunk. axe-core on the step.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { assertClean, berlinProvider, createProvider, fillDetails, launch, newPage, onCleanup, run, runAxe, startServer, waitForEvent } from './lib.mjs'
import http from 'node:http'
import { startStripeTestServer } from '../server/stripe_test_server.mjs'

const PUBLISHABLE_KEY = 'pk_test_slotwiseWidgetTests0123456789'

await run('web widget payment step', async () => {
  const stripe = await startStripeTestServer()
  onCleanup(() => stripe.stop())
  Object.assign(process.env, {
    SLOTWISE_STRIPE_SECRET_KEY: stripe.secretKey,
    SLOTWISE_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    SLOTWISE_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
  })
  const stripeJs = `${stripe.url}/v3/`
  const server = await startServer({ args: ['--allow-private-targets', '--stripe-api-base', stripe.url] })
  // The provider's own website on another origin, with the CSP README's
  // strict-CSP section asks of a page with a paid service (the test server's
  // origin standing in for js.stripe.com and api.stripe.com). Not served by
  // slotwise-server: its own pages carry its own, Stripe-less policy.
  const csp = `default-src 'none'; script-src ${server.url} ${stripe.url} 'wasm-unsafe-eval'; connect-src ${server.url} ${stripe.url}; ` +
    `frame-src ${stripe.url}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`
  const site = await providerSite(csp, server.url, {
    'pay.html': { lang: 'en', service: 'paid', stripeJs },
    'deposit.html': { lang: 'de', service: 'deposit', stripeJs },
    'free.html': { lang: 'en', service: 'consult', stripeJs },
  })
  stripe.configureWebhooks({ url: `${server.url}/v1/payments/stripe/webhook` })
  const config = berlinProvider()
  const consult = config.services[0]
  config.services.push(
    { ...consult, id: 'paid', name: 'Paid consultation', durations: [30], payment: { mode: 'full' } },
    { ...consult, id: 'deposit', name: 'Consultation with deposit', durations: [30], payment: { mode: 'deposit', deposit: { amount: 2000, currency: 'EUR' } } },
  )
  await createProvider(server, 'berlin', config)
  const bookingOf = async (id) => {
    const r = await server.api('GET', '/v1/providers/berlin/bookings?from=2027-03-01&to=2027-03-31')
    assert.equal(r.status, 200, r.text)
    return (r.json.bookings || r.json).find((b) => b.id === id)
  }
  const until = async (what, fn, timeout = 20000) => {
    for (const deadline = Date.now() + timeout; ; await new Promise((r) => setTimeout(r, 100))) {
      const v = await fn()
      if (v) return v
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    }
  }

  const browser = await launch()
  const open = async (path, options) => {
    const page = await newPage(browser, options)
    await page.addInitScript(() => {
      for (const name of ['payment-required', 'payment-failed', 'payment-succeeded', 'payment-expired']) {
        document.addEventListener(`slotwise:${name}`, (e) => window.__events.push({ name, detail: e.detail, target: e.target.localName }))
      }
    })
    page.requests = []
    page.on('request', (r) => page.requests.push(r.url()))
    await page.goto(`${site}/${path}`)
    await waitForEvent(page, 'ready')
    return page
  }
  const bookFirstTime = async (w, date, name, email) => {
    await w.locator(`[data-date="${date}"]`).click()
    await w.locator('.slot').first().click()
    await fillDetails(w, name, email)
    await w.locator('button[type=submit]').click()
  }
  const activeId = (page) => page.evaluate(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.id)

  // ----- a paid service: declined, reloaded, paid ----------------------------
  const page = await open('pay.html', { timezoneId: 'Europe/Berlin', locale: 'en-GB' })
  assert.ok(!page.requests.some((u) => u.startsWith(stripe.url) || u.includes('slotwise-payment.')), 'nothing of payments before a booking asks for one')
  const w = page.locator('slotwise-booking')
  await bookFirstTime(w, '2027-03-10', 'Ada Lovelace', 'ada@example.org')
  await w.locator('#pay-heading').waitFor()
  const [required] = await waitForEvent(page, 'payment-required')
  const id = required.bookingId
  assert.equal(required.amount, 6000)
  assert.equal(required.currency, 'EUR')
  assert.equal(required.mode, 'full')
  assert.equal(await activeId(page), 'pay-heading', 'focus on the step heading')
  assert.equal(await w.locator('.pay-due').textContent(), 'To pay now: €60.00')
  assert.match(await w.locator('[role=timer]').textContent(), /^1[45]:\d\d$/)
  await w.locator('.pay [aria-live]', { hasText: /^1[45] min left to pay\.$/ }).waitFor()
  // Stripe's form lives in the light DOM, shown through the step's slot.
  const card = page.locator('slotwise-booking > div.slotwise-payment[slot=slotwise-payment] input[name=cardnumber]')
  await card.waitFor()
  assert.ok(page.requests.includes(stripeJs), 'Stripe.js from the stripe-js-src URL')
  const held = await bookingOf(id)
  assert.equal(held.status, 'HELD')
  assert.equal(held.payment.status, 'requires_payment_method')
  assert.equal(held.payment.amount, 6000)
  await runAxe(page, 'payment step')

  // An incomplete number: Stripe's validation message, nothing sent to Stripe.
  const pay = w.locator('.pay button[type=submit]')
  assert.equal(await pay.textContent(), 'Pay €60.00')
  await card.fill('4242 4242')
  await pay.click()
  await w.locator('#pay-error', { hasText: 'Your card number is incomplete.' }).waitFor()

  // A declined card: Stripe's card error at the form, the intent still payable, Pay again.
  await card.fill('4000 0000 0000 0002')
  await pay.click()
  await w.locator('#pay-error', { hasText: 'Your card was declined.' }).waitFor()
  const failed = (await waitForEvent(page, 'payment-failed', 2)).at(-1)
  assert.deepEqual(failed, { bookingId: id, type: 'card_error', code: 'card_declined', declineCode: 'generic_decline' })
  const intent = [...stripe.intents.values()].find((i) => i.metadata && Object.values(i.metadata).includes(id)) || [...stripe.intents.values()].at(-1)
  assert.equal(intent.status, 'requires_payment_method')
  assert.equal(intent.last_payment_error.code, 'card_declined')
  assert.equal(await pay.isDisabled(), false, 'the visitor may try again')
  assert.equal((await bookingOf(id)).status, 'HELD')
  await runAxe(page, 'payment step with a declined card')
  await assertClean(page)

  // A reload during the step comes back to it (the booking kept in the history entry).
  await page.reload()
  await waitForEvent(page, 'ready')
  await w.locator('#pay-heading').waitFor()
  const [resumed] = await waitForEvent(page, 'payment-required')
  assert.equal(resumed.bookingId, id, 'the same booking after a reload')
  assert.equal(await page.evaluate(() => location.hash), '', 'the token is not in the address')
  await card.waitFor()
  await card.fill('4242 4242 4242 4242')
  await pay.click()
  const [succeeded] = await waitForEvent(page, 'payment-succeeded')
  assert.deepEqual(succeeded, { bookingId: id, amount: 6000, currency: 'EUR', mode: 'full' })
  const [booked] = await waitForEvent(page, 'booked')
  assert.equal(booked.bookingId, id)
  assert.equal(booked.status, 'CONFIRMED')
  await w.locator('#done-heading', { hasText: 'You are booked' }).waitFor()
  assert.match(await w.locator('dl').textContent(), /Confirmed/)
  assert.equal(await page.locator('slotwise-booking > .slotwise-payment').count(), 0, "Stripe's form is gone")
  assert.equal(intent.status, 'succeeded')
  const confirmed = await bookingOf(id)
  assert.equal(confirmed.status, 'CONFIRMED')
  assert.equal(confirmed.payment.status, 'succeeded')
  assert.equal(confirmed.payment.amount_received, 6000)
  // After the step a reload shows the calendar again, not the step.
  assert.equal(await page.evaluate(() => history.state?.slotwise?.screen ?? null), null)
  await assertClean(page)

  // ----- a deposit in German whose hold runs out ------------------------------
  const de = await open('deposit.html', { timezoneId: 'Europe/Berlin', locale: 'de-DE' })
  // Stripe.js cannot be reached the first time: the step says so and tries again on request.
  let refused = 0
  await de.route(stripeJs, (route) => (refused++ ? route.continue() : route.abort('connectionrefused')))
  const wd = de.locator('slotwise-booking')
  await bookFirstTime(wd, '2027-03-11', 'Grace Hopper', 'grace@example.org')
  await wd.locator('#pay-heading', { hasText: 'Bezahlung' }).waitFor()
  const [dueDe] = await waitForEvent(de, 'payment-required')
  assert.equal(dueDe.mode, 'deposit')
  assert.equal(dueDe.amount, 2000)
  assert.equal((await wd.locator('.pay-due').textContent()).replace(/\s/g, ' '), 'Jetzt zu zahlende Anzahlung: 20,00 € (von 60,00 €)')
  await wd.locator('#pay-error', { hasText: 'Das Zahlungsformular konnte nicht geladen werden' }).waitFor()
  assert.equal(await wd.locator('.pay button[type=submit]').isDisabled(), true, 'no Pay without the form')
  await wd.locator('.pay button', { hasText: 'Erneut versuchen' }).click()
  await de.locator('slotwise-booking > .slotwise-payment input').waitFor()
  assert.equal(refused, 2)
  await runAxe(de, 'payment step, German, deposit')
  expireHold(server, dueDe.bookingId)
  await wd.locator('.alert', { hasText: 'Die Zeit ist abgelaufen' }).waitFor({ timeout: 30000 })
  await wd.locator('.slot').first().waitFor()
  assert.equal(await wd.locator('#pay-heading').count(), 0)
  assert.equal(await de.locator('slotwise-booking > .slotwise-payment').count(), 0)
  const [expired] = await waitForEvent(de, 'payment-expired')
  assert.equal(expired.bookingId, dueDe.bookingId)
  await until('the hold EXPIRED on the server', async () => (await bookingOf(dueDe.bookingId)).status === 'EXPIRED')
  await assertClean(de)

  // ----- a free service: no Stripe.js, no payment chunk ------------------------
  const free = await open('free.html', { timezoneId: 'Europe/Berlin', locale: 'en-GB' })
  const wf = free.locator('slotwise-booking')
  await bookFirstTime(wf, '2027-03-12', 'Alan Turing', 'alan@example.org')
  const [freeBooked] = await waitForEvent(free, 'booked')
  assert.equal(freeBooked.status, 'CONFIRMED')
  await wf.locator('#done-heading').waitFor()
  assert.deepEqual(free.requests.filter((u) => u.startsWith(stripe.url)), [], 'no request to the Stripe.js URL')
  assert.deepEqual(free.requests.filter((u) => u.includes('slotwise-payment.')), [], 'no payment chunk')
  assert.equal(await free.evaluate(() => typeof window.Stripe), 'undefined')
  await assertClean(free)
}, { timeoutMs: 170000 })

// The hold's end moved an hour back, as if its 15 minutes had passed: the
// payment's expires_at (what the client's GET reports), the booking's, and
// its expiry job's due time, which the server's job runner then picks up.
function expireHold(server, bookingId) {
  const db = join(server.dir, 'slotwise.db')
  execFileSync('sqlite3', [db, `UPDATE payments SET expires_at = expires_at - 3600 WHERE booking_id = '${bookingId}';
UPDATE bookings SET expires_at = expires_at - 3600 WHERE id = '${bookingId}';
UPDATE jobs SET run_at = run_at - 3600 WHERE key = 'booking.expire:${bookingId}' AND state = 'queued';`])
}

// A provider's website: the given pages, each embedding the widget for one
// service with `stripe-js-src`, under `csp`. Returns its origin.
async function providerSite(csp, slotwise, pages) {
  const html = (title, { lang, service, stripeJs }) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="icon" href="data:,"><title>${title}</title></head>
<body><main><h1>${title}</h1><script src="${slotwise}/widget.js" data-provider="berlin" data-service="${service}" data-stripe-js-src="${stripeJs}" async></script></main></body></html>`
  const site = http.createServer((req, res) => {
    const name = new URL(req.url, 'http://site').pathname.slice(1)
    if (!pages[name]) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(name.replace('.html', ''), pages[name]))
  })
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve))
  onCleanup(() => new Promise((resolve) => { site.closeAllConnections(); site.close(resolve) }))
  return `http://127.0.0.1:${site.address().port}`
}
