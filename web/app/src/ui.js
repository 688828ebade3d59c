// What every screen shares: the base class (the properties the shell hands
// down, saving the provider document, moving to another screen), the common
// styles, and how an API problem finds the field it concerns.
import { LitElement, css } from 'lit'
import { providerPath } from './api.js'

// Events leave the shadow root (composed) and bubble to the shell.
export function emit (el, type, detail) {
  el.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
}

export class ScreenElement extends LitElement {
  static properties = {
    api: { attribute: false },
    provider: { attribute: false }, // the document GET /v1/providers/{id} answers (null before onboarding)
    providerId: { attribute: 'provider-id' },
    route: { attribute: false }, // { name, params, query } (router.js)
    locale: { reflect: true },
    me: { attribute: false }, // GET /v1/me
  }

  // Saves the whole provider document (PUT takes what GET gives) and tells
  // the shell, which hands the saved document to every screen.
  async saveProvider (doc) {
    await this.api.put(providerPath(this.providerId), doc)
    const saved = await this.api.get(providerPath(this.providerId))
    emit(this, 'sw-provider-changed', saved)
    return saved
  }

  go (path) {
    emit(this, 'sw-navigate', path)
  }

  // A short message for screen readers and everyone (the shell's live region).
  announce (text) {
    emit(this, 'sw-announce', text)
  }
}

// The problem's text when it concerns `path` (the JSON pointer the server
// names in problem.path, or in engine_error.path when the engine refused a
// configuration, e.g. "/services/0/durations"), else ''.
export function problemAt (error, path) {
  const p = error?.problem?.path ?? error?.problem?.engine_error?.path
  if (!p) return ''
  const norm = (s) => String(s).replace(/^\/+|\/+$/g, '').replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')
  return norm(p) === norm(path) || norm(p).startsWith(norm(path) + '/') ? (error.problem.detail || error.problem.title) : ''
}

// No style attributes anywhere: the server's pages forbid inline styles (CSP).
export const baseStyles = css`
  :host { display: block; color: var(--sw-text, #1b1f24); font: 16px/1.5 system-ui, sans-serif; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  h1:focus { outline: none; }
  h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
  a { color: var(--sw-link, #1d4fc4); }
  label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
  input, select, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #767f8c; border-radius: 6px; background: #fff; color: inherit; max-width: 100%; box-sizing: border-box; }
  input[type=checkbox], input[type=radio] { width: 1.1rem; height: 1.1rem; }
  button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #1d4fc4; background: #1d4fc4; color: #fff; cursor: pointer; min-height: 2.5rem; }
  button.secondary { background: #fff; color: #1d4fc4; }
  button.danger { background: #b3261e; border-color: #b3261e; }
  button:disabled { opacity: .6; cursor: default; }
  :focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
  .hint { color: #4a5361; font-size: .9rem; margin: .2rem 0; }
  .error { color: #b3261e; font-size: .95rem; margin: .25rem 0; }
  .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
  .card { background: #fff; border: 1px solid #d6dae1; border-radius: 10px; padding: 1rem; margin: 0 0 1rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: start; padding: .4rem .5rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  .wide { width: 100%; }
  .mono { font-family: ui-monospace, monospace; }
  .break { overflow-wrap: anywhere; }
  .scroll-x { overflow-x: auto; }
  label.inline { margin: 0; font-weight: 400; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (max-width: 480px) { :host { font-size: 15px; } .card { padding: .75rem; } }
`
