// Server paging with opaque cursors: the console keeps the cursors of the
// pages it has seen, so "Previous" is a re-fetch and "Next" follows
// next_cursor. Only one page is ever held in memory.
import { ref, shallowRef } from 'vue';
import type { Page } from './client';
import { ApiError } from './client';

export function useCursorList<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([]);
  const loading = ref(false);
  const error = ref('');
  const pageIndex = ref(0);
  const hasNext = ref(false);
  let cursors: (string | null)[] = [null];
  let generation = 0;

  async function load(index: number): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = '';
    try {
      const page = await fetchPage(cursors[index] ?? null);
      if (mine !== generation) return; // a newer search replaced this one
      items.value = page.items;
      pageIndex.value = index;
      cursors = cursors.slice(0, index + 1);
      if (page.next_cursor) cursors.push(page.next_cursor);
      hasNext.value = !!page.next_cursor;
    } catch (e) {
      if (mine !== generation) return;
      items.value = [];
      hasNext.value = false;
      error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return {
    items,
    loading,
    error,
    pageIndex,
    hasNext,
    reset: () => {
      cursors = [null];
      return load(0);
    },
    reload: () => load(pageIndex.value),
    next: () => (hasNext.value ? load(pageIndex.value + 1) : Promise.resolve()),
    prev: () => (pageIndex.value > 0 ? load(pageIndex.value - 1) : Promise.resolve()),
  };
}
