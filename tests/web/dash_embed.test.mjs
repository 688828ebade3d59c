// The embed screen (web/app/src/screens/embed.js) in Chromium against the
// real server: the real widget as the preview follows every option (service,
// locale, theme, brand colour, week start, popup and its button text), the
// snippet says the same options in the loader's data-* attributes, the link
// variant opens the booking page with them; axe in every variant and state;
// 320 px without sideways scroll, screenshot.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, launch, newPage, repo, run, runAxe, waitForEvent } from './lib.mjs'
import { createOwnProvider, screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { tabTo } from './dash_onboarding_lib.mjs'

const screen = 'sw-dashboard sw-screen-embed'

await run('dashboard embed', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  const page = await newPage(browser, { timezoneId: 'Europe/Berlin', permissions: ['clipboard-read', 'clipboard-write'] })
  await signIn(page, server, 'embed@example.com')
  await createOwnProvider(page, 'embed-test')
  await page.goto(`${server.url}/app/embed`)
  await page.locator(`${screen} #snippet`).waitFor()
  assert.equal((await screenHeading(page)).text, 'Embed')
  const snippet = () => page.locator(`${screen} #snippet`).inputValue()
  const origin = server.url
  assert.equal(await snippet(), `<script src="${origin}/widget.js" data-provider="embed-test" async></script>`)

  // The preview is the real widget, from this server's /widget.js.
  const w = page.locator(`${screen} slotwise-booking`)
  await waitForEvent(page, 'ready')
  await w.locator('.calendar[aria-busy=false]').waitFor()
  await runAxe(page, 'embed: inline preview')

  await page.locator(`${screen} #service`).selectOption('consult')
  assert.equal(await w.getAttribute('service'), 'consult')
  assert.match(await snippet(), / data-service="consult" /)

  // Locale de: the widget speaks German at once.
  await page.locator(`${screen} #locale`).selectOption('de')
  await w.locator('button[aria-label="Nächster Monat"]').waitFor()
  assert.match(await snippet(), / data-locale="de" /)

  // Week start: Sunday first in the calendar.
  await page.locator(`${screen} #week-start`).selectOption('sun')
  await page.waitForFunction((sel) => {
    const el = document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-embed').shadowRoot.querySelector('slotwise-booking')
    return el.shadowRoot.querySelector('thead th')?.getAttribute('abbr') === 'Sonntag'
  }, screen)
  assert.match(await snippet(), / data-week-start="sun" /)

  // Theme and brand colour; a colour that is not one is said at the field.
  await page.locator(`${screen} #theme`).selectOption('dark')
  assert.equal(await w.getAttribute('theme'), 'dark')
  await page.locator(`${screen} #brand-hex`).fill('#12')
  await page.locator(`${screen} #brand-error`).waitFor()
  assert.equal(await page.locator(`${screen} #brand-hex`).getAttribute('aria-invalid'), 'true')
  assert.doesNotMatch(await snippet(), /brand-color/)
  await runAxe(page, 'embed: dark, German, a wrong colour')
  await page.locator(`${screen} #brand-hex`).fill('#0F766E')
  assert.equal(await page.locator(`${screen} #brand-error`).count(), 0)
  assert.equal(await w.getAttribute('brand-color'), '#0f766e')
  assert.equal(await snippet(), `<script src="${origin}/widget.js" data-provider="embed-test" data-service="consult" data-locale="de" data-theme="dark" data-brand-color="#0f766e" data-week-start="sun" async></script>`)

  // The choice is in the address bar: a reload shows the same.
  const chosen = await snippet()
  assert.match(page.url(), /\/app\/embed\?service=consult&locale=de&theme=dark&brand-color=%230f766e&week-start=sun$/)
  await page.reload()
  await page.locator(`${screen} #snippet`).waitFor()
  assert.equal(await snippet(), chosen)
  await waitForEvent(page, 'ready')
  await w.locator('button[aria-label="Nächster Monat"]').waitFor()

  // Copy.
  await page.locator(`${screen} button.copy`).click()
  await page.locator(`${screen} [role=status]`, { hasText: 'Snippet copied.' }).waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await snippet())

  // Popup, by keyboard alone: the variant by arrow key, the button text typed.
  await page.locator(`${screen} h1`).focus()
  await tabTo(page, 'variant-inline')
  await page.keyboard.press('ArrowDown')
  await w.locator('button.open', { hasText: 'Termin buchen' }).waitFor()
  await tabTo(page, 'button-label')
  await page.keyboard.type('Jetzt buchen')
  await w.locator('button.open', { hasText: 'Jetzt buchen' }).waitFor()
  assert.match(await snippet(), / data-mode="popup" data-button-label="Jetzt buchen" /)
  await runAxe(page, 'embed: popup closed')
  await w.locator('button.open').click()
  await w.locator('dialog[open]').waitFor()
  await runAxe(page, 'embed: popup open')
  await page.keyboard.press('Escape')
  await w.locator('dialog[open]').waitFor({ state: 'detached' })

  // Link: the booking page with the same options.
  await page.locator(`${screen} input[name=variant][value=link]`).check()
  const link = await snippet()
  const href = link.match(/^<a href="([^"]+)">Book an appointment<\/a>$/)[1].replace(/&amp;/g, '&')
  assert.equal(href, `${origin}/app/book.html?provider=embed-test&service=consult&locale=de&theme=dark&brand-color=%230f766e&week-start=sun`)
  assert.equal(await page.locator(`${screen} a[target=_blank]`).getAttribute('href'), href)
  await runAxe(page, 'embed: link')

  await page.setViewportSize({ width: 320, height: 900 })
  await page.locator(`${screen} input[name=variant][value=inline]`).check()
  await w.locator('.calendar[aria-busy=false]').waitFor()
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll at 320 px')
  await runAxe(page, 'embed at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-embed-320.png'), fullPage: true })
  await assertClean(page)

  // The link's page, as a visitor opens it: the widget with those options.
  const visitor = await newPage(browser, { timezoneId: 'America/New_York' })
  await visitor.goto(href)
  await waitForEvent(visitor, 'ready')
  const v = visitor.locator('slotwise-booking')
  await v.locator('button[aria-label="Nächster Monat"]').waitFor()
  assert.equal(await v.getAttribute('theme'), 'dark')
  assert.equal(await v.getAttribute('service'), 'consult')
  await runAxe(visitor, 'booking page')
  await assertClean(visitor)
  // An incomplete link says so.
  await visitor.goto(`${origin}/app/book.html`)
  await visitor.locator('#missing').waitFor()
})
