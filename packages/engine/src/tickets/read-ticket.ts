import type { Config, TaskSpec } from "@flotilla/protocol";
import { agentForRole } from "../config/index.js";
import {
  parseStructuredDocument,
  readStructuredText,
  structuredError,
  validateStructured,
} from "../shared/structured-file.js";
import { checkTicket, TicketSchema, type Ticket } from "./ticket-schema.js";

/**
 * Parses and checks a ticket's text; `file` names it in messages (`file:line:col: key: problem`)
 * and picks the format (JSON by a `.json` name, else YAML). Throws FlotillaError("invalid_input").
 */
export function parseTicketText(text: string, file: string): Ticket {
  const parsed = parseStructuredDocument(text, file);
  const ticket = validateStructured(parsed, TicketSchema);
  const issues = checkTicket(ticket);
  if (issues.length > 0) throw structuredError("invalid_input", file, parsed.locate(issues));
  return ticket;
}

/** Reads and checks a ticket file. */
export function readTicketFile(file: string): Ticket {
  return parseTicketText(readStructuredText(file), file);
}

/**
 * The task a ticket asks for: its id becomes the task id; `role` picks the agent the config
 * names for that role; `review: true` means the default review, `false` none.
 */
export function ticketToSpec(ticket: Ticket, config: Config): TaskSpec {
  const review = ticket.review;
  return {
    id: ticket.id,
    title: ticket.title ?? ticket.id,
    prompt: ticket.prompt,
    agent: ticket.agent ?? (ticket.role !== undefined ? agentForRole(config, ticket.role) : config.defaults.agent),
    dependsOn: ticket.dependsOn,
    writes: ticket.writes,
    priority: ticket.priority,
    ...(ticket.verify !== undefined ? { verify: ticket.verify } : {}),
    ...(ticket.script !== undefined ? { script: ticket.script } : {}),
    ...(review === false ? { review: false as const } : review === true || review === undefined ? {} : { review }),
  };
}
