export { createSmtpChannel, type SmtpChannelOptions } from './smtp.ts';
export { createOutboxChannel, type OutboxOptions } from './outbox.ts';
export { createWebhookChannel, type WebhookChannelOptions } from './webhook.ts';
export { createMemoryChannel, type MemoryChannel, type SentRecord } from './memory.ts';
