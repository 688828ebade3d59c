// The widget's payment step in Chromium with the server's booking answers
// stood in for (playwright route interception): POST /v1/bookings answers
// HELD with the `payment` object of issue 16 and the client's GET follows
// the intent at the Stripe test server, whose Stripe.js stand-in the page
// loads. For the widget's side alone, whatever the server's payment flow
// does: the step, a declined card and a retry, a reload that resumes it, the
// confirmation; a hold that ends while the form is shown; a popup's step
// (Tab from Stripe's light-DOM form goes on to Pay). web_widget_payment runs
// the same against the real server.
import assert from 'node:assert/strict'
import http from 'node:http'
import { assertClean, createProvider, fillDetails, launch, newPage, onCleanup, run, runAxe, startServer, waitForEvent } from './lib.mjs'
import { startStripeTestServer } from '../server/stripe_test_server.mjs'

const PUBLISHABLE_KEY = 'pk_test_slotwiseWidgetMocked0123456789'

await run('web widget payment step, booking answers stood in', async () => {
  const stripe = await startStripeTestServer()
  onCleanup(() => stripe.stop())
  const stripeJs = `${stripe.url}/v3/`
  const server = await startServer({})
  await createProvider(server, 'berlin')
  const csp = `default-src 'none'; script-src ${server.url} ${stripe.url} 'wasm-unsafe-eval'; connect-src ${server.url} ${stripe.url}; ` +
    `frame-src ${stripe.url}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`
  const site = http.createServer((req, res) => {
    const popup = req.url.includes('popup')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}"><link rel="icon" href="data:,"><title>Site</title></head>
<body><main><h1>Site</h1><script src="${server.url}/widget.js" data-provider="berlin" data-service="consult" ${popup ? 'data-mode="popup"' : ''} data-stripe-js-src="${stripeJs}" async></script></main></body></html>`)
  })
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve))
  onCleanup(() => new Promise((resolve) => { site.closeAllConnections(); site.close(resolve) }))
  const origin = `http://127.0.0.1:${site.address().port}`

  // One booking per page, its intent at the Stripe test server.
  const standIn = async (page, { expiresAt = Date.parse('2027-03-08T12:15:00Z') } = {}) => {
    const body = new URLSearchParams({ amount: '6000', currency: 'eur', 'automatic_payment_methods[enabled]': 'true' })
    const r = await fetch(`${stripe.url}/v1/payment_intents`, { method: 'POST', body, headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' } })
    const intent = await r.json()
    const mock = { id: `bk_${intent.id.slice(3, 11)}`, expiresAt, gets: 0 }
    mock.booking = () => {
      const paid = stripe.intents.get(intent.id).status === 'succeeded'
      const status = paid ? 'CONFIRMED' : mock.expiresAt < Date.parse('2027-03-08T12:00:00Z') ? 'EXPIRED' : 'HELD'
      const payment = { mode: 'full', amount: 6000, currency: 'EUR', status: stripe.intents.get(intent.id).status, expires_at: new Date(mock.expiresAt).toISOString(),
        amount_received: paid ? 6000 : 0, refunded_amount: 0, refunds: [] }
      if (status === 'HELD') Object.assign(payment, { client_secret: intent.client_secret, publishable_key: PUBLISHABLE_KEY })
      return { id: mock.id, provider: 'berlin', service: 'consult', status, start: '2027-03-10T08:00:00Z', end: '2027-03-10T08:30:00Z', time_zone: 'Europe/Berlin', payment }
    }
    const json = (route, status, value) => route.fulfill({ status, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(value) })
    await page.route(`${server.url}/v1/bookings`, (route) => (route.request().method() === 'POST' ? json(route, 201, { ...mock.booking(), manage_token: 'tok-mock' }) : route.continue()))
    await page.route(new RegExp(`^${server.url}/v1/bookings/${mock.id}\\?token=tok-mock$`), (route) => {
      mock.gets++
      return json(route, 200, mock.booking())
    })
    mock.intent = () => stripe.intents.get(intent.id)
    return mock
  }

  const browser = await launch()
  const open = async (path) => {
    const page = await newPage(browser, { timezoneId: 'Europe/Berlin', locale: 'en-GB' })
    await page.addInitScript(() => {
      for (const name of ['payment-required', 'payment-failed', 'payment-succeeded', 'payment-expired']) {
        document.addEventListener(`slotwise:${name}`, (e) => window.__events.push({ name, detail: e.detail }))
      }
    })
    const mock = await standIn(page)
    await page.goto(`${origin}/${path}`)
    await waitForEvent(page, 'ready')
    return { page, mock, w: page.locator('slotwise-booking') }
  }
  const book = async (w) => {
    await w.locator('[data-date="2027-03-10"]').click()
    await w.locator('.slot').first().click()
    await fillDetails(w, 'Ada Lovelace', 'ada@example.org')
    await w.locator('button[type=submit]').click()
    await w.locator('#pay-heading').waitFor()
  }

  // Declined, reloaded, paid.
  {
    const { page, mock, w } = await open('inline.html')
    await book(w)
    const card = page.locator('slotwise-booking > .slotwise-payment input[name=cardnumber]')
    await card.waitFor()
    assert.equal(await w.locator('.pay-due').textContent(), 'To pay now: €60.00')
    assert.match(await w.locator('.summary').textContent(), /Wednesday, 10 March 2027/)
    await card.fill('4000 0000 0000 0002')
    await w.locator('.pay button[type=submit]').click()
    await w.locator('#pay-error', { hasText: 'Your card was declined.' }).waitFor()
    assert.equal(mock.intent().last_payment_error.code, 'card_declined')
    await runAxe(page, 'payment step (stood-in booking), declined')
    await page.reload()
    await waitForEvent(page, 'ready')
    await w.locator('#pay-heading').waitFor()
    // Resumed from the GET: the time as the step formats it itself.
    assert.match(await w.locator('.pay .summary').textContent(), /Wednesday, 10 March 2027/)
    await card.waitFor()
    await card.fill('4242 4242 4242 4242')
    await w.locator('.pay button[type=submit]').click()
    const [booked] = await waitForEvent(page, 'booked')
    assert.equal(booked.bookingId, mock.id)
    assert.equal(booked.status, 'CONFIRMED')
    await w.locator('#done-heading', { hasText: 'You are booked' }).waitFor()
    assert.equal(mock.intent().status, 'succeeded')
    await assertClean(page)
  }

  // The hold ends on the server while the form is shown: the next look sees it.
  {
    const { page, mock, w } = await open('inline.html')
    await book(w)
    await page.locator('slotwise-booking > .slotwise-payment input').waitFor()
    const before = mock.gets
    mock.expiresAt = Date.parse('2027-03-08T11:00:00Z')
    await w.locator('.alert', { hasText: 'Time ran out' }).waitFor({ timeout: 30000 })
    assert.ok(mock.gets > before, 'the server was asked')
    await w.locator('.slot').first().waitFor()
    assert.equal(await page.locator('slotwise-booking > .slotwise-payment').count(), 0)
    const [expired] = await waitForEvent(page, 'payment-expired')
    assert.equal(expired.bookingId, mock.id)
    const errors = (await page.evaluate(() => window.__events.filter((e) => e.name === 'error').map((e) => e.detail.code)))
    assert.deepEqual(errors, ['PAYMENT_EXPIRED'])
    await assertClean(page)
  }

  // A popup's step: Stripe's form shows inside the dialog; Tab goes on from it to Pay.
  {
    const { page, w } = await open('popup.html')
    await w.locator('button.open').click()
    await book(w)
    const card = page.locator('slotwise-booking > .slotwise-payment input')
    await card.waitFor()
    assert.ok(await card.isVisible())
    await card.fill('4242 4242 4242 4242')
    await card.press('Tab')
    assert.equal(await page.evaluate(() => document.querySelector('slotwise-booking').shadowRoot.activeElement?.textContent), 'Pay €60.00')
    await runAxe(page, 'payment step in the popup')
    await page.keyboard.press('Enter')
    await w.locator('#done-heading', { hasText: 'You are booked' }).waitFor()
    await assertClean(page)
  }
}, { timeoutMs: 170000 })
