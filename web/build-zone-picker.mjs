// Builds the zone picker's lazily loaded chunk into web/dist: regenerates its
// data module from the system's tzdata (zone-data.mjs), bundles
// src/zone-picker/index.js as a classic script and names it by content.
// Called by build.mjs; by hand: node web/build-zone-picker.mjs [--out DIR]
import { build, transform } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { generateZoneData } from './zone-data.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const defaultTarget = ['chrome111', 'firefox113', 'safari16.4']

export async function buildZonePicker({ out = join(here, 'dist'), target = defaultTarget, zoneinfo } = {}) {
  const data = generateZoneData(zoneinfo ? { zoneinfo } : {})
  const cssAsText = {
    name: 'css-as-text',
    setup(b) {
      b.onLoad({ filter: /\.css$/ }, async (a) => {
        const { code } = await transform(readFileSync(a.path, 'utf8'), { loader: 'css', minify: true, target })
        return { contents: `export default ${JSON.stringify(code.trim())}`, loader: 'js' }
      })
    },
  }
  const result = await build({
    entryPoints: [join(here, 'src', 'zone-picker', 'index.js')],
    bundle: true, format: 'iife', minify: true, write: false, target, legalComments: 'none',
    plugins: [cssAsText],
  })
  const code = result.outputFiles[0].contents
  const file = `slotwise-zones.${createHash('sha256').update(code).digest('hex').slice(0, 8)}.js`
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, file), code)
  return { file, tzVersion: data.version, zones: data.zones.length, raw: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : join(here, 'dist')
  const r = await buildZonePicker({ out })
  console.log(`${r.file}: ${r.raw} B, ${r.gzip} B gz (tzdata ${r.tzVersion}, ${r.zones} zones)`)
}
