// Profile: who the practice is, where, and in which time zone.
import { html } from 'lit'
import { Panel } from './panel.js'
import { loadZones } from '../../engine_files.js'

const kinds = ['doctor', 'therapist', 'trainer', 'consultant', 'other']

export class ProfilePanel extends Panel {
  firstUpdated () { loadZones().catch(() => {}) }

  async save (event) {
    event.preventDefault()
    const f = new FormData(event.target)
    const text = (k) => String(f.get(k) || '').trim()
    const zone = this.renderRoot.querySelector('slotwise-zone-picker')?.value || this.provider.time_zone
    const doc = { ...this.provider, name: text('name'), kind: text('kind'), time_zone: zone, active: f.get('active') === 'on' }
    for (const key of ['bio', 'photo_url', 'address']) {
      if (text(key)) doc[key] = text(key)
      else delete doc[key]
    }
    await this.act(() => this.saveProvider(doc))
  }

  render () {
    const t = this.t
    const p = this.provider
    const field = (key, label, hint, input) => html`
      <label for=${key}>${label}</label>${hint ? html`<p class="hint" id=${key + '-hint'}>${hint}</p>` : ''}
      ${input}${this.fieldError('/' + key, key + '-error')}`
    const described = (key, hint) => [hint ? key + '-hint' : '', key + '-error'].filter(Boolean).join(' ')
    return html`<form @submit=${this.save} novalidate>
      ${field('name', t('name'), '', html`<input id="name" name="name" required maxlength="200" .value=${p.name} aria-invalid=${this.invalid('/name')} aria-describedby=${described('name')}>`)}
      ${field('kind', t('kind'), '', html`<select id="kind" name="kind" aria-describedby=${described('kind')}>${kinds.map((k) => html`<option value=${k} ?selected=${k === p.kind}>${t(k)}</option>`)}</select>`)}
      ${field('bio', t('bio'), t('bioHint'), html`<textarea id="bio" name="bio" rows="4" maxlength="4000" class="wide" .value=${p.bio || ''} aria-invalid=${this.invalid('/bio')} aria-describedby=${described('bio', 1)}></textarea>`)}
      ${field('photo_url', t('photo'), t('photoHint'), html`<input id="photo_url" name="photo_url" type="url" inputmode="url" maxlength="2000" class="wide" .value=${p.photo_url || ''} aria-invalid=${this.invalid('/photo_url')} aria-describedby=${described('photo_url', 1)}>`)}
      ${field('address', t('address'), t('addressHint'), html`<input id="address" name="address" maxlength="500" class="wide" .value=${p.address || ''} aria-invalid=${this.invalid('/address')} aria-describedby=${described('address', 1)}>`)}
      <p class="hint" id="zone-hint">${t('zoneHint')}</p>
      <slotwise-zone-picker value=${p.time_zone} detected=${p.time_zone} locale=${this.locale} label=${t('zone')}></slotwise-zone-picker>
      ${this.fieldError('/time_zone', 'time_zone-error')}
      <p class="row"><input type="checkbox" id="active" name="active" ?checked=${p.active !== false} aria-describedby="active-hint"><label for="active" class="inline">${t('active')}</label></p>
      <p class="hint" id="active-hint">${t('activeHint')}</p>
      ${this.generalError('/name', '/kind', '/bio', '/photo_url', '/address', '/time_zone')}
      <p><button ?disabled=${this.busy}>${this.busy ? t('saving') : t('save')}</button></p>
    </form>`
  }
}
customElements.define('sw-settings-profile', ProfilePanel)
