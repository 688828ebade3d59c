// Generates the zone picker's data module (src/zone-picker/zone-data.generated.js)
// from the system's tzdata: which zones are canonical, which country each
// belongs to, and where every link leads. Run by build.mjs (through
// build-zone-picker.mjs); by hand:
//   node web/zone-data.mjs [--zoneinfo /usr/share/zoneinfo] [--out FILE]
// Names, offsets and countries in the visitor's language come from Intl in
// the browser; only what Intl cannot tell (zone -> country, link -> zone)
// is shipped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const defaultOut = join(here, 'src', 'zone-picker', 'zone-data.generated.js')
export const defaultZoneinfo = process.env.TZDIR || '/usr/share/zoneinfo'

// The one zone without a country that the picker offers; Etc/UTC, Etc/GMT
// and their aliases resolve to it.
export const UTC = 'UTC'
const UTC_ALIASES = new Set(['Etc/UTC', 'Etc/GMT', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'Etc/Greenwich',
  'Etc/GMT+0', 'Etc/GMT-0', 'Etc/GMT0', 'UTC', 'UCT', 'GMT', 'GMT+0', 'GMT-0', 'GMT0', 'Greenwich', 'Universal', 'Zulu'])
// Link names that carry a real place name (Asia/Calcutta, Europe/Kiev), as
// opposed to US/Eastern, Japan or SystemV-style names: these become extra
// city names a visitor can search by.
const PLACE = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\//

// tzdata.zi ("Z name ...", "L target name") -> zones and links.
export function parseTzdataZi(text) {
  const zones = new Set()
  const links = new Map()
  let version = null
  for (const line of text.split('\n')) {
    if (line.startsWith('# version ')) version = line.slice(10).trim()
    const f = line.split(/\s+/)
    if (f[0] === 'Z') zones.add(f[1])
    else if (f[0] === 'L') links.set(f[2], f[1])
  }
  return { zones, links, version }
}

// zone.tab / zone1970.tab rows -> [{ countries: ['DE', ...], zone }].
export function parseZoneTab(text) {
  const rows = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const [codes, , zone] = line.split('\t')
    if (codes && zone) rows.push({ countries: codes.split(','), zone })
  }
  return rows
}

// The picker's data: canonical zones (tzdata Zones listed in zone.tab, plus
// UTC), each with its countries (the first is its own) and the extra city
// names of links that lead to it; every other name (links, legacy names) as
// a link to one of them. Etc/*, Factory, SystemV and the POSIX-style zones
// (CET, EST5EDT) are neither offered nor resolved.
export function buildZoneData({ tzdataZi, zoneTab, zone1970Tab = null }) {
  const { zones, links, version } = parseTzdataZi(tzdataZi)
  const resolveLink = (name) => {
    for (let i = 0; i < 8 && links.has(name); i++) name = links.get(name)
    return name
  }
  // zone.tab gives every country its own row; zone1970.tab (a fallback when
  // zone.tab is absent) shares one zone among countries since 1970.
  const rows = zoneTab ? parseZoneTab(zoneTab) : parseZoneTab(zone1970Tab || '')
  const entries = new Map() // canonical id -> { countries: [], cities: [] }
  const pending = []
  for (const row of rows) {
    if (zones.has(row.zone)) {
      const e = entries.get(row.zone) || { countries: [], cities: [] }
      for (const c of row.countries) if (!e.countries.includes(c)) e.countries.push(c)
      entries.set(row.zone, e)
    } else {
      pending.push(row)
    }
  }
  // A zone.tab row naming a link (Europe/Bratislava -> Europe/Prague on
  // Debian; Europe/Oslo -> Europe/Berlin without backzone): its country
  // and city are searchable on the zone it leads to.
  for (const row of pending) {
    const target = resolveLink(row.zone)
    const e = entries.get(target)
    if (!e) continue
    for (const c of row.countries) if (!e.countries.includes(c)) e.countries.push(c)
  }
  const canonical = (name) => {
    if (UTC_ALIASES.has(name)) return UTC
    const target = resolveLink(name)
    if (UTC_ALIASES.has(target)) return UTC
    return entries.has(target) ? target : null
  }
  const linkMap = {}
  for (const name of [...links.keys()].sort()) {
    const target = canonical(name)
    if (!target || target === name) continue
    linkMap[name] = target
    const city = cityOf(name)
    if (target !== UTC && PLACE.test(name) && city !== cityOf(target)) {
      const e = entries.get(target)
      if (!e.cities.includes(city)) e.cities.push(city)
    }
  }
  for (const name of UTC_ALIASES) if (name !== UTC && (zones.has(name) || links.has(name))) linkMap[name] = UTC
  // zone.tab's order: by country, and within a country its main zone first
  // (America/New_York before America/Los_Angeles): the search's tie-break.
  const list = [...entries.keys()].map((id) => {
    const e = entries.get(id)
    const row = [id, e.countries.join(' ')]
    if (e.cities.length) row.push(e.cities.sort().join('|'))
    return row
  })
  list.push([UTC, ''])
  return { version, zones: list, links: Object.fromEntries(Object.entries(linkMap).sort()) }
}

export function cityOf(id) {
  return id.slice(id.lastIndexOf('/') + 1).replaceAll('_', ' ')
}

export function zoneDataModule(data) {
  return `// Generated by web/zone-data.mjs from tzdata ${data.version}; do not edit.
// zones, in zone.tab's order: [id, "CC CC" (own country first), "extra|city|names"?]; links: name -> zone.
export const tzVersion = ${JSON.stringify(data.version)}
export const zones = ${JSON.stringify(data.zones)}
export const links = ${JSON.stringify(data.links)}
`
}

export function readZoneinfo(dir = defaultZoneinfo) {
  const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null)
  const tzdataZi = read('tzdata.zi')
  if (!tzdataZi) throw new Error(`zone-data: ${join(dir, 'tzdata.zi')} not found (Debian: apt-get install tzdata; or set TZDIR / --zoneinfo)`)
  const zoneTab = read('zone.tab')
  const zone1970Tab = read('zone1970.tab')
  if (!zoneTab && !zone1970Tab) throw new Error(`zone-data: neither zone.tab nor zone1970.tab in ${dir}`)
  return { tzdataZi, zoneTab, zone1970Tab }
}

// Writes the module unless it already holds the same text (keeps esbuild's
// and editors' caches quiet). Returns the data.
export function generateZoneData({ zoneinfo = defaultZoneinfo, out = defaultOut } = {}) {
  const data = buildZoneData(readZoneinfo(zoneinfo))
  const text = zoneDataModule(data)
  if (!existsSync(out) || readFileSync(out, 'utf8') !== text) writeFileSync(out, text)
  return data
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
  const out = resolve(opt('--out', defaultOut))
  const data = generateZoneData({ zoneinfo: opt('--zoneinfo', defaultZoneinfo), out })
  console.log(`zone-data: tzdata ${data.version}, ${data.zones.length} zones, ${Object.keys(data.links).length} links -> ${out}`)
}
