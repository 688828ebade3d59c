// The picker's model, without DOM: canonical zones with their offset, common
// name and country in the visitor's language (all from Intl, as of `now`),
// link resolution, and a ranked, accent- and case-insensitive search. Runs in
// Node too (the unit tests use it with the generated data).

export const UTC = 'UTC'
const GENERIC_OFFSET = /^(GMT|UTC|غرينتش)([+\-−]|$)/

// Lower case, no accents or Arabic diacritics, one spelling per Arabic letter
// family, punctuation as spaces but the sign of an offset kept: "Zürich" and
// "zurich", "l’Inde" and "l inde", "أمريكا" and "امريكا" compare equal;
// "-03:30" is "-03 30".
export function fold(text) {
  return String(text)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/ـ/g, '')
    .replace(/[-+](?!\d)|[^\p{L}\p{N}+-]+/gu, ' ')
    .replace(/ +/g, ' ')
    .trim()
}

// A link or legacy name -> the canonical zone it leads to; a canonical zone
// -> itself; anything else (Etc/GMT+5, Factory, an unknown name) -> null.
export function resolveZone(data, name) {
  if (!name) return null
  if (byId(data).has(name)) return name
  return data.links[name] || null
}

const ids = new WeakMap()
function byId(data) {
  let m = ids.get(data)
  if (!m) {
    m = new Map(data.zones.map((z) => [z[0], z]))
    ids.set(data, m)
  }
  return m
}

// "UTC+05:30" / "UTC−03:00"-free ASCII form, from minutes east of UTC.
export function formatOffset(minutes) {
  const sign = minutes < 0 ? '-' : '+'
  const a = Math.abs(minutes)
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`
}

// Minutes east of UTC at `ms` and the zone's common name, from one formatter.
function describe(locale, zone, ms) {
  const f = new Intl.DateTimeFormat(locale, {
    timeZone: zone, timeZoneName: zone === UTC ? 'long' : 'longGeneric', numberingSystem: 'latn',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
  })
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]))
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute)
  const offset = Math.round((wall - Math.floor(ms / 60000) * 60000) / 60000)
  const name = p.timeZoneName || ''
  // "GMT+05:45" says no more than the offset beside it.
  return { offset, name: GENERIC_OFFSET.test(name) ? '' : name }
}

function regionNames(locale) {
  try {
    return new Intl.DisplayNames(locale, { type: 'region', fallback: 'code' })
  } catch {
    return null
  }
}

// Every canonical zone Intl knows, as the picker shows and searches it:
// { id, city, cities, country, countries, name, offset, offsetText, keys }.
// `keys` are the folded search fields, strongest first: [city names, own
// country, other countries, common name, id]. English country and zone
// names are searchable in every language (people type "Germany" anywhere).
export function buildEntries(data, options) {
  return [...entryBuilder(data, options)]
}

// The same, one entry at a time: a page builds them in idle slices (each
// entry costs about a third of a millisecond of Intl).
export function* entryBuilder(data, { locale = 'en', now = Date.now() } = {}) {
  const regions = regionNames(locale)
  const regionsEn = regionNames('en')
  const perCountry = new Map()
  for (const [id, codes, extra] of data.zones) {
    let d, en
    try {
      d = describe(locale, id, now)
      en = locale.startsWith('en') ? d : describe('en', id, now)
    } catch {
      continue // a zone this browser's Intl does not know cannot be shown right
    }
    const countryCodes = codes ? codes.split(' ') : []
    const countryRank = perCountry.get(countryCodes[0]) || 0
    perCountry.set(countryCodes[0], countryRank + 1)
    const countryNames = countryCodes.map((c) => (regions && regions.of(c)) || c)
    const countryNamesEn = countryCodes.map((c) => (regionsEn && regionsEn.of(c)) || c)
    const segments = id.split('/')
    const city = id === UTC ? '' : segments.at(-1).replaceAll('_', ' ')
    const cities = [city, ...(extra ? extra.split('|') : []), ...segments.slice(1, -1).map((s) => s.replaceAll('_', ' '))].filter(Boolean)
    yield {
      id, city, cities, countryRank,
      country: countryNames[0] || '', countries: countryNames,
      name: d.name, offset: d.offset, offsetText: formatOffset(d.offset),
      keys: [
        cities.map(fold),
        [fold(countryNames[0] || ''), fold(countryNamesEn[0] || '')].filter(Boolean),
        [...countryNames.slice(1), ...countryNamesEn.slice(1)].map(fold),
        [fold(d.name), fold(en.name)].filter(Boolean),
        [fold(id), fold(formatOffset(d.offset).slice(3))],
      ],
    }
  }
}

// The list with no query: the detected zone first, then by offset (west to
// east) and city.
export function defaultOrder(entries, { detected = null, locale = 'en' } = {}) {
  const collator = new Intl.Collator(locale)
  const rest = entries.filter((e) => e.id !== detected)
    .sort((a, b) => a.offset - b.offset || collator.compare(a.city || a.id, b.city || b.id))
  const first = entries.find((e) => e.id === detected)
  return first ? [first, ...rest] : rest
}

// How well one folded query word matches one folded field: the whole field
// 4, the field's start 3, a word's start 2, inside a word 0.5 (two letters or
// more: Arabic joins the article "ال" to the word; weak, so that "inde" in a
// zone's name beats Lindeman), 0 not at all.
function wordScore(field, word) {
  if (!field) return 0
  if (field === word) return 4
  if (field.startsWith(word)) return 3
  if (field.includes(' ' + word)) return 2
  if (word.length >= 2 && field.includes(word)) return 0.5
  return 0
}

const FIELD_WEIGHT = [10, 8, 5, 4, 2]

// Entries matching every word of the query, best first. Ties: the detected
// zone, then zones in the detected zone's country; a query that names a
// country lists its main zone first (zone.tab's order: New York before Los
// Angeles); then the default order.
export function search(entries, query, { detected = null, locale = 'en' } = {}) {
  const words = fold(query).split(' ').filter(Boolean)
  const ordered = defaultOrder(entries, { detected, locale })
  if (!words.length) return ordered
  const home = entries.find((e) => e.id === detected)?.countries[0]
  const scored = []
  ordered.forEach((e, rank) => {
    let total = 0
    let byCountry = true
    for (const w of words) {
      let best = 0
      let field = -1
      e.keys.forEach((fields, i) => {
        for (const f of fields) {
          const s = wordScore(f, w) * FIELD_WEIGHT[i]
          if (s > best) [best, field] = [s, i]
        }
      })
      if (!best) return
      total += best
      byCountry &&= field === 1
    }
    const bonus = (e.id === detected ? 2 : 0) + (home && e.countries[0] === home ? 1 : 0)
    scored.push({ e, total, bonus, rank: byCountry ? e.countryRank * 10000 + rank : rank })
  })
  return scored.sort((a, b) => b.total - a.total || b.bonus - a.bonus || a.rank - b.rank).map((s) => s.e)
}
