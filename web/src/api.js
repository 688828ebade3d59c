import { snapshotUrl } from './range.js'

// The server's public API (shared/spec/api.md). No cookies: every request is
// made with credentials: 'omit', so the widget works when third-party cookies
// are blocked and leaves nothing behind.

export class ApiError extends Error {
  constructor(status, problem, cause) {
    super(problem?.detail || problem?.title || (status ? `HTTP ${status}` : 'network error'))
    this.status = status // 0 for a network failure
    this.code = problem?.code || (status ? `HTTP_${status}` : 'NETWORK')
    this.problem = problem
    if (cause) this.cause = cause
  }
}

export function createApi(base) {
  const url = (path, params) => {
    const u = new URL(path, base)
    if (params) for (const [k, v] of Object.entries(params)) if (v != null && v !== '') u.searchParams.set(k, v)
    return u.href
  }

  async function request(path, { params, method = 'GET', body, headers = {} } = {}) {
    let res
    try {
      res = await fetch(url(path, params), {
        method,
        headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        mode: 'cors',
      })
    } catch (e) {
      throw new ApiError(0, null, e)
    }
    const text = await res.text().catch(() => '')
    let json = null
    try {
      json = text ? JSON.parse(text) : null
    } catch { /* a proxy's HTML error page */ }
    if (!res.ok) throw new ApiError(res.status, json)
    return { json, text, res }
  }

  const enc = encodeURIComponent
  return {
    url,
    // Returns the answer plus when it was asked and received (clock offset).
    // `reschedule` ({ reschedule: id, token }): the server leaves that booking's own time out.
    snapshot: async (provider, from, to, reschedule = null) => {
      const href = snapshotUrl(base, provider, { from, to })
      const early = !reschedule && globalThis.Slotwise?.preload?.snapshots?.get(href)
      if (early) {
        // widget.js started this request while the widget module loaded.
        globalThis.Slotwise.preload.snapshots.delete(href)
        const r = await early.response.catch(() => null)
        if (r && r.ok) return { json: JSON.parse(r.text), text: r.text, sent: early.sent, received: r.received }
      }
      const sent = Date.now()
      const answer = await request(`/v1/providers/${enc(provider)}/snapshot`, { params: { from, to, ...reschedule } })
      return { ...answer, sent, received: Date.now() }
    },
    slots: (provider, q) => request(`/v1/providers/${enc(provider)}/slots`, {
      params: { service: q.service, from: q.from, to: q.to, time_zone: q.time_zone, duration_minutes: q.duration_minutes },
    }),
    book: (body, key) => request('/v1/bookings', { method: 'POST', body, headers: { 'Idempotency-Key': key } }),
    booking: (id, token) => request(`/v1/bookings/${enc(id)}`, { params: { token } }),
    cancel: (id, token, reason) => request(`/v1/bookings/${enc(id)}/cancel`, { method: 'POST', params: { token }, body: reason ? { reason } : {} }),
    verify: (id, token, code) => request(`/v1/bookings/${enc(id)}/verify`, { method: 'POST', params: { token }, body: { code } }),
    reschedule: (id, token, body) => request(`/v1/bookings/${enc(id)}/reschedule`, { method: 'POST', params: { token }, body }),
    icsUrl: (id, token) => url(`/v1/bookings/${enc(id)}.ics`, { token }),
  }
}

// A key per submission: the same body keeps its key across retries (so a
// retried POST can never book twice), a changed body gets a fresh one.
export class IdempotencyKeys {
  #body = null
  #key = null
  keyFor(body) {
    const text = JSON.stringify(body)
    if (text !== this.#body) {
      this.#body = text
      this.#key = crypto.randomUUID()
    }
    return this.#key
  }
  forget() {
    this.#body = this.#key = null
  }
}
