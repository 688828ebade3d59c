// The clients screen's words, en/de/fr/es (i18n.js translator).
export const strings = {
  en: {
    title: 'Clients', search: 'Search by name or email', searchButton: 'Search', clear: 'Clear search', sort: 'Order', recent: 'Most recent', bookings: 'Most bookings',
    no_shows: 'Most no-shows', name: 'Name', loading: 'Loading clients…', none: 'Nobody has booked yet.', noneFor: 'No client matches “{q}”.', count: '{n} clients',
    nBookings: 'Bookings', upcoming: 'Upcoming', completed: 'Completed', noShows: 'No-shows', cancelled: 'Cancelled or declined', last: 'Last appointment', next: 'Next appointment',
    lockedOut: 'Same-day booking closed (no-shows: {n})', lockedHint: 'The server refuses this client same-day bookings with you after a no-show.',
    seeBookings: 'Bookings of {name}', failed: 'The clients could not be loaded: {detail}', apply: 'Apply',
  },
  de: {
    title: 'Kunden', search: 'Nach Name oder E-Mail suchen', searchButton: 'Suchen', clear: 'Suche löschen', sort: 'Reihenfolge', recent: 'Zuletzt', bookings: 'Meiste Buchungen',
    no_shows: 'Meiste Nichterscheinen', name: 'Name', loading: 'Kunden werden geladen…', none: 'Noch hat niemand gebucht.', noneFor: 'Kein Kunde passt zu „{q}“.', count: '{n} Kunden',
    nBookings: 'Buchungen', upcoming: 'Anstehend', completed: 'Erledigt', noShows: 'Nicht erschienen', cancelled: 'Storniert oder abgelehnt', last: 'Letzter Termin', next: 'Nächster Termin',
    lockedOut: 'Buchung am selben Tag gesperrt (Nichterscheinen: {n})', lockedHint: 'Nach einem Nichterscheinen lehnt der Server Buchungen dieses Kunden für denselben Tag ab.',
    seeBookings: 'Buchungen von {name}', failed: 'Die Kunden konnten nicht geladen werden: {detail}', apply: 'Anwenden',
  },
  fr: {
    title: 'Clients', search: 'Chercher par nom ou e-mail', searchButton: 'Chercher', clear: 'Effacer la recherche', sort: 'Ordre', recent: 'Les plus récents', bookings: 'Le plus de rendez-vous',
    no_shows: 'Le plus d’absences', name: 'Nom', loading: 'Chargement des clients…', none: 'Personne n’a encore réservé.', noneFor: 'Aucun client ne correspond à « {q} ».', count: '{n} clients',
    nBookings: 'Rendez-vous', upcoming: 'À venir', completed: 'Effectués', noShows: 'Absences', cancelled: 'Annulés ou refusés', last: 'Dernier rendez-vous', next: 'Prochain rendez-vous',
    lockedOut: 'Réservation le jour même fermée (absences : {n})', lockedHint: 'Après une absence, le serveur refuse à ce client les réservations pour le jour même.',
    seeBookings: 'Rendez-vous de {name}', failed: 'Les clients n’ont pas pu être chargés : {detail}', apply: 'Appliquer',
  },
  es: {
    title: 'Clientes', search: 'Buscar por nombre o correo', searchButton: 'Buscar', clear: 'Borrar búsqueda', sort: 'Orden', recent: 'Más recientes', bookings: 'Más reservas',
    no_shows: 'Más ausencias', name: 'Nombre', loading: 'Cargando clientes…', none: 'Nadie ha reservado todavía.', noneFor: 'Ningún cliente coincide con «{q}».', count: '{n} clientes',
    nBookings: 'Reservas', upcoming: 'Próximas', completed: 'Realizadas', noShows: 'Ausencias', cancelled: 'Canceladas o rechazadas', last: 'Última cita', next: 'Próxima cita',
    lockedOut: 'Reserva para el mismo día cerrada (ausencias: {n})', lockedHint: 'Tras una ausencia, el servidor rechaza las reservas de este cliente para el mismo día.',
    seeBookings: 'Reservas de {name}', failed: 'No se pudieron cargar los clientes: {detail}', apply: 'Aplicar',
  },
}
