// The dashboard's shell (web/app/src/shell.js) in Chromium against the real
// server: sign-in by the mailed code, a new account lands on onboarding, the
// navigation moves without page loads and Back/Forward follow it, a reload
// or a shared link opens the same screen, focus goes to each screen's
// heading, the language can be changed, sign-out ends the session; axe finds
// nothing on the sign-in screen and the navigation, at 320 px too. With
// --demo, the demo practice's address signs in to the demo.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, launch, newPage, repo, run, runAxe } from './lib.mjs'
import { createOwnProvider, screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'

await run('dashboard shell', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  const page = await newPage(browser)

  await page.goto(`${server.url}/app/`)
  await page.locator('sw-sign-in h1').waitFor()
  await runAxe(page, 'sign-in')
  await page.setViewportSize({ width: 320, height: 640 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'sign-in at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-sign-in-320.png'), fullPage: true })
  await page.setViewportSize({ width: 1280, height: 900 })
  // A wrong code is said at the field, not thrown away.
  await page.locator('sw-sign-in #email').fill('newcomer@example.com')
  await page.locator('sw-sign-in button:not(.secondary)').click()
  await page.locator('sw-sign-in #code').fill('00000000')
  await page.locator('sw-sign-in button:not(.secondary)').click()
  await page.locator('sw-sign-in #message', { hasText: 'not right' }).waitFor()

  await signIn(page, server, 'newcomer@example.com')
  // No provider yet: the onboarding screen, its heading focused.
  await page.waitForURL(/\/app\/onboarding$/)
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-onboarding'))

  await createOwnProvider(page, 'dash-shell-test')
  await page.goto(`${server.url}/app/`)
  await page.locator('sw-dashboard nav').waitFor()
  const loads = []
  page.on('load', () => loads.push(page.url()))
  for (const [label, path] of [['Availability', '/app/availability'], ['Services', '/app/services'], ['Clients', '/app/clients']]) {
    await page.locator('sw-dashboard nav a', { hasText: label }).click()
    await page.waitForURL((u) => u.pathname === path)
    await page.waitForFunction(() => {
      const shell = document.querySelector('sw-dashboard').shadowRoot
      const screen = shell.querySelector('main > *')
      return screen && screen.shadowRoot?.activeElement?.tagName === 'H1'
    })
    assert.equal(await page.locator('sw-dashboard nav a[aria-current=page]').textContent(), label)
  }
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/app/services')
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-services'))
  await page.goForward()
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-clients'))
  assert.deepEqual(loads, [], 'moving between screens loads no page')
  assert.ok((await screenHeading(page)).text, 'the screen has a heading')
  await runAxe(page, 'navigation')

  // A reload, and a link opened fresh, land on the same screen.
  await page.goto(`${server.url}/app/services`)
  await page.waitForFunction(() => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-services'))
  const unknown = await fetch(`${server.url}/app/no-such.js`)
  assert.equal(unknown.status, 404, 'a missing file is not the dashboard page')

  // Languages: the choice is kept.
  await page.locator('sw-dashboard #language').selectOption('de')
  await page.locator('sw-dashboard nav a', { hasText: 'Leistungen' }).waitFor()
  await page.reload()
  await page.locator('sw-dashboard nav a', { hasText: 'Leistungen' }).waitFor()
  await page.locator('sw-dashboard #language').selectOption('en')

  // 320 px: the navigation wraps, nothing scrolls sideways.
  await page.setViewportSize({ width: 320, height: 640 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'navigation at 320 px')

  await page.locator('sw-dashboard header button', { hasText: 'Sign out' }).click()
  await page.locator('sw-sign-in h1').waitFor()
  assert.equal(await page.evaluate(async () => (await fetch('/v1/me')).status), 401)
  await assertClean(page)
})

// The main job (--demo): the demo practice belongs to the address its mail
// goes to, so signing in with it in the dashboard runs the demo.
await run('dashboard on the main job', async () => {
  const server = await startDashboardServer(['--demo'])
  const browser = await launch()
  const page = await newPage(browser)
  await signIn(page, server, 'demo-provider@example.com')
  await page.locator('sw-dashboard nav').waitFor()
  const me = await page.evaluate(async () => (await fetch('/v1/me')).json())
  assert.deepEqual(me.providers, ['demo'])
  assert.equal(me.account.plan, 'paid', 'the demo has more than one active service')
  await page.locator('sw-dashboard nav a', { hasText: 'Settings' }).click()
  assert.equal(await page.locator('sw-settings-profile #name').inputValue(), (await (await fetch(`${server.url}/v1/providers/demo/snapshot?from=2030-01-01&to=2030-01-01`)).json()).provider.name)
  await assertClean(page)
})
