// The bookings screen. Placeholder until its helper replaces this file; the shell
// hands it api, provider, providerId, route, locale and me (ui.js).
import { html } from 'lit'
import { ScreenElement, baseStyles } from '../ui.js'

export class BookingsScreen extends ScreenElement {
  static styles = [baseStyles]
  render () {
    return html`<h1 tabindex="-1">Bookings</h1>`
  }
}
customElements.define('sw-screen-bookings', BookingsScreen)
