// Builds the console into dist/, which CMake embeds in the allot binary
// (console/CMakeLists.txt). Served under /console/ by allot itself.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Element Plus and Vue in one vendor chunk, cached across console releases
    // that only change our own code.
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/uplot')) return 'chart';
          if (id.includes('node_modules')) return 'vendor';
          return undefined;
        },
      },
    },
    chunkSizeWarningLimit: 1200,
    // No inline <script> or data: module preload: the page's CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
