// The rules a service must keep (engine.md "Snapshot" and "Cancellation
// refund", api.md "Reminders", and the server's own checks in
// server-stub/src/domain/request_parsing.cpp and the free plan's limit), as
// one table the editor shows at each field while the provider types. Pure:
// no DOM, so node tests it against the server itself
// (tests/web/dash_services_units.test.mjs).

export const LIMITS = {
  idMax: 64, nameBytes: 200, durations: 8, duration: [5, 1440], buffer: [0, 1440], interval: [5, 1440],
  notice: [0, 525600], advance: [0, 3650], priceMax: 1e12, hours: [0, 87600], percent: [0, 100],
  reminders: 10, reminder: [5, 20160], review: [0, 20160],
}
export const POLICIES = ['flexible', 'moderate', 'strict']
export const CHANNELS = ['email', 'sms', 'push']

const isInt = (v) => Number.isInteger(v)
const inRange = (v, [min, max]) => isInt(v) && v >= min && v <= max
const blank = (v) => v === null || v === undefined
const bytes = (s) => new TextEncoder().encode(s).length
// What the server refuses in a one-line text: controls, bidirectional
// overrides and isolates, line/paragraph separators, direction marks.
const REFUSED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/ // eslint-disable-line no-control-regex
// The first index in `list` for which `bad` holds, as a path under `field`.
const firstBad = (field, list, bad) => {
  const i = (Array.isArray(list) ? list : []).findIndex(bad)
  return i < 0 ? null : `${field}/${i}`
}
const tiersOf = (s) => (Array.isArray(s.cancellation_policy) ? s.cancellation_policy : [])
const remindersOf = (s) => (Array.isArray(s.reminders) ? s.reminders : [])

// Each rule: `field` (the path under the service where it is shown), `text`
// (a key of strings.js; `vars` fill it), `check(service, context)` returning
// null when kept, else the path it fails at (true: `field` itself).
// context: { services (the provider's others), schedules (names), plan }.
export const rules = [
  { id: 'id.format', field: 'id', text: 'ruleId', vars: { max: LIMITS.idMax }, check: (s) => !/^[A-Za-z0-9_-]{1,64}$/.test(s.id ?? '') },
  { id: 'id.unique', field: 'id', text: 'ruleIdUnique', check: (s, c) => (c.services || []).some((o) => o.id === s.id) },
  { id: 'name.required', field: 'name', text: 'ruleRequired', check: (s) => !s.name },
  { id: 'name.length', field: 'name', text: 'ruleNameLength', vars: { max: LIMITS.nameBytes }, check: (s) => typeof s.name === 'string' && bytes(s.name) > LIMITS.nameBytes },
  { id: 'name.characters', field: 'name', text: 'ruleCharacters', check: (s) => REFUSED.test(s.name || '') },
  { id: 'durations.count', field: 'durations', text: 'ruleDurationCount', vars: { max: LIMITS.durations }, check: (s) => !Array.isArray(s.durations) || s.durations.length < 1 || s.durations.length > LIMITS.durations },
  { id: 'durations.range', field: 'durations', text: 'ruleWhole', vars: range(LIMITS.duration), check: (s) => firstBad('durations', s.durations, (d) => !inRange(d, LIMITS.duration)) },
  { id: 'durations.distinct', field: 'durations', text: 'ruleDistinct', check: (s) => firstBad('durations', s.durations, (d, i, all) => all.indexOf(d) !== i) },
  { id: 'buffer_before.range', field: 'buffer_before_minutes', text: 'ruleWhole', vars: range(LIMITS.buffer), check: (s) => !inRange(s.buffer_before_minutes ?? 0, LIMITS.buffer) },
  { id: 'buffer_after.range', field: 'buffer_after_minutes', text: 'ruleWhole', vars: range(LIMITS.buffer), check: (s) => !inRange(s.buffer_after_minutes ?? 0, LIMITS.buffer) },
  { id: 'slot_interval.range', field: 'slot_interval_minutes', text: 'ruleWholeOrEmpty', vars: range(LIMITS.interval), check: (s) => !blank(s.slot_interval_minutes) && !inRange(s.slot_interval_minutes, LIMITS.interval) },
  { id: 'min_notice.range', field: 'min_notice_minutes', text: 'ruleWhole', vars: range(LIMITS.notice), check: (s) => !inRange(s.min_notice_minutes ?? 0, LIMITS.notice) },
  { id: 'max_advance.range', field: 'max_advance_days', text: 'ruleWholeOrEmpty', vars: range(LIMITS.advance), check: (s) => !blank(s.max_advance_days) && !inRange(s.max_advance_days, LIMITS.advance) },
  { id: 'price.amount', field: 'price/amount', text: 'rulePrice', vars: (s) => ({ digits: currencyDigits(s.price?.currency) }), check: (s) => !inRange(s.price?.amount, [0, LIMITS.priceMax]) },
  { id: 'price.currency', field: 'price/currency', text: 'ruleCurrency', check: (s) => !/^[A-Z]{3}$/.test(s.price?.currency ?? '') },
  { id: 'policy.kind', field: 'cancellation_policy', text: 'rulePolicy', check: (s) => !POLICIES.includes(s.cancellation_policy) && !Array.isArray(s.cancellation_policy) },
  { id: 'policy.hours', field: 'cancellation_policy', text: 'ruleWhole', vars: range(LIMITS.hours), check: (s) => sub(firstBad('cancellation_policy', tiersOf(s), (t) => !inRange(t?.hours_before, LIMITS.hours)), 'hours_before') },
  { id: 'policy.percent', field: 'cancellation_policy', text: 'ruleWhole', vars: range(LIMITS.percent), check: (s) => sub(firstBad('cancellation_policy', tiersOf(s), (t) => !inRange(t?.percent, LIMITS.percent)), 'percent') },
  { id: 'reminders.count', field: 'reminders', text: 'ruleReminderCount', vars: { max: LIMITS.reminders }, check: (s) => remindersOf(s).length > LIMITS.reminders },
  { id: 'reminders.minutes', field: 'reminders', text: 'ruleWhole', vars: range(LIMITS.reminder), check: (s) => sub(firstBad('reminders', remindersOf(s), (r) => !inRange(r?.before_minutes, LIMITS.reminder)), 'before_minutes') },
  { id: 'reminders.distinct', field: 'reminders', text: 'ruleReminderDistinct', check: (s) => sub(firstBad('reminders', remindersOf(s), (r, i, all) => all.findIndex((o) => o?.before_minutes === r?.before_minutes) !== i), 'before_minutes') },
  { id: 'reminders.channels', field: 'reminders', text: 'ruleChannels', check: (s) => sub(firstBad('reminders', remindersOf(s), (r) => !Array.isArray(r?.channels) || !r.channels.length || r.channels.some((c, i) => !CHANNELS.includes(c) || r.channels.indexOf(c) !== i)), 'channels') },
  { id: 'review.range', field: 'review_request_after_minutes', text: 'ruleWholeOrEmpty', vars: range(LIMITS.review), check: (s) => !blank(s.review_request_after_minutes) && !inRange(s.review_request_after_minutes, LIMITS.review) },
  { id: 'schedule.exists', field: 'schedule', text: 'ruleSchedule', check: (s, c) => !(c.schedules || ['default']).includes(s.schedule ?? 'default') },
  { id: 'active.plan', field: 'active', text: 'rulePlan', check: (s, c) => c.plan === 'free' && s.active !== false && (c.services || []).some((o) => o.active !== false) },
]

function range ([min, max]) { return { min, max } }
function sub (path, field) { return path ? `${path}/${field}` : null }

// Every broken rule of `service`: [{ rule, path, text, vars }] in table order.
// `context.services` are the provider's other services (not this one).
export function validate (service, context = {}) {
  const found = []
  for (const rule of rules) {
    const at = rule.check(service, context)
    if (!at) continue
    const vars = typeof rule.vars === 'function' ? rule.vars(service) : rule.vars
    found.push({ rule: rule.id, path: at === true ? rule.field : at, text: rule.text, vars })
  }
  return found
}

// The broken rules shown at `path` (the field and anything under it).
export function errorsAt (errors, path) {
  return errors.filter((e) => e.path === path || e.path.startsWith(path + '/'))
}

// Minor units per currency come from Intl (JPY 0, EUR 2, KWD 3); a code Intl
// cannot read counts as 2 until the currency rule is kept.
export function currencyDigits (currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits
  } catch {
    return 2
  }
}

// "12.5" EUR -> 1250, "1000" JPY -> 1000. Accepts "." or "," as the decimal
// mark; NaN for anything else, or more decimals than the currency has. Done on
// the digits, not by multiplying floats, so 0.29 stays 29 cents.
export function toMinor (text, currency) {
  const digits = currencyDigits(currency)
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(String(text ?? ''))
  if (!m || (m[2] || '').length > digits) return NaN
  return Number(m[1]) * 10 ** digits + Number((m[2] || '').padEnd(digits, '0') || 0)
}

export function fromMinor (amount, currency, mark = '.') {
  if (!isInt(amount)) return ''
  const digits = currencyDigits(currency)
  if (!digits) return String(amount)
  const unit = 10 ** digits
  return `${Math.floor(amount / unit)}${mark}${String(amount % unit).padStart(digits, '0')}`
}

// An input's text as the document's value: a whole number, null when empty
// and `nullable`, else the text itself (so the rule flags it, not lost).
export function numberField (text, nullable = false) {
  const t = String(text ?? '').trim()
  if (t === '') return nullable ? null : t
  return /^-?\d+$/.test(t) ? Number(t) : t
}

export const defaultReminders = () => [{ before_minutes: 2880, channels: ['email'] }, { before_minutes: 60, channels: ['email'] }]

// A new service for `provider`: the engine's defaults, api.md's reminder
// defaults, the provider's currency, and inactive when the free plan's one
// active service is taken.
export function newService (provider, plan) {
  const others = provider?.services || []
  return {
    id: '', name: '', schedule: 'default' in (provider?.schedules || {}) ? 'default' : Object.keys(provider?.schedules || {})[0] || 'default',
    active: !(plan === 'free' && others.some((s) => s.active !== false)),
    durations: [30], buffer_before_minutes: 0, buffer_after_minutes: 0, min_notice_minutes: 0,
    price: { amount: 0, currency: others[0]?.price?.currency || 'EUR' },
    cancellation_policy: 'flexible', virtual: false, requires_confirmation: false,
    reminders: defaultReminders(), review_request_after_minutes: 120,
  }
}

// A copy of `service` under a free id ("consult-copy", "consult-copy-2"),
// inactive so it never trips the plan's limit on its own.
export function duplicateOf (service, services, suffix = 'copy') {
  const taken = new Set(services.map((s) => s.id))
  const base = `${service.id}-${suffix}`.slice(0, LIMITS.idMax - 3)
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  return { ...structuredClone(service), id, active: false }
}

// The provider document with `service` put in place of `originalId` (or
// added), in the shape PUT takes.
export function withService (provider, service, originalId) {
  const services = [...(provider.services || [])]
  const at = services.findIndex((s) => s.id === originalId)
  if (at < 0) services.push(service)
  else services[at] = service
  return { ...provider, services }
}

export function withoutService (provider, id) {
  return { ...provider, services: (provider.services || []).filter((s) => s.id !== id) }
}

// Where a server problem points, relative to the service at `index`: the
// engine's error path (extension engine_error) or the pointer the server's
// detail begins with or ends with ("... at /services/0/durations/1").
export function problemField (problem, index) {
  if (!problem) return null
  let p = problem.path || problem.engine_error?.path
  if (!p) {
    const m = /^(?:missing field |unknown field )?(\/\S+?)(?::|\s|$)/.exec(problem.detail || '') || / at (\/\S+)$/.exec(problem.detail || '')
    p = m?.[1]
  }
  const prefix = `/services/${index}/`
  return p && p.startsWith(prefix) ? p.slice(prefix.length) : null
}
