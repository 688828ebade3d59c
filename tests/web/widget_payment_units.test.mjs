// The payment step's parts that need no browser (web/src/payment/format.js,
// strings.js, the flow's moves): every language has every string with the
// same placeholders, amounts in minor units by the currency's own digits,
// the countdown clock, and the screens the step may lead to.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import words from '../../web/src/payment/strings.js'
import { clockText, languageOf, money, translator } from '../../web/src/payment/format.js'
import { canMove, SCREENS } from '../../web/src/flow.js'

const placeholders = (s) => [...s.matchAll(/\{\w+\}/g)].map(String).sort()

test('every widget language has every payment string, with the same placeholders', () => {
  // The widget's languages (web/src/i18n.js supportedLanguages).
  assert.deepEqual(Object.keys(words).sort(), ['ar', 'de', 'en', 'es', 'fr'])
  for (const [lang, table] of Object.entries(words)) {
    assert.deepEqual(Object.keys(table).sort(), Object.keys(words.en).sort(), lang)
    for (const [k, v] of Object.entries(words.en)) {
      assert.ok(table[k].trim().length > 0, `${lang}.${k} is empty`)
      assert.deepEqual(placeholders(table[k]), placeholders(v), `${lang}.${k}`)
      if (lang !== 'en' && k !== 'title') assert.notEqual(table[k], v, `${lang}.${k} is still English`)
    }
  }
})

test('the translator fills placeholders, picks the language and falls back to English', () => {
  assert.equal(translator('de-AT')('pay', { amount: '20,00 €' }), '20,00 € bezahlen')
  assert.equal(translator('fr-CA')('title'), 'Paiement')
  assert.equal(translator('ja-JP')('payFull', { amount: '¥6,000' }), 'To pay now: ¥6,000')
  assert.equal(translator('not a locale')('title'), 'Payment')
  assert.equal(languageOf('es-MX'), 'es')
})

test("amounts are minor units, by the currency's digits, in the locale's format", () => {
  assert.equal(money('en-GB', 6000, 'EUR'), '€60.00')
  assert.equal(money('de-DE', 2000, 'EUR').replace(/\s/g, ' '), '20,00 €')
  assert.equal(money('en-US', 5000, 'JPY'), '¥5,000', 'yen has no minor unit')
  assert.equal(money('en-US', 1234, 'BHD').replace(/\s/g, ' '), 'BHD 1.234', 'three decimals')
  assert.equal(money('en', 100, 'not-a-currency'), '100 not-a-currency')
})

test("the countdown clock: minutes and seconds, never negative, the locale's digits", () => {
  assert.equal(clockText('en', 845), '14:05')
  assert.equal(clockText('en', 900), '15:00')
  assert.equal(clockText('en', 0.2), '0:01', 'a part second left still shows a second')
  assert.equal(clockText('en', -30), '0:00')
  assert.equal(clockText('ar-EG', 65), '١:٠٥')
})

test("the payment step's moves in the flow table", () => {
  assert.ok(SCREENS.includes('pay'))
  assert.ok(canMove('form', 'pay'), 'a paid booking goes from the form to the step')
  assert.ok(canMove('loading', 'pay'), 'a reload resumes the step')
  assert.ok(canMove('pay', 'done'), 'paid: the confirmation')
  assert.ok(canMove('pay', 'calendar'), 'ran out: the times')
  assert.ok(!canMove('pay', 'form'), 'never back to the form: the hold is made')
  assert.ok(!canMove('calendar', 'pay'))
})
