export { TicketSchema, checkTicket, type Ticket } from "./ticket-schema.js";
export { parseTicketText, readTicketFile, ticketToSpec } from "./read-ticket.js";
export { watchBacklog, isTicketFile, type BacklogWatcher, type WatchBacklogOptions } from "./watch-backlog.js";
export type { BacklogHandlers } from "./backlog-tracker.js";
export { compareReady, orderReady, createTicketQueue, type QueueItem, type TicketQueue } from "./ticket-queue.js";
