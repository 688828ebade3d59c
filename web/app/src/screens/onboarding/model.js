// The onboarding's state and rules, apart from its view (and so testable in
// Node): the steps, what each step needs before the next, the provider id
// derived from the name, and the provider document the PUT sends.

export const STEPS = ['practice', 'hours', 'service', 'address', 'done']
export const KINDS = ['doctor', 'consultant', 'trainer', 'therapist', 'other']
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
export const DURATIONS = [15, 20, 30, 45, 50, 60, 90, 120]
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY', 'INR', 'MXN', 'BRL']
// Currencies without minor units (ISO 4217 exponent 0) among the list.
const WHOLE = new Set(['JPY'])

// The server's id rule (1..64 of A-Z a-z 0-9 _ -).
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

// "Dr. Jana Berger — Praxis" → "dr-jana-berger-praxis": accents dropped,
// everything else that is not a letter or digit becomes one hyphen.
export function slugify (name) {
  const s = String(name || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return s.slice(0, 64).replace(/-+$/, '')
}

// An id to offer when `id` is taken: the first of id-2, id-3, ... not in
// `known` (ids already seen taken), kept within 64 characters.
export function suggestId (id, known = []) {
  const base = (id || 'practice').replace(/-\d+$/, '')
  for (let n = 2; n < 1000; n++) {
    const candidate = `${base.slice(0, 64 - String(n).length - 1)}-${n}`
    if (candidate !== id && !known.includes(candidate)) return candidate
  }
  return `${base.slice(0, 50)}-${Date.now().toString(36)}`
}

// A guess of the practice's currency from its zone, only a default.
export function currencyFor (zone, locale = 'en') {
  const z = String(zone || '')
  if (z === 'Europe/London') return 'GBP'
  if (z === 'Europe/Zurich') return 'CHF'
  if (['Europe/Stockholm'].includes(z)) return 'SEK'
  if (z === 'Europe/Oslo') return 'NOK'
  if (z === 'Europe/Copenhagen') return 'DKK'
  if (z === 'Europe/Warsaw') return 'PLN'
  if (z === 'Europe/Prague') return 'CZK'
  if (z === 'Asia/Tokyo') return 'JPY'
  if (z === 'Asia/Kolkata') return 'INR'
  if (z.startsWith('Australia/')) return 'AUD'
  if (['America/Toronto', 'America/Vancouver', 'America/Edmonton', 'America/Winnipeg', 'America/Halifax', 'America/St_Johns'].includes(z)) return 'CAD'
  if (z === 'America/Mexico_City') return 'MXN'
  if (z === 'America/Sao_Paulo') return 'BRL'
  if (z.startsWith('America/') || z.startsWith('US/') || z === 'Pacific/Honolulu') return 'USD'
  void locale
  return 'EUR'
}

// The preset: Monday to Friday, 09:00-17:00.
export function presetHours () {
  return DAYS.map((day) => ({ day, open: DAYS.indexOf(day) < 5, start: '09:00', end: '17:00' }))
}

export function initialState ({ timeZone = 'UTC', locale = 'en' } = {}) {
  return {
    name: '', kind: 'doctor', timeZone,
    hours: presetHours(),
    serviceName: '', duration: 30, price: '', currency: currencyFor(timeZone, locale),
    id: '', idEdited: false,
  }
}

// The name changes the id until the person edits the id themselves.
export function withName (state, name) {
  return { ...state, name, id: state.idEdited ? state.id : slugify(name) }
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

// Price text ("60", "60.50", "60,5") in minor units, or null when not a price.
export function priceToMinor (text, currency) {
  const t = String(text ?? '').trim().replace(',', '.')
  if (t === '') return 0
  const digits = WHOLE.has(currency) ? 0 : 2
  const re = digits ? /^\d{1,10}(\.\d{1,2})?$/ : /^\d{1,12}$/
  if (!re.test(t)) return null
  const [whole, frac = ''] = t.split('.')
  return Number(whole) * 10 ** digits + Number((frac + '00').slice(0, digits) || 0)
}

// The problems of one step, as { field: messageKey }; {} when it may go on.
export function validateStep (step, s, { ownIds = [] } = {}) {
  const e = {}
  if (step === 'practice') {
    if (!s.name.trim()) e.name = 'required'
    else if (s.name.trim().length > 200) e.name = 'tooLong'
    if (!KINDS.includes(s.kind)) e.kind = 'required'
    if (!s.timeZone) e.timeZone = 'required'
  } else if (step === 'hours') {
    for (const h of s.hours) {
      if (!h.open) continue
      if (!TIME.test(h.start)) e[`${h.day}-start`] = 'time'
      else if (!TIME.test(h.end) && h.end !== '24:00') e[`${h.day}-end`] = 'time'
      else if (h.end !== '24:00' && h.end <= h.start) e[`${h.day}-end`] = 'endAfterStart'
    }
    if (!Object.keys(e).length && !s.hours.some((h) => h.open)) e.hours = 'oneDay'
  } else if (step === 'service') {
    if (!s.serviceName.trim()) e.serviceName = 'required'
    else if (s.serviceName.trim().length > 200) e.serviceName = 'tooLong'
    if (!(Number.isInteger(Number(s.duration)) && s.duration >= 5 && s.duration <= 1440)) e.duration = 'durationError'
    if (priceToMinor(s.price, s.currency) === null) e.price = 'priceError'
  } else if (step === 'address') {
    if (!s.id) e.id = 'required'
    else if (!ID_PATTERN.test(s.id)) e.id = 'idChars'
    else if (ownIds.includes(s.id)) e.id = 'idOwn'
  }
  return e
}

// The first step that is not complete (so a step in the address bar cannot
// skip one), or 'address' when all are.
export function firstIncomplete (s, opts) {
  for (const step of STEPS.slice(0, 3)) if (Object.keys(validateStep(step, s, opts)).length) return step
  return 'address'
}

// The document PUT /v1/providers/{id} takes: one schedule, one service.
export function providerDocument (s) {
  const weekly = s.hours.filter((h) => h.open).map((h) => ({ day: h.day, start: h.start, end: h.end }))
  return {
    name: s.name.trim(),
    kind: s.kind,
    time_zone: s.timeZone,
    active: true,
    schedules: { default: { weekly } },
    services: [{
      id: slugify(s.serviceName) || 'appointment',
      name: s.serviceName.trim(),
      durations: [Number(s.duration)],
      price: { amount: priceToMinor(s.price, s.currency), currency: s.currency },
      cancellation_policy: 'flexible',
      virtual: false,
      requires_confirmation: false,
    }],
  }
}

// Which step and field an API problem concerns: the pointer in problem.path,
// else the one the server's detail starts with ("/services/0/name must ...").
export function fieldOfProblem (problem) {
  if (!problem) return null
  if (problem.code === 'PROVIDER_ID_TAKEN' || problem.code === 'INVALID_PROVIDER_ID') return { step: 'address', field: 'id' }
  const pointer = problem.path || (String(problem.detail || '').match(/^(\/[A-Za-z0-9_/-]*)/) || [])[1]
  if (!pointer) return null
  const p = pointer.replace(/^\/+/, '')
  if (p === 'name') return { step: 'practice', field: 'name' }
  if (p === 'kind') return { step: 'practice', field: 'kind' }
  if (p.startsWith('time_zone')) return { step: 'practice', field: 'timeZone' }
  if (p.startsWith('schedules')) return { step: 'hours', field: 'hours' }
  if (/^services\/\d+\/name/.test(p)) return { step: 'service', field: 'serviceName' }
  if (/^services\/\d+\/durations/.test(p)) return { step: 'service', field: 'duration' }
  if (/^services\/\d+\/(price|currency)/.test(p)) return { step: 'service', field: 'price' }
  if (/^services/.test(p)) return { step: 'service', field: 'serviceName' }
  return null
}
