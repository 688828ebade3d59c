// The onboarding by keyboard alone (only key presses once signed in): errors
// at the fields with focus on them, the zone changed in the shared zone
// picker, a day opened and its end moved, the service's duration chosen,
// saved, the snippet copied, on to the dashboard; then a second practice
// from /app/onboarding: the account's own id refused at the field, German,
// and a problem only the server finds shown at its field on its step. Axe
// in every state.
import assert from 'node:assert/strict'
import { assertClean, launch, newPage, run, runAxe } from './lib.mjs'
import { screenHeading, signIn, startDashboardServer } from './dashboard_lib.mjs'
import { focusedId, screen, tabTo, zoneInputId } from './dash_onboarding_lib.mjs'

await run('dashboard onboarding by keyboard', async () => {
  const server = await startDashboardServer()
  const browser = await launch()
  // Keyboard alone: another newcomer, only key presses from the first field.
  const kb = await newPage(browser, { timezoneId: 'Europe/Berlin' })
  await signIn(kb, server, 'keys@example.com')
  await kb.waitForURL(/\/app\/onboarding/)
  await kb.locator(`${screen} slotwise-zone-picker input[role=combobox]`).waitFor()
  await tabTo(kb, 'name')
  await kb.keyboard.press('Enter')
  await kb.locator(`${screen} #name-error`).waitFor()
  assert.equal(await focusedId(kb), 'name', 'the empty field gets focus')
  await kb.keyboard.type('Keyboard Clinic')
  await kb.keyboard.press('Tab')
  assert.equal(await focusedId(kb), 'kind')
  await kb.keyboard.press('ArrowDown') // doctor → consultant
  await tabTo(kb, await zoneInputId(kb))
  await kb.keyboard.type('Lisbon')
  await kb.locator(`${screen} slotwise-zone-picker [role=option]`).first().waitFor()
  await kb.keyboard.press('Enter')
  await kb.waitForFunction((sel) => document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-onboarding').shadowRoot.querySelector('slotwise-zone-picker').value === 'Europe/Lisbon', screen)
  await runAxe(kb, 'onboarding: zone changed')
  await tabTo(kb, 'next')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=hours/)
  assert.equal(await focusedId(kb), 'H2', 'focus moves to the new step')
  await tabTo(kb, 'sat-open')
  await kb.keyboard.press('Space')
  await kb.locator(`${screen} #sat-start`).waitFor()
  await tabTo(kb, 'sat-end')
  for (let i = 0; i < 4; i++) await kb.keyboard.press('ArrowDown') // the hour: 17:00 → 13:00
  await runAxe(kb, 'onboarding: hours, Saturday opened')
  await tabTo(kb, 'next')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=service/)
  await tabTo(kb, 'serviceName')
  await kb.keyboard.type('Intro session')
  await kb.keyboard.press('Tab')
  await kb.keyboard.press('ArrowDown') // 30 → 45 minutes
  await kb.keyboard.press('Tab')
  await kb.keyboard.type('40')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=address/)
  await tabTo(kb, 'id')
  assert.equal(await kb.locator(`${screen} #id`).inputValue(), 'keyboard-clinic')
  await kb.keyboard.press('Enter')
  await kb.waitForURL(/step=done/)
  assert.equal(await focusedId(kb), 'H2', 'focus moves to the result')
  await tabTo(kb, 'snippet')
  await kb.keyboard.press('Tab')
  await kb.keyboard.press('Enter') // the copy button
  await kb.locator(`${screen} [role=status]`, { hasText: /Snippet copied|Copying failed/ }).waitFor()
  await tabTo(kb, 'to-dashboard')
  await kb.keyboard.press('Enter')
  await kb.waitForURL((u) => u.pathname === '/app/')
  const made = await server.api('GET', '/v1/providers/keyboard-clinic')
  assert.equal(made.json.name, 'Keyboard Clinic')
  assert.equal(made.json.kind, 'consultant')
  assert.equal(made.json.time_zone, 'Europe/Lisbon')
  assert.deepEqual(made.json.schedules.default.weekly.find((w) => w.day === 'sat'), { day: 'sat', start: '09:00', end: '13:00' })
  assert.deepEqual(made.json.services[0].durations, [45])
  assert.deepEqual(made.json.services[0].price, { amount: 4000, currency: 'EUR' })
  await assertClean(kb)

  // Later, a second practice from /app/onboarding: its own id is refused at the field.
  await kb.goto(`${server.url}/app/onboarding`)
  await kb.locator(`${screen} #name`).waitFor()
  assert.equal((await screenHeading(kb)).text, 'Add a practice')
  await kb.locator('sw-dashboard nav').waitFor()
  await runAxe(kb, 'onboarding: another practice')
  // Its own id again is refused at the field, before any request.
  await kb.locator(`${screen} #name`).fill('Keyboard Clinic')
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=hours/)
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=service/)
  await kb.locator(`${screen} #serviceName`).fill('Follow-up')
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=address/)
  await kb.locator(`${screen} #next`).click()
  assert.match(await kb.locator(`${screen} #id-error`).textContent(), /already have/)
  // In German, every word of the step.
  await kb.locator('sw-dashboard #language').selectOption('de')
  await kb.locator(`${screen} h1`, { hasText: 'Weitere Praxis anlegen' }).waitFor()
  assert.match(await kb.locator(`${screen} #id-error`).textContent(), /schon eine Praxis/)
  await runAxe(kb, 'onboarding: German, own id refused')
  await kb.locator('sw-dashboard #language').selectOption('en')
  // A problem only the server finds (a direction override in the name) is
  // shown at its field, on its step, with focus there.
  await kb.locator(`${screen} #back`).click()
  await kb.locator(`${screen} #back`).click()
  await kb.locator(`${screen} #back`).click()
  await kb.waitForURL(/step=practice/)
  await kb.locator(`${screen} #name`).fill('Second \u202eClinic')
  for (const step of ['hours', 'service', 'address']) {
    await kb.locator(`${screen} #next`).click()
    await kb.waitForURL(new RegExp(`step=${step}`))
  }
  await kb.locator(`${screen} #id`).fill('second-clinic')
  await kb.locator(`${screen} #next`).click()
  await kb.waitForURL(/step=practice/)
  await kb.locator(`${screen} #name-error`, { hasText: 'not allowed' }).waitFor()
  await kb.waitForFunction(() => {
    const s = document.querySelector('sw-dashboard').shadowRoot.querySelector('sw-screen-onboarding').shadowRoot
    return s.activeElement?.id === 'name'
  })
  await runAxe(kb, 'onboarding: a server problem at its field')
  assert.equal((await server.api('GET', '/v1/providers/second-clinic')).status, 404)
})
