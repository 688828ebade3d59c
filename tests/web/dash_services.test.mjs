// The services screen (web/app/src/screens/services.js) in Chromium against
// the real server: a service created by keyboard alone, every field edited,
// saved and read back (GET equals what was set, a reload shows it), rules
// shown at the field while typing and a save that does not send while any
// is broken, the free plan's one active service (in the list from the
// server's 422, in the editor before saving), duplicate, deactivate, delete
// through a confirmation dialog down to the empty list, another language,
// axe in every state, 320 px.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { assertClean, berlinProvider, launch, newPage, repo, run, runAxe } from './lib.mjs'
import { createOwnProvider, screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'

const ID = 'dash-services-test'
const screen = 'sw-dashboard sw-screen-services'

await run('dashboard services', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  const page = await newPage(browser)
  const q = (selector, options) => page.locator(`${screen} ${selector}`, options)
  const getProvider = () => page.evaluate(async (id) => (await fetch(`/v1/providers/${id}`)).json(), ID)
  const service = async (id) => (await getProvider()).services.find((s) => s.id === id)
  const puts = []
  page.on('request', (r) => { if (r.method() === 'PUT') puts.push(r.url()) })
  // The element focused inside the screen's shadow root.
  const focusedId = () => page.evaluate(() => {
    let el = document.activeElement
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
    return el?.id || el?.textContent?.trim() || el?.tagName
  })
  // Tab forward until the element with `id` (or text) has focus: keyboard only.
  const tabTo = async (id) => {
    for (let i = 0; i < 150; i++) {
      if (await focusedId() === id) return
      await page.keyboard.press('Tab')
    }
    throw new Error(`Tab never reached ${id}`)
  }
  const waitFocus = async (id) => {
    for (let i = 0; i < 100 && await focusedId() !== id; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(await focusedId(), id)
  }
  const typeInto = async (id, text) => {
    await tabTo(id)
    await page.keyboard.press('ControlOrMeta+a')
    if (text === '') await page.keyboard.press('Backspace')
    else await page.keyboard.type(String(text))
  }

  await signIn(page, server, 'services@example.com')
  const first = berlinProvider()
  await createOwnProvider(page, ID, {
    ...first,
    schedules: { ...first.schedules, evenings: { weekly: [{ day: 'tue', start: '17:00', end: '21:00' }] } },
    services: [first.services[0], { ...first.services[1], active: false }],
  })
  await page.goto(`${server.url}/app/services`)
  await q('li[data-service=video]').waitFor()
  assert.equal((await screenHeading(page)).text, 'Services')
  await runAxe(page, 'services list')

  // The free plan: activating a second service is refused by the server and said plainly.
  await q('li[data-service=video] button', { hasText: /^Activate$/ }).click()
  await q('#list-message', { hasText: 'free plan allows one active service' }).waitFor()
  assert.equal((await service('video')).active, false)
  await runAxe(page, 'plan limit in the list')

  // A new service by keyboard alone.
  await tabTo('New service')
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/app/services/new')
  await q('#f-name').waitFor()
  await page.waitForFunction(() => {
    const screen = document.querySelector('sw-dashboard').shadowRoot.querySelector('main > *')
    return screen?.shadowRoot?.activeElement?.tagName === 'H1'
  })
  await runAxe(page, 'new service')
  for (const id of ['f-name', 'f-id', 'f-price-amount', 'f-price-currency']) assert.equal(await q(`#${id}`).getAttribute('required'), '', `${id} is marked required`)
  await typeInto('f-name', 'Deep tissue massage')
  assert.equal(await q('#f-id').inputValue(), 'deep-tissue-massage', 'the id follows the name until typed')
  await typeInto('f-id', 'massage')
  await typeInto('f-durations-0', '45')
  await tabTo('add-durations')
  await page.keyboard.press('Enter')
  await waitFocus('f-durations-1')
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type('90')
  await typeInto('f-buffer_before_minutes', '10')
  await typeInto('f-slot_interval_minutes', '30')
  await typeInto('f-min_notice_minutes', '240')
  await tabTo('f-schedule')
  await page.keyboard.press('ArrowDown')
  await typeInto('f-price-amount', '75.50')
  // The policy's radios: arrows move the choice to the custom tiers.
  await tabTo('f-policy-flexible')
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown')
  await typeInto('f-cancellation_policy-0-hours_before', '48')
  await tabTo('f-virtual')
  await page.keyboard.press('Space')
  await typeInto('f-reminders-1-before_minutes', '120')
  await typeInto('f-review_request_after_minutes', '')
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/app/services/massage')
  let massage = await service('massage')
  assert.deepEqual(massage, {
    id: 'massage', name: 'Deep tissue massage', schedule: 'evenings', active: false, durations: [45, 90],
    buffer_before_minutes: 10, buffer_after_minutes: 0, slot_interval_minutes: 30, min_notice_minutes: 240,
    price: { amount: 7550, currency: 'EUR' }, cancellation_policy: [{ hours_before: 48, percent: 100 }],
    virtual: true, requires_confirmation: false,
    reminders: [{ before_minutes: 2880, channels: ['email'] }, { before_minutes: 120, channels: ['email'] }],
    review_request_after_minutes: null,
  })

  // Rules at the field while typing, before any save.
  await q('#f-durations-0').fill('0')
  await q('#f-durations-0-err', { hasText: 'A whole number from 5 to 1,440.' }).waitFor()
  assert.equal(await q('#f-durations-0').getAttribute('aria-invalid'), 'true')
  await q('#f-min_notice_minutes').fill('-5')
  await q('#f-min_notice_minutes-err', { hasText: 'from 0 to 525,600' }).waitFor()
  await q('#f-cancellation_policy-0-percent').fill('150')
  await q('#f-cancellation_policy-0-percent-err', { hasText: 'from 0 to 100' }).waitFor()
  await q('#f-price-amount').fill('75.505')
  await q('#f-price-amount-err', { hasText: 'at most 2 decimal places' }).waitFor()
  await q('#f-price-currency').fill('jpy')
  assert.equal(await q('#f-price-currency').inputValue(), 'JPY')
  await q('#f-price-amount-err', { hasText: 'at most 0 decimal places' }).waitFor()
  await runAxe(page, 'field errors')
  // Save sends nothing while a rule is broken; focus goes to the first broken field.
  const before = puts.length
  await q('button[type=submit]').click()
  await q('[role=alert]', { hasText: 'Please fix 4 problem(s) first.' }).waitFor()
  await waitFocus('f-durations-0')
  assert.equal(puts.length, before, 'no PUT while a rule is broken')
  // The plan's limit at the active box, before saving.
  await q('#f-active').check()
  await q('#f-active-err', { hasText: 'free plan allows one active service' }).waitFor()
  await runAxe(page, 'plan limit in the editor')
  await q('#f-active').uncheck()

  // Every field edited, saved, read back.
  await q('#f-name').fill('Sports massage')
  await q('#f-durations-0').fill('60')
  await q('button', { hasText: 'Remove duration 2' }).click()
  await q('#f-buffer_before_minutes').fill('0')
  await q('#f-buffer_after_minutes').fill('15')
  await q('#f-slot_interval_minutes').fill('')
  await q('#f-min_notice_minutes').fill('1440')
  await q('#f-max_advance_days').fill('90')
  await q('#f-schedule').selectOption('default')
  await q('#f-price-amount').fill('9000')
  await q('#f-cancellation_policy-0-percent').fill('80')
  await q('button', { hasText: 'Add a tier' }).click()
  await q('#f-cancellation_policy-1-hours_before').fill('12')
  await q('#f-cancellation_policy-1-percent').fill('25')
  await q('#f-virtual').uncheck()
  await q('#f-requires_confirmation').check()
  await q('#f-verify_client_email').check()
  await q('button', { hasText: 'Remove reminder 1' }).click()
  await q('#f-reminders-0-sms').check()
  await q('#f-reminders-0-email').uncheck()
  await q('#f-review_request_after_minutes').fill('180')
  const expected = {
    id: 'massage', name: 'Sports massage', schedule: 'default', active: false, durations: [60],
    buffer_before_minutes: 0, buffer_after_minutes: 15, min_notice_minutes: 1440, max_advance_days: 90,
    price: { amount: 9000, currency: 'JPY' }, cancellation_policy: [{ hours_before: 48, percent: 80 }, { hours_before: 12, percent: 25 }],
    virtual: false, requires_confirmation: true, verify_client_email: true,
    reminders: [{ before_minutes: 120, channels: ['sms'] }], review_request_after_minutes: 180,
  }
  await q('button[type=submit]').click()
  await page.waitForFunction(async (id) => (await (await fetch(`/v1/providers/${id}`)).json()).services.some((s) => s.name === 'Sports massage'), ID)
  massage = await service('massage')
  assert.deepEqual(massage, expected)
  await page.reload()
  await q('#f-name').waitFor()
  assert.equal(await q('#f-name').inputValue(), 'Sports massage')
  assert.equal(await q('#f-price-amount').inputValue(), '9000')
  assert.equal(await q('#f-review_request_after_minutes').inputValue(), '180')
  assert.ok(await q('#f-verify_client_email').isChecked())
  assert.equal(await q('#f-schedule').inputValue(), 'default')

  // 320 px: nothing scrolls sideways; the screenshot for the README.
  await page.setViewportSize({ width: 320, height: 900 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll in the editor at 320 px')
  await page.screenshot({ path: join(repo, 'web', 'screenshots', 'dashboard-services-320.png') })
  await runAxe(page, 'editor at 320 px')

  // Duplicate from the list: a prefilled new form with a free id.
  await q('a', { hasText: 'All services' }).click()
  await q('li[data-service=massage]').waitFor()
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll in the list at 320 px')
  await page.setViewportSize({ width: 1280, height: 900 })
  await q('li[data-service=consult] a', { hasText: 'Duplicate' }).click()
  await page.waitForURL((u) => u.pathname === '/app/services/new' && u.search === '?from=consult')
  assert.equal(await q('#f-id').inputValue(), 'consult-copy')
  await q('#f-id').fill('consult')
  await q('#f-id-err', { hasText: 'Another service already has this id.' }).waitFor()
  await q('#f-id').fill('consult-copy')
  await q('button[type=submit]').click()
  await page.waitForURL((u) => u.pathname === '/app/services/consult-copy')
  const copy = await service('consult-copy')
  const original = await service('consult')
  assert.deepEqual({ ...copy, id: 'consult', active: true }, original)

  // Deactivate, then the other can be activated.
  await q('a', { hasText: 'All services' }).click()
  await q('li[data-service=consult] button', { hasText: /^Deactivate$/ }).click()
  await q('li[data-service=consult] .status', { hasText: /^Inactive$/ }).waitFor()
  assert.equal((await service('consult')).active, false)
  await q('li[data-service=video] button', { hasText: /^Activate$/ }).click()
  await q('li[data-service=video] .status', { hasText: /^Active$/ }).waitFor()
  assert.equal((await service('video')).active, true)

  // Delete: a dialog; Escape keeps the service and focus returns.
  const del = q('li[data-service=consult-copy] button', { hasText: 'Delete' })
  await del.click()
  await q('dialog[open]').waitFor()
  await waitFocus('Cancel')
  await runAxe(page, 'delete dialog')
  await page.keyboard.press('Escape')
  await q('dialog[open]').waitFor({ state: 'detached' })
  await waitFocus('Delete')
  assert.ok(await service('consult-copy'))
  await del.click()
  await q('dialog[open] button.danger').click()
  await q('li[data-service=consult-copy]').waitFor({ state: 'detached' })
  assert.equal(await service('consult-copy'), undefined)
  await page.waitForFunction(() => {
    const screen = document.querySelector('sw-dashboard').shadowRoot.querySelector('main > *')
    return screen?.shadowRoot?.activeElement?.tagName === 'H1'
  })
  await runAxe(page, 'list after delete')

  // Another language: the screen's words and its rules.
  await page.locator('sw-dashboard #language').selectOption('de')
  await q('h1', { hasText: 'Leistungen' }).waitFor()
  await q('li[data-service=massage] a', { hasText: 'Bearbeiten' }).click()
  await q('#f-min_notice_minutes').fill('x')
  await q('#f-min_notice_minutes-err', { hasText: 'Eine ganze Zahl von 0 bis 525.600.' }).waitFor()
  await page.setViewportSize({ width: 320, height: 900 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scroll in German at 320 px')
  await runAxe(page, 'editor in German with an error at 320 px')
  await page.setViewportSize({ width: 1280, height: 900 })

  // The empty list, every service deleted by keyboard through the dialog.
  await page.locator('sw-dashboard #language').selectOption('en')
  await q('a', { hasText: 'All services' }).click()
  for (const id of ['consult', 'video', 'massage']) {
    await q(`li[data-service=${id}] button.danger`).focus()
    await page.keyboard.press('Enter')
    await waitFocus('Cancel')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await q(`li[data-service=${id}]`).waitFor({ state: 'detached' })
  }
  await q('p', { hasText: 'No services yet.' }).waitFor()
  assert.deepEqual((await getProvider()).services, [])
  await runAxe(page, 'empty list')
  await assertClean(page)
})
