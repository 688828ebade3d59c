// The onboarding's and the embed screen's models (web/app/src/screens/
// onboarding/model.js, embed/model.js) in Node: the id from the name, the
// suggestion for a taken id, each step's rules, the PUT document, which
// field a server problem concerns, the snippets; and every language has
// every string of both screens.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  fieldOfProblem, firstIncomplete, initialState, presetHours, priceToMinor, providerDocument, slugify, suggestId,
  validateStep, withName, currencyFor,
} from '../../web/app/src/screens/onboarding/model.js'
import { bookingLink, defaultOptions, optionsFromQuery, previewAttributes, queryOf, snippetFor, widgetOptions } from '../../web/app/src/screens/embed/model.js'
import { strings as onboardingStrings } from '../../web/app/src/screens/onboarding/strings.js'
import { strings as embedStrings } from '../../web/app/src/screens/embed/strings.js'
import { ATTRIBUTES } from '../../web/src/options.js'

test('the provider id from the name', () => {
  assert.equal(slugify('Dr. Jana Berger'), 'dr-jana-berger')
  assert.equal(slugify('  Praxis Müller & Söhne — Köln '), 'praxis-muller-sohne-koln')
  assert.equal(slugify('Straße 5'), 'strasse-5')
  assert.equal(slugify('東京'), '')
  assert.equal(slugify('a'.repeat(100)).length, 64)
  assert.equal(slugify('x-'.repeat(40)).endsWith('-'), false)
  // The name sets the id until the id is edited.
  let s = withName(initialState(), 'Anna Physio')
  assert.equal(s.id, 'anna-physio')
  s = withName({ ...s, id: 'anna', idEdited: true }, 'Anna Physiotherapie')
  assert.equal(s.id, 'anna')
})

test('a suggestion for a taken id', () => {
  assert.equal(suggestId('dr-ada'), 'dr-ada-2')
  assert.equal(suggestId('dr-ada-2', ['dr-ada-2']), 'dr-ada-3')
  assert.equal(suggestId('dr-ada', ['dr-ada-2', 'dr-ada-3']), 'dr-ada-4')
  const long = 'p'.repeat(64)
  assert.ok(suggestId(long).length <= 64)
  assert.match(suggestId(long), /^p+-2$/)
})

test('each step says what is missing, at its field', () => {
  const s = initialState({ timeZone: 'Europe/Berlin' })
  assert.deepEqual(validateStep('practice', s), { name: 'required' })
  assert.deepEqual(validateStep('practice', { ...s, name: 'x'.repeat(201) }), { name: 'tooLong' })
  assert.deepEqual(validateStep('practice', { ...s, name: 'A', kind: 'wizard' }), { kind: 'required' })
  assert.deepEqual(validateStep('hours', s), {}, 'the preset is valid')
  const hours = (patch) => ({ ...s, hours: s.hours.map((h) => (h.day === 'wed' ? { ...h, ...patch } : h)) })
  assert.deepEqual(validateStep('hours', hours({ end: '08:00' })), { 'wed-end': 'endAfterStart' })
  assert.deepEqual(validateStep('hours', hours({ start: '' })), { 'wed-start': 'time' })
  assert.deepEqual(validateStep('hours', hours({ end: '24:00' })), {})
  assert.deepEqual(validateStep('hours', { ...s, hours: s.hours.map((h) => ({ ...h, open: false })) }), { hours: 'oneDay' })
  assert.deepEqual(validateStep('hours', { ...s, hours: s.hours.map((h) => ({ ...h, open: false, end: '' })) }), { hours: 'oneDay' }, 'closed days are not checked')
  assert.deepEqual(validateStep('service', s), { serviceName: 'required' })
  assert.deepEqual(validateStep('service', { ...s, serviceName: 'C', price: '12.345' }), { price: 'priceError' })
  assert.deepEqual(validateStep('service', { ...s, serviceName: 'C', duration: 3 }), { duration: 'durationError' })
  assert.deepEqual(validateStep('address', { ...s, id: '' }), { id: 'required' })
  assert.deepEqual(validateStep('address', { ...s, id: 'dr ada' }), { id: 'idChars' })
  assert.deepEqual(validateStep('address', { ...s, id: 'mine' }, { ownIds: ['mine'] }), { id: 'idOwn' })
  assert.deepEqual(validateStep('address', { ...s, id: 'Dr_Ada-1' }), {})
  // A step cannot be skipped to.
  assert.equal(firstIncomplete(s), 'practice')
  assert.equal(firstIncomplete({ ...s, name: 'A' }), 'service')
  assert.equal(firstIncomplete({ ...s, name: 'A', serviceName: 'C' }), 'address')
})

test('prices in minor units', () => {
  assert.equal(priceToMinor('', 'EUR'), 0)
  assert.equal(priceToMinor('60', 'EUR'), 6000)
  assert.equal(priceToMinor('60,5', 'EUR'), 6050)
  assert.equal(priceToMinor('60.05', 'USD'), 6005)
  assert.equal(priceToMinor('1000', 'JPY'), 1000)
  assert.equal(priceToMinor('10.5', 'JPY'), null)
  assert.equal(priceToMinor('-1', 'EUR'), null)
  assert.equal(priceToMinor('1e3', 'EUR'), null)
  assert.equal(currencyFor('America/New_York'), 'USD')
  assert.equal(currencyFor('Europe/London'), 'GBP')
  assert.equal(currencyFor('Europe/Berlin'), 'EUR')
})

test('the document the PUT sends', () => {
  const s = { ...initialState({ timeZone: 'Europe/Lisbon' }), name: ' Keyboard Clinic ', kind: 'therapist', serviceName: 'Intro session', duration: 45, price: '40' }
  s.hours = presetHours().map((h) => (h.day === 'sat' ? { ...h, open: true, end: '13:00' } : h))
  assert.deepEqual(providerDocument(s), {
    name: 'Keyboard Clinic', kind: 'therapist', time_zone: 'Europe/Lisbon', active: true,
    schedules: { default: { weekly: [...['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })), { day: 'sat', start: '09:00', end: '13:00' }] } },
    services: [{ id: 'intro-session', name: 'Intro session', durations: [45], price: { amount: 4000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false }],
  })
  assert.equal(providerDocument({ ...s, serviceName: '東京' }).services[0].id, 'appointment')
})

test('a server problem finds its step and field', () => {
  assert.deepEqual(fieldOfProblem({ code: 'PROVIDER_ID_TAKEN' }), { step: 'address', field: 'id' })
  assert.deepEqual(fieldOfProblem({ code: 'INVALID_REQUEST', detail: '/services/0/name contains a character that is not allowed here' }), { step: 'service', field: 'serviceName' })
  assert.deepEqual(fieldOfProblem({ code: 'INVALID_REQUEST', path: '/time_zone' }), { step: 'practice', field: 'timeZone' })
  assert.deepEqual(fieldOfProblem({ code: 'INVALID_REQUEST', detail: '/name contains a character that is not allowed here' }), { step: 'practice', field: 'name' })
  assert.deepEqual(fieldOfProblem({ code: 'INVALID_CONFIGURATION', path: 'schedules/default/weekly/0/end' }), { step: 'hours', field: 'hours' })
  assert.deepEqual(fieldOfProblem({ code: 'INVALID_REQUEST', path: '/services/0/price/currency' }), { step: 'service', field: 'price' })
  assert.equal(fieldOfProblem({ code: 'PLAN_LIMIT', detail: 'the free plan allows one active service' }), null)
  assert.equal(fieldOfProblem(null), null)
})

test('snippets say the widget’s own options', () => {
  const origin = 'https://slotwise.example'
  const o = defaultOptions()
  assert.equal(snippetFor(origin, 'dr-berger', o), '<script src="https://slotwise.example/widget.js" data-provider="dr-berger" async></script>')
  const all = { ...o, service: 'consult', locale: 'de', theme: 'dark', brandColor: '#0F766E', weekStart: 'sun' }
  assert.equal(snippetFor(origin, 'dr-berger', all),
    '<script src="https://slotwise.example/widget.js" data-provider="dr-berger" data-service="consult" data-locale="de" data-theme="dark" data-brand-color="#0f766e" data-week-start="sun" async></script>')
  assert.equal(snippetFor(origin, 'dr-berger', { ...o, variant: 'popup', buttonLabel: ' Book "now" <3 ' }),
    '<script src="https://slotwise.example/widget.js" data-provider="dr-berger" data-mode="popup" data-button-label="Book &quot;now&quot; &lt;3" async></script>')
  // Defaults and invalid colours are left out; the button text only for the popup.
  assert.deepEqual(widgetOptions('p', { ...o, brandColor: '#2F5BD3', buttonLabel: 'x' }), { provider: 'p' })
  assert.deepEqual(widgetOptions('p', { ...o, brandColor: '#12' }), { provider: 'p' })
  // Every attribute the preview sets is one the widget observes.
  const attrs = previewAttributes('p', { ...all, variant: 'popup', buttonLabel: 'Go' }, 'https://slotwise.example/')
  for (const name of Object.keys(attrs)) assert.ok(ATTRIBUTES.includes(name), name)
  assert.equal(attrs['button-label'], 'Go')
  assert.equal(bookingLink(origin, 'dr berger', { ...all, variant: 'link' }),
    'https://slotwise.example/app/book.html?provider=dr+berger&service=consult&locale=de&theme=dark&brand-color=%230f766e&week-start=sun')
  assert.equal(snippetFor(origin, 'p', { ...o, variant: 'link', linkText: 'Termin <buchen>' }),
    '<a href="https://slotwise.example/app/book.html?provider=p">Termin &lt;buchen&gt;</a>')
})

test('the embed options in the address bar', () => {
  const o = { ...defaultOptions(), variant: 'popup', service: 'consult', locale: 'fr', theme: 'auto', brandColor: '#0f766e', weekStart: 'mon', buttonLabel: 'Réserver & payer' }
  assert.deepEqual(optionsFromQuery(new URLSearchParams(queryOf(o))), o)
  assert.equal(queryOf(defaultOptions()), '')
  assert.deepEqual(optionsFromQuery(new URLSearchParams('variant=iframe&locale=xx&theme=neon&brand-color=red&week-start=fri&service=a%20b')), defaultOptions())
  assert.deepEqual(optionsFromQuery(null), defaultOptions())
})

test('every language has every string of both screens', () => {
  for (const table of [onboardingStrings, embedStrings]) {
    const keys = Object.keys(table.en).sort()
    for (const lang of ['de', 'fr', 'es']) {
      assert.deepEqual(Object.keys(table[lang]).sort(), keys, lang)
      for (const k of keys) {
        const vars = (s) => (s.match(/\{\w+\}/g) || []).sort()
        assert.deepEqual(vars(table[lang][k]), vars(table.en[k]), `${lang}.${k} keeps the placeholders`)
      }
    }
  }
})
