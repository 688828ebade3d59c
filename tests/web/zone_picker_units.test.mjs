// The zone picker without a browser: the data generator (web/zone-data.mjs)
// on a small tzdata fixture and on the system's tzdata, link resolution,
// folding, offsets at fixed instants, and the search ranking in en, de, fr,
// es and ar (Node's Intl). Table-driven.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { repo, run } from './lib.mjs'

const web = (f) => import(pathToFileURL(join(repo, 'web', f)).href)

const FIXTURE_ZI = `# version 2099z
# ddeps
Z Asia/Kolkata 5:53:28 - LMT 1854 Jun 28
5:30 - IST
Z Etc/GMT 0 - GMT
Z Etc/GMT+5 -5 - -05
Z Etc/UTC 0 - UTC
Z EST5EDT -5 u E%sT
Z Europe/Berlin 0:53:28 - LMT 1893 Ap
1 - CET
Z Europe/Prague 0:57:44 - LMT 1850
1 - CET
Z Factory 0 - -00
L Arctic/Longyearbyen Atlantic/Jan_Mayen
L Asia/Kolkata Asia/Calcutta
L Etc/GMT GMT
L Etc/UTC Etc/Universal
L Etc/UTC UTC
L Europe/Berlin Arctic/Longyearbyen
L Europe/Berlin Europe/Oslo
L Europe/Prague Europe/Bratislava
L America/New_York US/Eastern
L Factory SystemV/Factory
`
const FIXTURE_TAB = `# tzdb timezone descriptions
#country-code\tcoordinates\tTZ\tcomments
DE\t+5230+01322\tEurope/Berlin\tmost of Germany
NO\t+5955+01045\tEurope/Oslo
SK\t+4809+01707\tEurope/Bratislava
CZ\t+5005+01426\tEurope/Prague
IN\t+2232+08822\tAsia/Kolkata
`
const FIXTURE_1970 = `#codes\tcoordinates\tTZ\tcomments
DE,DK,NO\t+5230+01322\tEurope/Berlin\tmost of Germany
IN\t+2232+08822\tAsia/Kolkata
`

await run('web zone picker units', async () => {
  const gen = await web('zone-data.mjs')
  const z = await web('src/zone-picker/zones.js')

  // --- The generator on a fixture: canonical zones in zone.tab's order, a
  // zone.tab row that is a link (Oslo and Bratislava here) folded into its
  // zone, link chains followed, Etc/Factory/POSIX zones neither listed nor
  // resolved, Etc/UTC and Etc/GMT as "UTC".
  const fx = gen.buildZoneData({ tzdataZi: FIXTURE_ZI, zoneTab: FIXTURE_TAB, zone1970Tab: FIXTURE_1970 })
  assert.equal(fx.version, '2099z')
  assert.deepEqual(fx.zones, [
    ['Europe/Berlin', 'DE NO', 'Jan Mayen|Longyearbyen|Oslo'],
    ['Europe/Prague', 'CZ SK', 'Bratislava'],
    ['Asia/Kolkata', 'IN', 'Calcutta'],
    ['UTC', ''],
  ])
  assert.deepEqual(fx.links, {
    'Arctic/Longyearbyen': 'Europe/Berlin', 'Asia/Calcutta': 'Asia/Kolkata', 'Atlantic/Jan_Mayen': 'Europe/Berlin',
    'Etc/GMT': 'UTC', 'Etc/UTC': 'UTC', 'Etc/Universal': 'UTC', 'Europe/Bratislava': 'Europe/Prague',
    'Europe/Oslo': 'Europe/Berlin', GMT: 'UTC',
  })
  for (const [name, want] of [
    ['Asia/Calcutta', 'Asia/Kolkata'], ['Asia/Kolkata', 'Asia/Kolkata'], ['Atlantic/Jan_Mayen', 'Europe/Berlin'],
    ['Etc/UTC', 'UTC'], ['UTC', 'UTC'], ['GMT', 'UTC'], ['Etc/GMT+5', null], ['Factory', null], ['SystemV/Factory', null],
    ['EST5EDT', null], ['US/Eastern', null], ['Mars/Olympus_Mons', null], ['', null], [null, null],
  ]) assert.equal(z.resolveZone(fx, name), want, `resolve ${name}`)
  // Without zone.tab, zone1970.tab: one zone for several countries.
  const fx1970 = gen.buildZoneData({ tzdataZi: FIXTURE_ZI, zoneTab: null, zone1970Tab: FIXTURE_1970 })
  assert.deepEqual(fx1970.zones.map((r) => r.slice(0, 2)), [['Europe/Berlin', 'DE DK NO'], ['Asia/Kolkata', 'IN'], ['UTC', '']])
  // The module text is what it says: written and imported, it gives the data back.
  const dir = mkdtempSync(join(tmpdir(), 'zone-data-'))
  try {
    writeFileSync(join(dir, 'tzdata.zi'), FIXTURE_ZI)
    writeFileSync(join(dir, 'zone.tab'), FIXTURE_TAB)
    const out = join(dir, 'zone-data.js')
    gen.generateZoneData({ zoneinfo: dir, out })
    const mod = await import(pathToFileURL(out).href)
    assert.deepEqual({ version: mod.tzVersion, zones: mod.zones, links: mod.links }, fx)
    assert.throws(() => gen.generateZoneData({ zoneinfo: join(dir, 'missing'), out }), /tzdata\.zi not found/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // --- The generator on the system's tzdata.
  const data = gen.buildZoneData(gen.readZoneinfo())
  const ids = data.zones.map((r) => r[0])
  assert.match(data.version, /^\d{4}[a-z]$/)
  assert.ok(ids.length > 380 && ids.length < 450, `${ids.length} zones`)
  assert.equal(new Set(ids).size, ids.length)
  assert.deepEqual(ids.filter((id) => /^(Etc|SystemV)\/|^Factory$|^[A-Z]{3,}\d|^(CET|EET|MET|WET|EST|MST|HST)$/.test(id)), [])
  assert.deepEqual(data.zones.filter((r) => r[0] !== 'UTC' && !r[1]), [], 'every zone has a country')
  assert.ok(Object.values(data.links).every((t) => ids.includes(t)), 'every link leads to a listed zone')
  assert.ok(Object.keys(data.links).every((l) => !ids.includes(l)), 'no listed zone is a link')
  for (const [link, zone] of [['Asia/Calcutta', 'Asia/Kolkata'], ['US/Eastern', 'America/New_York'], ['Europe/Kiev', 'Europe/Kyiv'],
    ['Asia/Saigon', 'Asia/Ho_Chi_Minh'], ['Etc/UTC', 'UTC'], ['America/Buenos_Aires', 'America/Argentina/Buenos_Aires']]) {
    assert.equal(data.links[link], zone, link)
  }
  const row = (id) => data.zones.find((r) => r[0] === id)
  assert.equal(row('Asia/Kolkata')[1], 'IN')
  assert.match(row('Asia/Kolkata')[2], /Calcutta/)
  assert.equal(row('Europe/Berlin')[1].split(' ')[0], 'DE')
  assert.ok(ids.indexOf('America/New_York') < ids.indexOf('America/Los_Angeles'), "zone.tab's order")

  // --- Folding.
  for (const [a, b] of [['Zürich', 'zurich'], ['l’Inde', 'l inde'], ['États-Unis', 'etats unis'], ['أمريكا', 'امريكا'],
    ['Straße', 'strasse'], ['UTC-03:30', 'utc-03 30'], ['+05:30', '+05 30'], ['  São   Paulo ', 'sao paulo'], ['القاهرة', 'القاهره'],
    ['مِصْر', 'مصر']]) assert.equal(z.fold(a), b, a)
  for (const [m, s] of [[0, 'UTC+00:00'], [330, 'UTC+05:30'], [-210, 'UTC-03:30'], [345, 'UTC+05:45'], [-600, 'UTC-10:00'], [840, 'UTC+14:00']]) {
    assert.equal(z.formatOffset(m), s)
  }

  // --- Entries and offsets at fixed instants.
  const JAN = Date.parse('2027-01-15T12:00:00Z')
  const JUL = Date.parse('2027-07-15T12:00:00Z')
  const entries = { en: z.buildEntries(data, { locale: 'en', now: JAN }) }
  const jul = z.buildEntries(data, { locale: 'en', now: JUL })
  const offset = (list, id) => list.find((e) => e.id === id).offsetText
  for (const [id, jan, july] of [
    ['Asia/Kolkata', 'UTC+05:30', 'UTC+05:30'], ['Australia/Lord_Howe', 'UTC+11:00', 'UTC+10:30'], ['Asia/Kathmandu', 'UTC+05:45', 'UTC+05:45'],
    ['America/St_Johns', 'UTC-03:30', 'UTC-02:30'], ['Europe/Berlin', 'UTC+01:00', 'UTC+02:00'], ['America/New_York', 'UTC-05:00', 'UTC-04:00'],
    ['Pacific/Kiritimati', 'UTC+14:00', 'UTC+14:00'], ['UTC', 'UTC+00:00', 'UTC+00:00'], ['Australia/Adelaide', 'UTC+10:30', 'UTC+09:30'],
  ]) {
    assert.equal(offset(entries.en, id), jan, `${id} in January`)
    assert.equal(offset(jul, id), july, `${id} in July`)
  }
  const kolkata = entries.en.find((e) => e.id === 'Asia/Kolkata')
  assert.equal(kolkata.city, 'Kolkata')
  assert.equal(kolkata.country, 'India')
  assert.equal(kolkata.name, 'India Standard Time')
  assert.equal(entries.en.find((e) => e.id === 'America/Argentina/Buenos_Aires').city, 'Buenos Aires')
  assert.equal(entries.en.find((e) => e.id === 'UTC').name, 'Coordinated Universal Time')
  assert.equal(entries.en.find((e) => e.id === 'UTC').country, '')

  // Default order: the detected zone, then west to east.
  const order = z.defaultOrder(entries.en, { detected: 'Asia/Kolkata' })
  assert.equal(order[0].id, 'Asia/Kolkata')
  assert.equal(order.length, entries.en.length)
  assert.deepEqual(order.slice(1).map((e) => e.offset), order.slice(1).map((e) => e.offset).sort((a, b) => a - b))

  // --- Search, per language: [query, detected, the first results].
  for (const l of ['de', 'fr', 'es', 'ar']) entries[l] = z.buildEntries(data, { locale: l, now: JAN })
  const cases = {
    en: [
      ['berlin', null, ['Europe/Berlin']], ['BERLIN', null, ['Europe/Berlin']], ['new york', null, ['America/New_York']],
      ['york', null, ['America/New_York']], ['calcutta', null, ['Asia/Kolkata']], ['kiev', null, ['Europe/Kyiv']],
      ['zurich', null, ['Europe/Zurich']], ['sao paulo', null, ['America/Sao_Paulo']], ['germany', null, ['Europe/Berlin']],
      // A whole country beats the start of a city (Indiana) despite the city's weight.
      ['india', null, ['Asia/Kolkata']],
      // A country's main zone first (zone.tab's order), unless the visitor's own zone is one of them.
      ['united states', null, ['America/New_York']], ['united states', 'America/Chicago', ['America/Chicago', 'America/New_York']],
      ['eastern time', 'America/New_York', ['America/New_York']],
      // A zone's common name outweighs the area in an id (Pacific/Midway).
      ['pacific', null, ['America/Los_Angeles']],
      ['+05:30', null, ['Asia/Colombo', 'Asia/Kolkata']], ['new yrok', null, []], ['coordinated universal', null, ['UTC']],
    ],
    de: [
      ['Deutschland', null, ['Europe/Berlin']], ['deutschland', null, ['Europe/Berlin']], ['Zürich', null, ['Europe/Zurich']],
      ['Vereinigte Staaten', null, ['America/New_York']], ['mitteleuropäische', 'Europe/Paris', ['Europe/Paris']],
      ['mitteleuropaische', 'Europe/Berlin', ['Europe/Berlin']], ['indien', null, ['Asia/Kolkata']],
    ],
    fr: [
      ['allemagne', null, ['Europe/Berlin']], ['États-Unis', null, ['America/New_York']], ['etats unis', null, ['America/New_York']],
      ['inde', null, ['Asia/Kolkata']], ['heure de l’Inde', null, ['Asia/Kolkata']], ['japon', null, ['Asia/Tokyo']],
    ],
    es: [
      ['Alemania', null, ['Europe/Berlin']], ['espana', null, ['Europe/Madrid']], ['españa', null, ['Europe/Madrid']],
      ['japon', null, ['Asia/Tokyo']], ['mexico', null, ['America/Mexico_City']],
    ],
    ar: [
      ['ألمانيا', null, ['Europe/Berlin']], ['المانيا', null, ['Europe/Berlin']], ['الهند', null, ['Asia/Kolkata']],
      ['اليابان', null, ['Asia/Tokyo']], ['الولايات المتحدة', null, ['America/New_York']], ['مصر', null, ['Africa/Cairo']],
      // Intl has no localised city names: the Arabic "New York" finds nothing.
      ['نيويورك', null, []],
    ],
  }
  for (const [locale, rows] of Object.entries(cases)) {
    for (const [query, detected, want] of rows) {
      const got = z.search(entries[locale], query, { detected, locale }).map((e) => e.id)
      if (!want.length) assert.deepEqual(got, [], `${locale} "${query}"`)
      else assert.deepEqual(got.slice(0, want.length), want, `${locale} "${query}": ${got.slice(0, 5).join(', ')}`)
    }
  }
  // Every word must match; the empty query is the default order.
  const both = z.search(entries.en, 'pacific mexico', { locale: 'en' }).map((e) => e.id)
  assert.ok(both.length > 0 && both.every((id) => entries.en.find((e) => e.id === id).countries.includes('Mexico')), both.join())
  assert.deepEqual(z.search(entries.en, '  ', { locale: 'en' }).map((e) => e.id), z.defaultOrder(entries.en, { locale: 'en' }).map((e) => e.id))
  // Common names: "heure normale" (fr) lists zones without summer time.
  const normale = z.search(entries.fr, 'heure normale', { locale: 'fr' }).map((e) => e.id)
  assert.ok(normale.length > 20 && normale.includes('Asia/Tokyo'), normale.slice(0, 5).join())
  assert.ok(!normale.includes('Europe/Paris') && !normale.includes('America/New_York'), 'zones with summer time are not "heure normale"')
})
