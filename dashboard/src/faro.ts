import { initializeFaro, getWebInstrumentations } from '@grafana/faro-web-sdk';
import type { UiConfig } from './lib/api.ts';

/** Real-user monitoring of the dashboard itself: page loads, web vitals and errors go to our own receiver. */
export function startFaro(config: UiConfig): void {
  if (!config.faro) return;
  initializeFaro({
    url: new URL(config.faro.url, location.href).toString(),
    apiKey: config.faro.apiKey,
    app: { name: config.faro.app, version: config.version, environment: config.faro.environment },
    instrumentations: getWebInstrumentations({ captureConsole: true }),
    batching: { sendTimeout: 1000 },
  });
}
