import { DeliveryError, type Channel, type ChannelKind, type Message, type Recipient } from '../types.ts';

export interface SentRecord {
  recipient: Recipient;
  message: Message;
  id: string;
}

/** A fake channel for the pipeline's tests: keeps what was sent; `failNext` makes the next sends throw. */
export interface MemoryChannel extends Channel {
  sent: SentRecord[];
  failNext(error: DeliveryError, times?: number): void;
}

export function createMemoryChannel(kind: ChannelKind = 'email'): MemoryChannel {
  const failures: DeliveryError[] = [];
  const sent: SentRecord[] = [];
  return {
    kind,
    sent,
    failNext(error, times = 1) {
      for (let i = 0; i < times; i++) failures.push(error);
    },
    async send(recipient, message, id) {
      const failure = failures.shift();
      if (failure) throw failure;
      sent.push({ recipient, message, id });
      return `memory-${sent.length}`;
    },
  };
}
