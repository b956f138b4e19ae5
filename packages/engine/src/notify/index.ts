export { createNotifier, type Notifier, type NotifierOptions } from "./notifier.js";
export { payloadFor, payloadEnv, type NotifyPayload } from "./payload.js";
export { deliverWebhook, signBody, redact, SIGNATURE_HEADER } from "./webhook.js";
