// Server paging with opaque cursors: the console keeps the cursors of the
// pages it has seen, so "Previous" is a re-fetch and "Next" follows
// next_cursor. Only one page is ever held in memory.
import { ref, shallowRef, watch, type Ref } from 'vue';
import type { Page } from './client';
import { ApiError } from './client';

// True once `flag` has stayed true for `ms`: a loading overlay shown only
// for slow loads. A fast one (the usual case) then neither flickers nor
// leaves a fading mask over rows that are already there (Element Plus's
// mask fades out for some 300 ms after loading ends).
export function useSlowFlag(flag: Ref<boolean>, ms = 200): Ref<boolean> {
  const slow = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(
    flag,
    (on) => {
      clearTimeout(timer);
      if (!on) slow.value = false;
      else timer = setTimeout(() => (slow.value = true), ms);
    },
    { immediate: true },
  );
  return slow;
}

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
    // `loading` after 200 ms: what the page shows as a loading overlay.
    slowLoading: useSlowFlag(loading),
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

// What useCursorList returns: the paged list a page shows and CursorPager moves through.
export type CursorList<T> = ReturnType<typeof useCursorList<T>>;
