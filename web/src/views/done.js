// The confirmation screen, also the manage view of a booking opened from its
// link: title, the booking's rows (confirmation.js), meeting and calendar
// links, the manage link, and the way to book again. The element focuses the
// heading and passes what the buttons do in `on`.
import { h, icon } from '../dom.js'
import { confirmationRows } from './confirmation.js'
import { viewContext } from './summary.js'

export function doneScreen(s, booking, how, on) {
  const { t } = s
  const status = String(booking.status || '').toUpperCase()
  const title = status === 'CANCELLED' ? t('cancelledTitle') : status === 'PENDING' ? t('pendingTitle') : t('confirmedTitle')
  const heading = h('h2', { tabindex: '-1', id: 'done-heading', text: title })
  const token = booking.manage_token || s.manage?.token
  const rows = confirmationRows(viewContext(s), booking)
  const links = []
  if (booking.meeting_link && status !== 'CANCELLED') links.push(h('a', { class: 'btn', href: booking.meeting_link, target: '_blank', rel: 'noopener noreferrer', text: t('meetingLink') }))
  if (token && status !== 'CANCELLED') {
    links.push(h('a', { class: 'btn secondary', href: s.api.icsUrl(booking.id, token), download: `booking-${booking.id}.ics`, text: t('addToCalendar') }))
  }
  const manage = token && status !== 'CANCELLED' && how !== 'manage'
    ? h('div', { class: 'stack' },
      h('p', null, h('a', { class: 'link', href: on.manageUrl({ id: booking.id, manage_token: token }), text: t('manageLink') })),
      h('p', { class: 'hint', text: t('manageHint') }))
    : null
  const note = how === 'rescheduled' ? h('p', { class: 'notice', role: 'status', text: t('rescheduled') }) : null
  // Someone who opened a manage link may want another appointment too.
  const another = h('button', { type: 'button', class: 'btn plain', text: how === 'manage' || status === 'CANCELLED' ? t('bookAgain') : t('bookAnother'), onclick: on.another })
  const manageActions = how === 'manage' && status !== 'CANCELLED' ? on.actions() : null
  const node = h('div', { class: 'stack' },
    h('div', { class: 'title-row' }, status === 'CANCELLED' ? null : h('span', { class: 'done-icon' }, icon('check')), heading),
    note,
    h('dl', null, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { dir: 'auto', text: v })])),
    links.length ? h('div', { class: 'actions' }, links) : null,
    manage, manageActions, another ? h('div', { class: 'actions' }, another) : null)
  return { node, heading, title }
}
