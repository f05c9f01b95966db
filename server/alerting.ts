import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/load.ts';
import type { Storage } from './storage/client.ts';
import type { EventBus } from './shared/event-bus.ts';
import type { Metrics } from './health/metrics.ts';
import { readOrCreateSecretFile } from './shared/secret-file.ts';
import { isProduction } from './shared/environments.ts';
import { AlertStore } from './rules/alert-store.ts';
import { Evaluator } from './rules/evaluator.ts';
import { FreshProbes } from './rules/fresh-probes.ts';
import { RULE_KINDS } from './rules/kinds/index.ts';
import type { Alert, EvalContext, Rule } from './rules/types.ts';
import { builtInRules } from './rules/kinds/ingest-stalled.ts';
import { Deliveries } from './notify/deliveries.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { Silences } from './notify/silences.ts';
import { createOutboxChannel, createSmtpChannel, createWebhookChannel } from './notify/channels/index.ts';
import { renderWorkaroundNotice } from './notify/templates/index.ts';
import { channelsOf, type Recipient } from './notify/types.ts';
import { Ledger } from './ledger/ledger.ts';
import { WorkaroundCatalogue } from './ledger/workarounds.ts';
import { Escalator } from './ledger/escalation.ts';
import { AckLinks } from './ledger/ack-link.ts';
import type { LedgerRouteOptions } from './ledger/routes.ts';
import { MaintenanceCalendar } from './maintenance/index.ts';
import { newestLogs, newestProbes } from './api/queries.ts';

export interface Alerting {
  evaluator: Evaluator;
  store: AlertStore;
  ledger: Ledger;
  workarounds: WorkaroundCatalogue;
  deliveries: Deliveries;
  escalator: Escalator;
  calendar: MaintenanceCalendar;
  silences: Silences;
  ackLinks: AckLinks;
  announceWorkaround: LedgerRouteOptions['announceWorkaround'];
  /** Starts the evaluation interval and the escalation timer (the server does; tests may drive by hand). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires the alerting path: ingest bus → rules (evaluator, alert state) →
 * notify (group, suppress, dedup, send, record) → ledger (tickets,
 * escalation). Runs in the primary server process only.
 */
export async function openAlerting(deps: {
  config: Config;
  storage: Storage;
  bus: EventBus;
  metrics: Metrics;
  dataDir: string;
  now: () => number;
  logger?: Logger;
  ingestLag?: EvalContext['ingestLag'];
  /** false on a replica (MIMAMORI_ROLE): no rule runs on its readings, no mail left queued is resent from it. */
  acts?: boolean;
}): Promise<Alerting> {
  const acts = deps.acts ?? true;
  const { config, storage, metrics, now } = deps;
  const log = deps.logger;
  const rules = [...config.rules, ...builtInRules(config.ingest.stallAfterMs)];
  const rulesByName = new Map(rules.map((r) => [r.name, r]));
  const describe = (a: Omit<Alert, 'description' | 'unit'>) => {
    const rule = rulesByName.get(a.rule);
    const kind = RULE_KINDS.get(a.kind);
    const text = rule && kind ? kind.describe(rule as Rule<never>) : { ja: a.rule, en: a.rule };
    return { description: { ja: rule?.title?.ja ?? text.ja, en: rule?.title?.en ?? text.en }, unit: (rule && kind?.unitOf?.(rule as Rule<never>)) ?? kind?.unit ?? '' };
  };
  const store = await AlertStore.open(storage, describe);
  const ledger = await Ledger.open(storage, config.timezone, now);
  const workarounds = await WorkaroundCatalogue.open(storage, now);
  const calendar = await MaintenanceCalendar.open(storage, config.maintenance, config.timezone, { now });
  const silences = await Silences.open(storage, now);
  const ackLinks = new AckLinks(readOrCreateSecretFile(deps.dataDir, 'link-secret'), config.publicUrl, config.ackLinkTtlMs);
  const n = config.notify;
  const email = n.smtp ? createSmtpChannel(n.smtp) : createOutboxChannel(path.join(deps.dataDir, 'outbox'), { from: n.from, now });
  if (!n.smtp) log?.warn({ outbox: path.join(deps.dataDir, 'outbox') }, 'no SMTP configured (MIMAMORI_SMTP_URL): alert mails are written to the outbox');
  const deliveries = await Deliveries.open(storage, { email, webhook: createWebhookChannel() }, n.recipients, {
    sent: (channel, purpose) => metrics.notificationsSent.inc({ channel, purpose }),
    failed: (channel, error, retryIn) => {
      metrics.notificationFailures.inc({ channel, retry: String(retryIn !== undefined) });
      log?.warn({ channel, err: { message: error.message }, retryInMs: retryIn }, retryIn === undefined ? 'notification failed; giving up' : 'notification failed; will retry');
    },
  }, now, { resume: acts });
  const recipients = (names: string[]) => names.map((name) => n.recipients.get(name)).filter((r): r is Recipient => r !== undefined);
  const links = (ticket: { number: string }, recipient: string) => ({ link: `${config.publicUrl}/incidents/${encodeURIComponent(ticket.number)}`, ackLink: ackLinks.create(ticket.number, recipient, now()) });

  const dispatcher = new Dispatcher({
    deliveries,
    timing: n.timing,
    recipientsOf: (rule) => recipients(rulesByName.get(rule)?.notify.length ? rulesByName.get(rule)!.notify : n.defaultRecipients),
    suppression: (alert, at) => {
      const window = calendar.activeFor({ environment: alert.labels.environment, target: alert.labels.target }, at);
      if (window) return `maintenance:${window.id}`;
      const silence = silences.matching(alert, at);
      return silence ? `silence:${silence.id}` : undefined;
    },
    ticketFor: async (alert, firing) => {
      const about = alert.labels.target ?? alert.labels.host ?? alert.labels.service ?? alert.labels.environment ?? '';
      // Both languages are kept, so each reader sees the rule's title in theirs.
      const ticket = firing ? await ledger.alertFired(alert, rulesByName.get(alert.rule)?.escalation, `${alert.description.ja} — ${about}`, `${alert.description.en} — ${about}`) : ledger.openFor(alert.fingerprint);
      return ticket?.number;
    },
    ticketRef: (number, recipient) => ({ number, ...links({ number }, recipient) }),
    resolved: async (alert) => void (await ledger.alertResolved(alert)),
    noData: async (alert) => void (await ledger.alertNoData(alert)),
    context: async (alert) => {
      const found = workarounds.findFor(alert);
      const { environment = '', target, host, service } = alert.labels;
      // Logs only where the alert names their source: an environment's newest lines say nothing about a target.
      const recentLogs = host || service ? await newestLogs(storage, { from: now() - 15 * 60_000, to: now() + 1000, environment, host, service, levels: ['warn', 'error', 'fatal'] }, 10).catch(() => []) : [];
      const recentProbes = target ? await newestProbes(storage, environment, target, now() - 3_600_000, 5).catch(() => []) : undefined;
      return { recentLogs, recentProbes, workaround: found && { id: found.id, title: found.version.title, version: found.version.version, steps: found.version.steps } };
    },
    isProduction,
    timezone: config.timezone,
    now,
    onError: (error) => log?.error({ err: error }, 'sending alert notifications failed'),
  });

  const fresh = new FreshProbes(now);
  const evaluator = new Evaluator({
    rules, storage, fresh, store, now, ingestLag: deps.ingestLag,
    onTransitions: async (changes) => {
      for (const c of changes) metrics.alertTransitions.inc({ state: c.alert.state });
      for (const c of changes) log?.info({ rule: c.alert.rule, labels: c.alert.labels, from: c.from, to: c.alert.state, value: c.alert.value }, `alert ${c.alert.state}`);
      await dispatcher.onTransitions(changes).catch((error: Error) => log?.error({ err: error }, 'dispatching alerts failed'));
    },
    onError: (rule, error) => {
      metrics.ruleErrors.inc();
      log?.error({ rules: rule, err: error }, 'rule evaluation failed; alert state kept');
    },
    onRun: (scope, seconds) => metrics.ruleEvaluationSeconds.observe({ scope }, seconds),
  });
  const minThreshold = Math.min(...config.rules.filter((r) => r.kind === 'response_time').map((r) => (r.params as { thresholdMs: number }).thresholdMs), Infinity);
  if (acts) fresh.attach(deps.bus, (r) => !r.ok || r.provisional === true || r.totalMs > minThreshold, () => evaluator.trigger());

  const escalator = new Escalator({ ledger, deliveries, chains: n.chains, recipients: n.recipients, links, isProduction, timezone: config.timezone, now, onError: (error) => log?.error({ err: error }, 'escalation failed') });

  const announceWorkaround: LedgerRouteOptions['announceWorkaround'] = async (ticket, id, version, phase, actor, note) => {
    for (const r of recipients(n.foundationRecipients)) {
      const message = renderWorkaroundNotice({ ticket: { number: ticket.number, title: ticket.title, environment: ticket.environment, production: isProduction(ticket.environment), link: links(ticket, r.name).link }, workaround: { id, title: version.title, version: version.version, steps: version.steps }, phase, actor: actor.name, at: now(), note, timezone: config.timezone }, r.language);
      for (const channel of channelsOf(r)) {
        await deliveries.enqueue({ purpose: 'workaround', channel, recipient: r, groupKey: ticket.number, alertKeys: [`${ticket.number}:${id}:v${version.version}:${phase}:${now()}`], ticket: ticket.number, message });
      }
    }
  };

  let dispatchTimer: NodeJS.Timeout | undefined;
  return {
    evaluator, store, ledger, workarounds, deliveries, escalator, calendar, silences, ackLinks, announceWorkaround,
    async start() {
      // After a restart: whatever the log says was not yet sent (a firing or a resolve) goes out now.
      await dispatcher.catchUp(store.active(), await store.recentlyResolved(now() - 86_400_000));
      evaluator.start(config.evaluationIntervalMs);
      escalator.start();
      dispatchTimer = setInterval(() => void dispatcher.tick().catch((error: Error) => log?.error({ err: error }, 'notification tick failed')), 5000);
      dispatchTimer.unref();
    },
    async stop() {
      clearInterval(dispatchTimer);
      dispatcher.stop();
      await evaluator.stop();
      await escalator.stop();
      await deliveries.close();
    },
  };
}
