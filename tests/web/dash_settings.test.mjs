// The dashboard's settings (web/app/src/screens/settings*) in Chromium
// against the real server: the profile saved through PUT and read back by
// GET (time zone through the shared zone picker), an invalid photo URL said
// at its field, notification choices kept, an API key created (shown once,
// works as a Bearer key) and revoked, a webhook endpoint added (secret shown
// once) and removed, sign out everywhere; axe on every panel and state, at
// 320 px too, with a screenshot.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, launch, newPage, repo, run, runAxe } from './lib.mjs'
import { createOwnProvider, signIn, startDashboardServer } from './dashboard_lib.mjs'

await run('dashboard settings', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  const page = await newPage(browser)
  await signIn(page, server, 'settings@example.com')
  await createOwnProvider(page, 'settings-test')
  const doc = async () => page.evaluate(async () => (await fetch('/v1/providers/settings-test')).json())
  const panel = (name) => page.locator(`sw-settings-${name}`)

  // Profile.
  await page.goto(`${server.url}/app/settings`)
  await panel('profile').locator('#name').waitFor()
  await runAxe(page, 'profile')
  await panel('profile').locator('#photo_url').fill('ftp://nope')
  await panel('profile').locator('button', { hasText: 'Save' }).click()
  await panel('profile').locator('#photo_url-error').waitFor()
  assert.match(await panel('profile').locator('#photo_url-error').textContent(), /http/)
  assert.equal(await panel('profile').locator('#photo_url').getAttribute('aria-invalid'), 'true')
  await runAxe(page, 'profile with a field error')
  await panel('profile').locator('#photo_url').fill('')
  await panel('profile').locator('#name').fill('Praxis Dr. Keller')
  await panel('profile').locator('#kind').selectOption('therapist')
  await panel('profile').locator('#address').fill('Hauptstraße 5, 79098 Freiburg')
  await panel('profile').locator('#bio').fill('Gesprächstherapie.')
  const zone = panel('profile').locator('slotwise-zone-picker input')
  await zone.fill('Lisbon')
  await zone.press('ArrowDown')
  await zone.press('Enter')
  await panel('profile').locator('button', { hasText: 'Save' }).click()
  await page.waitForFunction(async () => (await (await fetch('/v1/providers/settings-test')).json()).name === 'Praxis Dr. Keller')
  const saved = await doc()
  assert.equal(saved.kind, 'therapist')
  assert.equal(saved.address, 'Hauptstraße 5, 79098 Freiburg')
  assert.equal(saved.bio, 'Gesprächstherapie.')
  assert.equal(saved.time_zone, 'Europe/Lisbon')
  assert.equal(saved.services.length, 1, 'the rest of the document is kept')

  // Notifications.
  await page.locator('sw-screen-settings nav a', { hasText: 'Notifications' }).click()
  await panel('notifications').locator('table').waitFor()
  await runAxe(page, 'notifications')
  await panel('notifications').locator('input[aria-label="No-show: Email"]').check()
  await panel('notifications').locator('#provider_phone').fill('12345')
  await panel('notifications').locator('button', { hasText: 'Save' }).click()
  await panel('notifications').locator('.error').first().waitFor()
  await panel('notifications').locator('#provider_phone').fill('+4915112345678')
  await panel('notifications').locator('button', { hasText: 'Save' }).click()
  await page.waitForFunction(async () => (await (await fetch('/v1/providers/settings-test')).json()).notifications?.provider_phone === '+4915112345678')
  const told = (await doc()).notifications
  assert.ok(told.provider.email.includes('booking.no_show'), 'the new choice is kept')
  assert.ok(told.provider.email.includes('booking.created') && told.client.includes('email'), 'the defaults shown were kept')

  // API keys: shown once, works, revoked.
  await page.locator('sw-screen-settings nav a', { hasText: 'Sign-in and API keys' }).click()
  await panel('access').locator('#key-name').fill('Practice software')
  await panel('access').locator('button', { hasText: 'Create key' }).click()
  await panel('access').locator('#new-key').waitFor()
  const key = await panel('access').locator('#new-key').inputValue()
  assert.equal((await fetch(`${server.url}/v1/me`, { headers: { Authorization: `Bearer ${key}` } })).status, 200)
  await runAxe(page, 'access with a new key')
  await panel('access').locator('button[aria-label="Revoke: Practice software"]').click()
  await panel('access').locator('dialog[open]').waitFor()
  await runAxe(page, 'revoke dialog')
  await panel('access').locator('dialog button.danger').click()
  await page.waitForFunction(async (k) => (await fetch('/v1/me', { headers: { Authorization: `Bearer ${k}` } })).status === 401, key)

  // Webhooks.
  await page.locator('sw-screen-settings nav a', { hasText: 'Webhooks' }).click()
  await panel('webhooks').locator('#hook-url').fill('https://hooks.example.com/slotwise')
  await panel('webhooks').locator('button', { hasText: 'Add endpoint' }).click()
  await panel('webhooks').locator('#secret').waitFor()
  assert.match(await panel('webhooks').locator('#secret').inputValue(), /^whsec_/)
  await runAxe(page, 'webhooks')
  await panel('webhooks').locator('button', { hasText: 'Remove' }).click()
  await panel('webhooks').locator('text=No webhook endpoints.').waitFor()

  // 320 px.
  await page.setViewportSize({ width: 320, height: 800 })
  await page.locator('sw-screen-settings nav a', { hasText: 'Profile' }).click()
  await panel('profile').locator('#name').waitFor()
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'profile at 320 px')
  assert.deepEqual(await page.evaluate(() => [...document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-settings').shadowRoot.children].map((c) => c.localName)),
    ['h1', 'nav', 'sw-settings-profile'], 'only the chosen panel is shown')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-settings-320.png'), fullPage: true })

  // Sign out everywhere ends this session too.
  await page.locator('sw-screen-settings nav a', { hasText: 'Sign-in and API keys' }).click()
  await panel('access').locator('button', { hasText: 'Sign out everywhere' }).click()
  await page.locator('sw-sign-in h1').waitFor()
  assert.equal(await page.evaluate(async () => (await fetch('/v1/me')).status), 401)
  await assertClean(page)
})
