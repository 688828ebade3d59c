// The clients screen's rules, free of the DOM (unit-tested in Node).
import { matchesClient } from '../bookings/model.js'

export const SORTS = ['recent', 'bookings', 'no_shows', 'name']

export function readQuery (query) {
  const sort = query.get('sort')
  return { q: (query.get('q') || '').trim(), sort: SORTS.includes(sort) ? sort : 'recent' }
}

export function queryString ({ q, sort }) {
  const p = new URLSearchParams()
  if (q) p.set('q', q)
  if (sort && sort !== 'recent') p.set('sort', sort)
  const s = p.toString()
  return s ? `?${s}` : ''
}

// The clients the search finds, in the chosen order ('recent': as the
// server answers, the latest appointment first).
export function filterClients (clients, { q, sort }, locale = 'en') {
  const out = clients.filter((c) => matchesClient({ client: c }, q))
  const by = {
    bookings: (a, b) => b.bookings - a.bookings,
    no_shows: (a, b) => b.no_shows - a.no_shows || Number(b.locked_out) - Number(a.locked_out),
    name: (a, b) => a.name.localeCompare(b.name, locale),
  }[sort]
  return by ? out.sort((a, b) => by(a, b) || a.email.localeCompare(b.email)) : out
}
