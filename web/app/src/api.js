// The provider API (api.md) as the dashboard calls it: same origin, the
// session cookie, JSON in and out. A state-changing request by cookie needs
// an Origin of the server itself, which the browser sends on its own for a
// same-origin fetch. Errors are the widget's ApiError (status, stable code,
// the RFC 9457 problem), so a screen can show a problem at the field its
// `path` names.
import { ApiError } from '../../src/api.js'

export { ApiError }

export function createProviderApi (base = location.origin) {
  async function request (method, path, { body, params, headers = {} } = {}) {
    const url = new URL(path, base)
    if (params) for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, v)
    let res
    try {
      res = await fetch(url, {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (e) {
      throw new ApiError(0, null, e)
    }
    const text = await res.text().catch(() => '')
    let json = null
    try { json = text ? JSON.parse(text) : null } catch { /* not JSON: a proxy's page */ }
    if (!res.ok) {
      const error = new ApiError(res.status, json)
      if (res.status === 401) dispatchEvent(new CustomEvent('sw-signed-out'))
      throw error
    }
    return json
  }
  return {
    request,
    get: (path, params) => request('GET', path, { params }),
    put: (path, body) => request('PUT', path, { body }),
    post: (path, body = {}) => request('POST', path, { body }),
    patch: (path, body) => request('PATCH', path, { body }),
    del: (path) => request('DELETE', path),
    // Text answers (CSV, .ics) for downloads.
    text: async (path, params) => {
      const url = new URL(path, base)
      if (params) for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, v)
      const res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null))
      return res.text()
    },
  }
}

// The path of a provider's endpoint, with the id escaped.
export const providerPath = (id, ...rest) => ['/v1/providers', encodeURIComponent(id), ...rest].join('/')
