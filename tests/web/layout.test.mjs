// At 320 px nothing overflows (inline and popup), day and time targets stay
// at least 44 px, the widget has its natural height (no inner scrollbars),
// and screenshots of desktop and mobile are saved (SLOTWISE_SCREENSHOT_DIR,
// default: the test's build folder; web/screenshots/ holds the committed ones).
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { assertClean, createProvider, fillDetails, hostPage, launch, newPage, run, startServer, waitForEvent } from './lib.mjs'

const shotDir = process.env.SLOTWISE_SCREENSHOT_DIR || join(process.cwd(), 'screenshots')

async function overflow(page) {
  return page.evaluate(() => {
    const out = []
    const vw = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth > vw) out.push(`document scrollWidth ${document.documentElement.scrollWidth} > ${vw}`)
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        const r = el.getBoundingClientRect()
        if (r.width > 1 && (r.right > vw + 0.5 || r.left < -0.5)) out.push(`${el.localName}.${el.className} [${Math.round(r.left)}, ${Math.round(r.right)}]`)
        const cs = getComputedStyle(el)
        if ((cs.overflowY === 'auto' || cs.overflowY === 'scroll') && el.scrollHeight > el.clientHeight + 1 && el.localName !== 'dialog' && el.localName !== 'textarea') out.push(`inner scrollbar on ${el.localName}.${el.className}`)
        if (el.shadowRoot) walk(el.shadowRoot)
      }
    }
    walk(document)
    return out
  })
}

async function smallTargets(page) {
  return page.evaluate(() => {
    const root = document.querySelector('slotwise-booking').shadowRoot
    return [...root.querySelectorAll('button.day, button.slot')].map((b) => b.getBoundingClientRect())
      .filter((r) => r.width > 0 && (r.width < 44 || r.height < 44)).length
  })
}

await run('web layout at 320 px and screenshots', async () => {
  mkdirSync(shotDir, { recursive: true })
  const server = await startServer({
    pages: {
      'popup.html': hostPage({ title: 'Popup', widgets: [{ provider: 'demo', mode: 'popup' }] }),
      'dark.html': hostPage({ title: 'Termin', lang: 'de', widgets: [{ provider: 'demo', service: 'consult', theme: 'auto', 'brand-color': '#e8590c' }] }),
      'rtl.html': hostPage({ title: 'حجز موعد', lang: 'ar', widgets: [{ provider: 'demo', service: 'consult', locale: 'ar' }] }),
    },
  })
  // The demo site's provider, as --demo would make it.
  await createProvider(server, 'demo', {
    name: 'Dr. Demo Example', kind: 'consultant', time_zone: 'Europe/Berlin', active: true,
    bio: 'A demo provider created by slotwise-server --demo.',
    schedules: { default: { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })) } },
    services: [
      { id: 'consult', name: 'Consultation', durations: [30, 60], buffer_after_minutes: 10, min_notice_minutes: 120, max_advance_days: 60, price: { amount: 5000, currency: 'EUR' }, cancellation_policy: 'moderate', virtual: false },
      { id: 'video', name: 'Video call', durations: [45], slot_interval_minutes: 60, min_notice_minutes: 60, max_advance_days: 60, price: { amount: 3000, currency: 'EUR' }, virtual: true, requires_confirmation: true },
    ],
  })
  const browser = await launch()

  // Desktop: the demo provider site.
  const desk = await newPage(browser, { viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' })
  await desk.goto(`${server.url}/`)
  await waitForEvent(desk, 'ready', 2)
  const book = desk.locator('#book slotwise-booking')
  await book.locator('[data-date="2027-03-10"]').click()
  assert.deepEqual(await overflow(desk), [])
  await book.screenshot({ path: join(shotDir, 'desktop-calendar.png') })
  await desk.screenshot({ path: join(shotDir, 'desktop-site.png'), fullPage: true })
  await book.locator('.slot').nth(1).click()
  await fillDetails(book, 'Ada Lovelace', 'ada@example.org')
  await book.screenshot({ path: join(shotDir, 'desktop-form.png') })
  await book.locator('button[type=submit]').click()
  await book.locator('#done-heading').waitFor()
  await book.screenshot({ path: join(shotDir, 'desktop-confirmation.png') })
  await desk.locator('slotwise-booking button.open').first().click()
  await desk.locator('slotwise-booking dialog[open]').waitFor()
  await desk.waitForTimeout(100)
  await desk.screenshot({ path: join(shotDir, 'desktop-popup.png') })
  await assertClean(desk)

  // Dark theme with a brand colour, German.
  const dark = await newPage(browser, { viewport: { width: 1000, height: 800 }, timezoneId: 'Europe/Berlin', locale: 'de-DE', colorScheme: 'dark' })
  await dark.goto(`${server.url}/dark.html`)
  await waitForEvent(dark, 'ready')
  await dark.locator('slotwise-booking [data-date="2027-03-10"]').click()
  await dark.locator('slotwise-booking').screenshot({ path: join(shotDir, 'desktop-dark-de.png') })
  await assertClean(dark)

  // Mobile, 320 px: inline, popup and right-to-left.
  const mobile = { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Europe/London', locale: 'en-GB' }
  const m = await newPage(browser, mobile)
  await m.goto(`${server.url}/`)
  await waitForEvent(m, 'ready', 2)
  const mb = m.locator('#book slotwise-booking')
  await mb.locator('[data-date="2027-03-10"]').click()
  assert.deepEqual(await overflow(m), [], 'inline calendar at 320 px')
  assert.equal(await smallTargets(m), 0, 'every day and time is at least 44 px')
  await mb.screenshot({ path: join(shotDir, 'mobile-calendar.png') })
  await mb.locator('.slot').first().click()
  assert.deepEqual(await overflow(m), [], 'form at 320 px')
  await mb.screenshot({ path: join(shotDir, 'mobile-form.png') })

  const mp = await newPage(browser, mobile)
  await mp.goto(`${server.url}/popup.html`)
  await waitForEvent(mp, 'ready')
  await mp.locator('slotwise-booking button.open').click()
  await mp.locator('slotwise-booking dialog[open]').waitFor()
  assert.deepEqual(await overflow(mp), [], 'popup at 320 px')
  await mp.screenshot({ path: join(shotDir, 'mobile-popup.png') })

  const rtl = await newPage(browser, { ...mobile, locale: 'ar', timezoneId: 'Asia/Dubai' })
  await rtl.goto(`${server.url}/rtl.html`)
  await waitForEvent(rtl, 'ready')
  assert.equal(await rtl.locator('slotwise-booking .sw').getAttribute('dir'), 'rtl')
  assert.deepEqual(await overflow(rtl), [], 'right-to-left at 320 px')
  // In RTL the next day is to the left: ArrowLeft moves forward in time.
  const first = await rtl.locator('slotwise-booking button.day[tabindex="0"]').getAttribute('data-date')
  await rtl.locator('slotwise-booking button.day[tabindex="0"]').focus()
  await rtl.keyboard.press('ArrowLeft')
  const next = await rtl.evaluate(() => document.querySelector('slotwise-booking').shadowRoot.activeElement.dataset.date)
  assert.equal(Date.parse(next) - Date.parse(first), 86400000)
  await rtl.locator('slotwise-booking').screenshot({ path: join(shotDir, 'mobile-rtl.png') })
  for (const p of [m, mp, rtl]) await assertClean(p)
  console.log(`screenshots in ${shotDir}`)
})
