// The dashboard's service worker: shows the server's Web Push messages
// (notifications/push_channel.cpp: { title, body, url, booking_id }) and
// opens the booking in the dashboard when one is clicked. Scope /app/.
self.addEventListener('push', (event) => {
  let message = {}
  try { message = event.data ? event.data.json() : {} } catch { message = { body: event.data?.text() } }
  event.waitUntil(self.registration.showNotification(message.title || 'Slotwise', {
    body: message.body || '',
    tag: message.booking_id || undefined,
    data: { url: message.url || '/app/' },
  }))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = new URL(event.notification.data?.url || '/app/', self.location.origin)
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
      if (new URL(client.url).origin === url.origin && 'navigate' in client) {
        await client.focus()
        return client.navigate(url.href)
      }
    }
    return self.clients.openWindow(url.href)
  })())
})
