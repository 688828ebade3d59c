// Push notifications turned on from the dashboard (settings, Notifications):
// the page registers its service worker, subscribes with the server's VAPID
// key and hands the subscription to the server; a booking then reaches that
// subscription through the real server's Web Push (decrypted and checked by
// the local push service of the server tests). Headless Chromium's own push
// service (Google's) cannot be reached here, so the browser's
// PushManager.subscribe is replaced by one that returns a subscription of
// the local push service; everything after it is real.
import assert from 'node:assert/strict'
import { assertClean, launch, newPage, run, runAxe } from './lib.mjs'
import { createOwnProvider, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { until } from '../server/harness.mjs'
import { startPushService } from '../server/push_service.mjs'

await run('dashboard push notifications', async () => {
  const push = await startPushService()
  const server = await startDashboardServer(['--allow-private-targets'])
  const browser = await launch()
  const page = await newPage(browser)
  await page.context().grantPermissions(['notifications'], { origin: server.url })
  const fake = push.subscribe('dashboard')
  await page.addInitScript((sub) => {
    let current = null
    const make = () => ({ endpoint: sub.endpoint, expirationTime: null, toJSON: () => sub, unsubscribe: async () => { current = null; return true } })
    PushManager.prototype.subscribe = async function (options) {
      if (!options?.applicationServerKey || options.userVisibleOnly !== true) throw new Error('subscribe without the VAPID key')
      window.__pushKey = options.applicationServerKey
      current = make()
      return current
    }
    PushManager.prototype.getSubscription = async function () { return current }
  }, fake)

  await signIn(page, server, 'push@example.com')
  await createOwnProvider(page, 'push-test')
  await page.goto(`${server.url}/app/settings/notifications`)
  const panel = page.locator('sw-settings-push')
  await panel.locator('button', { hasText: 'Turn on for this browser' }).click()
  await panel.locator('text=This browser receives push notifications.').waitFor()
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/app/'))?.scope), `${server.url}/app/`, 'the worker is registered for the dashboard')
  const vapid = (await (await fetch(`${server.url}/v1/push/vapid-public-key`)).json()).public_key
  assert.equal(await page.evaluate(() => window.__pushKey), vapid, 'subscribed with the server\'s key')
  const subs = await page.evaluate(async () => (await fetch('/v1/me/push-subscriptions')).json())
  assert.deepEqual(subs.subscriptions.map((s) => s.endpoint), [fake.endpoint])
  await runAxe(page, 'push on')

  // A booking reaches the subscription (the default: new bookings by push).
  const provider = await (await fetch(`${server.url}/v1/providers/push-test/slots?service=consult&from=${new Date(Date.now() + 86400e3 * 2).toISOString().slice(0, 10)}&to=${new Date(Date.now() + 86400e3 * 9).toISOString().slice(0, 10)}&time_zone=UTC`)).json()
  const start = provider.slots[0].start
  const booked = await fetch(`${server.url}/v1/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'push-1' },
    body: JSON.stringify({ provider: 'push-test', service: 'consult', start, client: { name: 'Pia Push', email: 'pia@example.com' } }),
  })
  assert.equal(booked.status, 201, await booked.clone().text())
  const id = (await booked.json()).booking.id
  const [message] = await until('the push message', () => push.received('dashboard').length && push.received('dashboard'), 20000)
  assert.equal(message.booking_id, id)
  assert.equal(message.title, 'New booking')
  assert.ok(message.body.includes('Pia Push'), message.body)

  await panel.locator('button', { hasText: 'Turn off for this browser' }).click()
  await panel.locator('button', { hasText: 'Turn on for this browser' }).waitFor()
  assert.deepEqual((await page.evaluate(async () => (await fetch('/v1/me/push-subscriptions')).json())).subscriptions, [])
  await assertClean(page)
  await push.close()
})
