import { mount } from 'svelte';
import App from './App.svelte';
import { loadUiConfig } from './lib/api.ts';
import { startFaro } from './faro.ts';
import './app.css';

const config = await loadUiConfig();
startFaro(config);
mount(App, { target: document.getElementById('app')!, props: { config } });
