import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the single-page UI from src/ui into dist/ui; Preact JSX through esbuild, no plugin. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
