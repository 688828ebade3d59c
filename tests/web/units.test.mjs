// The widget's pure helpers, table-driven: brand colours reach WCAG AA
// against both themes with readable text on them, calendar arithmetic, and
// every language has every string.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repo, run } from './lib.mjs'

const src = (f) => import(join(repo, 'web', 'src', f))

await run('web units', async () => {
  const { accessibleBrand, contrast } = await src('colour.js')
  const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
  const brands = ['#2f5bd3', '#ffffff', '#000000', '#ffe14d', '#00ff00', '#777777', '#e8590c', '#0f766e', '#ff00ff', '#123', '#fafafa', 'not-a-colour']
  for (const bg of ['#ffffff', '#15181d']) {
    for (const brand of brands) {
      const out = accessibleBrand(brand, bg)
      assert.ok(contrast(rgb(out.brand), rgb(bg)) >= 4.5, `${brand} on ${bg}: ${out.brand}`)
      assert.ok(contrast(rgb(out.onBrand), rgb(out.brand)) >= 4.5, `text on ${brand} (${out.brand}) on ${bg}: ${out.onBrand}`)
    }
  }
  // A colour that already passes is kept as it is.
  assert.equal(accessibleBrand('#2f5bd3', '#ffffff').brand, '#2f5bd3')

  const d = await src('dates.js')
  const cases = [
    [d.addDays('2027-02-28', 1), '2027-03-01'], [d.addDays('2028-02-28', 1), '2028-02-29'], [d.addDays('2027-01-01', -1), '2026-12-31'],
    [d.lastOfMonth({ y: 2028, m: 2 }), '2028-02-29'], [d.lastOfMonth({ y: 2027, m: 12 }), '2027-12-31'],
    [JSON.stringify(d.addMonths({ y: 2027, m: 12 }, 1)), '{"y":2028,"m":1}'], [JSON.stringify(d.addMonths({ y: 2027, m: 1 }, -1)), '{"y":2026,"m":12}'],
    [d.isoWeekday('2027-03-08'), 1], [d.isoWeekday('2027-03-14'), 7],
    [d.dateInZone(Date.UTC(2027, 2, 8, 23, 30), 'Pacific/Auckland'), '2027-03-09'], [d.dateInZone(Date.UTC(2027, 2, 8, 3), 'America/Los_Angeles'), '2027-03-07'],
    [d.instantString(Date.UTC(2027, 2, 8, 12, 34, 56, 789)), '2027-03-08T12:34:00Z'],
    [d.formatWallTime('en-US', '13:05'), '1:05 PM'], [d.formatWallTime('de-DE', '08:05'), '08:05'], [d.formatWallTime('en-GB', '08:05', 'h12'), '8:05 am'],
  ]
  for (const [got, want] of cases) assert.equal(got, want)

  const { initialRange, withoutInterval } = await src('range.js')
  const T = (hhmm) => Date.parse(`2027-03-10T${hhmm}:00Z`)
  const B = (a, b) => ({ start: `2027-03-10T${a}:00Z`, end: `2027-03-10T${b}:00Z` })
  for (const [busy, cut, want] of [
    [[B('09:00', '09:30')], ['09:00', '09:30'], []],
    [[B('08:00', '10:00')], ['09:00', '09:30'], [B('08:00', '09:00'), B('09:30', '10:00')]],
    [[B('09:00', '10:00')], ['09:00', '09:30'], [B('09:30', '10:00')]],
    [[B('07:00', '08:00'), B('10:00', '11:00')], ['09:00', '09:30'], [B('07:00', '08:00'), B('10:00', '11:00')]],
    [[B('08:30', '09:00'), B('09:30', '10:00')], ['09:00', '09:30'], [B('08:30', '09:00'), B('09:30', '10:00')]],
  ]) assert.deepEqual(withoutInterval(busy, T(cut[0]), T(cut[1])), want)
  // Two days of margin around the viewer's current and next month.
  assert.deepEqual(initialRange(new Date(2027, 2, 8, 12).getTime()), { from: '2027-02-27', to: '2027-05-02' })
  assert.deepEqual(initialRange(new Date(2027, 11, 31, 12).getTime()), { from: '2027-11-29', to: '2028-02-02' })

  const { translator, directionOf, supportedLanguages } = await src('i18n.js')
  const text = readFileSync(join(repo, 'web', 'src', 'i18n.js'), 'utf8')
  const keys = (lang) => [...text.match(new RegExp(`const ${lang} = \\{([\\s\\S]*?)\\n\\}`))[1].matchAll(/^\s+(\w+):/gm)].map((m) => m[1]).sort()
  for (const lang of supportedLanguages) assert.deepEqual(keys(lang), keys('en'), `strings of ${lang}`)
  assert.equal(translator('de-AT')('book'), 'Verbindlich buchen')
  assert.equal(translator('pt-BR')('book'), 'Confirm booking', 'unknown languages fall back to English')
  assert.equal(translator('fr')('freeTimesOther', { n: 3 }), '3 créneaux libres')
  assert.equal(directionOf('ar'), 'rtl')
  assert.equal(directionOf('he-IL'), 'rtl')
  assert.equal(directionOf('de'), 'ltr')
})
