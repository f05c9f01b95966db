import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm run build` → dashboard/dist, served by the server at /. `npm run dev`
// serves the sources with the API proxied to a running server.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': process.env.MIMAMORI_URL ?? 'http://127.0.0.1:8080', '/maintenance': process.env.MIMAMORI_URL ?? 'http://127.0.0.1:8080' } },
});
