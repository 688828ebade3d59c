// The payment step's words and numbers, without a DOM (unit-tested in Node):
// amounts in the currency's minor units, the countdown's clock, the strings
// of the visitor's language (English for one the step does not have).
import words from './strings.js'
import { languageOf } from '../language.js'

export function money(locale, minor, currency) {
  try {
    const f = new Intl.NumberFormat(locale, { style: 'currency', currency })
    return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits)
  } catch {
    return `${minor} ${currency}`
  }
}

export { languageOf }

export function translator(locale) {
  const table = words[languageOf(locale)] || words.en
  return (key, vars) => (table[key] ?? words.en[key]).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m))
}

// "14:05" for 845 s, digits in the locale's own numbering system.
export function clockText(locale, seconds) {
  const n = (v, d) => new Intl.NumberFormat(locale, { minimumIntegerDigits: d, useGrouping: false }).format(v)
  const s = Math.max(0, Math.ceil(seconds))
  return `${n(Math.floor(s / 60), 1)}:${n(s % 60, 2)}`
}
