import { mount } from 'svelte';
import App from './App.svelte';
import { loadUiConfig, type UiConfig } from './lib/api.ts';
import { startFaro } from './faro.ts';
import './app.css';

/**
 * Until a new account changes its initial password, the server answers it
 * nothing but the session routes, this config included: the forced change
 * page needs none of it, and the app starts afresh after the change.
 */
const BARE: UiConfig = { version: '', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, environments: [] };

const config = await loadUiConfig().catch(() => BARE);
startFaro(config);
mount(App, { target: document.getElementById('app')!, props: { config } });
