// The snippet box both the onboarding and the embed screen show: selectable
// text (a read-only textarea, selected whole on focus) and a copy button
// whose outcome is said in a status line.
import { css, html } from 'lit'

export async function copyText (text, field) {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // No clipboard permission (an insecure origin, an old browser): the
    // selection and the legacy command still copy.
    if (!field) return false
    field.focus()
    field.select()
    try { return document.execCommand('copy') } catch { return false }
  }
}

// t needs the keys snippet, copy, copied, copyFailed.
export function snippetBox ({ t, text, status, onCopy, id = 'snippet' }) {
  const rows = Math.min(8, Math.max(3, Math.ceil(text.length / 40)))
  return html`
    <label for=${id}>${t('snippet')}</label>
    <textarea id=${id} class="snippet" readonly rows=${rows} spellcheck="false" .value=${text}
      @focus=${(e) => e.target.select()}></textarea>
    <div class="row">
      <button type="button" class="copy" @click=${(e) => onCopy(e.target.getRootNode().getElementById(id))}>${t('copy')}</button>
      <span role="status" class="hint">${status === 'ok' ? t('copied') : status === 'failed' ? t('copyFailed') : ''}</span>
    </div>`
}

export const snippetStyles = css`
  textarea.snippet { width: 100%; font: 13px/1.4 ui-monospace, monospace; resize: vertical; word-break: break-all; }
`
