// Payments in the dashboard (issue 16 item 5) in Chromium against the real
// server and the Stripe test server (tests/server/stripe_test_server.mjs):
// Settings → Payments shows that no account takes payments, refuses a key
// Stripe does not know at its field, takes the provider's own keys (the
// secret never shown again) and then says the provider's account takes
// them, with the webhook address to paste into Stripe; a booking of a paid
// service shows "awaiting payment", then "paid" once the test server's
// succeed control has paid it and its signed webhook arrived; the cancel
// dialog states the real amount going back; after the provider's
// cancellation the booking shows its refund pending or refunded; removing
// the keys goes back to no account. axe in every state, 320 px too.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, berlinProvider, launch, newPage, repo, run, runAxe } from './lib.mjs'
import { createOwnProvider, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { startStripeTestServer } from '../server/stripe_test_server.mjs'

const WEBHOOK = '/v1/payments/stripe/webhook'

// A weekday at least three days ahead, 09:00 UTC: inside the Berlin
// provider's hours (10:00 or 11:00 local) whatever the day.
function bookableStart () {
  const d = new Date(Date.now() + 3 * 86400000)
  while ([0, 6].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1)
  return `${d.toISOString().slice(0, 10)}T09:00:00Z`
}

await run('dashboard payments', async () => {
  const stripe = await startStripeTestServer()
  const server = await startDashboardServer(['--allow-private-targets', '--stripe-api-base', stripe.url, '--payment-refunds-every', '1'])
  stripe.configureWebhooks({ url: server.url + WEBHOOK })
  try {
    const browser = await launch()
    const page = await newPage(browser)
    await signIn(page, server, 'payments@example.com')
    const paid = berlinProvider().services[0]
    await createOwnProvider(page, 'pay-dash', berlinProvider({ services: [{ ...paid, payment: { mode: 'full' } }] }))
    const panel = page.locator('sw-settings-payments')

    // No account yet.
    await page.goto(`${server.url}/app/settings/payments`)
    await panel.locator('#pay-source[data-source=none]').waitFor()
    assert.equal(await panel.locator('#pay-hook-url').inputValue(), server.url + WEBHOOK)
    assert.ok((await panel.locator('#pay-events').textContent()).includes('payment_intent.succeeded'))
    await runAxe(page, 'payments without an account')

    // A key Stripe does not know: said at its field, nothing kept.
    const publishable = 'pk_test_' + 'x'.repeat(24)
    await panel.locator('#secret_key').fill('sk_test_' + 'unknown'.repeat(4))
    await panel.locator('#publishable_key').fill(publishable)
    await panel.locator('#pay-save').click()
    await panel.locator('#secret_key-error').waitFor()
    assert.equal(await panel.locator('#secret_key').getAttribute('aria-invalid'), 'true')
    await runAxe(page, 'payments with a refused key')

    // The provider's own keys: checked and kept; the secrets leave the page.
    await panel.locator('#secret_key').fill(stripe.secretKey)
    await panel.locator('#webhook_secret').fill(stripe.webhookSecret)
    await panel.locator('#pay-save').click()
    await panel.locator('#pay-source[data-source=provider]').waitFor()
    assert.ok((await panel.locator('#pay-source').textContent()).includes(stripe.secretKey.slice(-4)))
    assert.equal(await panel.locator('#secret_key').inputValue(), '')
    assert.equal(await panel.locator('#webhook_secret').inputValue(), '')
    const shown = await page.evaluate(() => document.querySelector('sw-dashboard').shadowRoot.innerHTML + document.body.innerText)
    assert.ok(!shown.includes(stripe.secretKey))
    const doc = await page.evaluate(async () => (await fetch('/v1/providers/pay-dash/stripe')).json())
    assert.equal(doc.source, 'provider')
    assert.equal(doc.webhook_secret_set, true)
    await runAxe(page, 'payments with own keys')
    await page.setViewportSize({ width: 320, height: 800 })
    await runAxe(page, 'payments at 320 px')
    await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-payments-320.png'), fullPage: true })
    await page.setViewportSize({ width: 1280, height: 900 })

    // A booking of the paid service: HELD, its PaymentIntent created with the provider's own key.
    const start = bookableStart()
    const r = await fetch(`${server.url}/v1/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `dash-pay-${start}` },
      body: JSON.stringify({ provider: 'pay-dash', service: paid.id, start, client: { name: 'Paula Payer', email: 'paula@example.com' } }),
    })
    const booked = await r.json()
    assert.equal(r.status, 201, JSON.stringify(booked))
    assert.equal(booked.booking.status, 'HELD')
    const intentId = booked.booking.payment.client_secret.split('_secret_')[0]
    assert.ok(stripe.intents.has(intentId), 'the intent is at the test server')
    const row = page.locator('sw-screen-bookings li.booking', { hasText: 'Paula Payer' })
    await page.goto(`${server.url}/app/bookings`)
    await row.locator('[data-payment=awaiting]').waitFor()
    assert.match(await row.locator('.payment').textContent(), /Awaiting payment of €60\.00 until/)
    assert.match(await row.locator('.status').textContent(), /Awaiting payment/)
    await runAxe(page, 'a booking awaiting payment')

    // Paid through the test server; its signed webhook moves the booking on.
    stripe.succeed(intentId)
    await stripe.settled()
    for (let i = 0; i < 100; i++) {
      await page.goto(`${server.url}/app/bookings`)
      await row.waitFor()
      if (await row.locator('[data-payment=paid]').count()) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.equal(await row.locator('.payment').textContent(), 'Paid in full: €60.00')
    assert.equal(await row.getAttribute('data-status'), 'CONFIRMED')
    await runAxe(page, 'a paid booking')

    // The cancel dialog states the real refund; then the refund shows on the booking.
    await row.locator('button[data-action=cancel]').click()
    const dialog = page.locator('sw-screen-bookings dialog[open]')
    await dialog.waitFor()
    assert.match(await dialog.locator('#act-outcome').textContent(), /paid €60\.00 and gets €60\.00 back/)
    await runAxe(page, 'the cancel dialog of a paid booking')
    await dialog.locator('#act-go').click()
    await dialog.waitFor({ state: 'detached' })
    const cancelled = page.locator('sw-screen-bookings li.booking', { hasText: 'Paula Payer' })
    let state = ''
    for (let i = 0; i < 100 && state !== 'refunded'; i++) {
      await page.goto(`${server.url}/app/bookings?tab=cancelled`)
      await cancelled.waitFor()
      state = await cancelled.locator('.payment').getAttribute('data-payment')
      if (state !== 'refunded') await new Promise((resolve) => setTimeout(resolve, 200))
      if (i === 0) assert.ok(['refund_pending', 'refunded'].includes(state), `after the cancellation: ${state}`)
    }
    assert.equal(state, 'refunded')
    assert.equal(await cancelled.locator('.payment').textContent(), 'Refunded: €60.00')
    assert.equal(stripe.refunds.size, 1)
    await runAxe(page, 'a refunded booking')

    // Removing the keys: no account again.
    await page.goto(`${server.url}/app/settings/payments`)
    await panel.locator('#pay-remove').click()
    await panel.locator('#pay-source[data-source=none]').waitFor()
    await assertClean(page)
  } finally {
    await stripe.stop()
  }
})
