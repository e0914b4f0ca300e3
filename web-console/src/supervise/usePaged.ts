/** A list read page by page (keyset paging: the next page starts after the last row shown). */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/http.js';

export interface Paged<T> {
  rows: T[];
  more: boolean;
  error: string | undefined;
  /** First page again (after a filter change). */
  reload: () => void;
  next: () => void;
}

/** `pathAfter(last)` is the URL of the page after `last` (undefined: the first page). */
export function usePaged<T>(pathAfter: (last?: T) => string, pageSize: number): Paged<T> {
  const [rows, setRows] = useState<T[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(
    async (last?: T) => {
      setError(undefined);
      try {
        const page = await api<T[]>('GET', pathAfter(last));
        setRows((r) => (last ? [...r, ...page] : page));
        setMore(page.length === pageSize);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      }
    },
    [pathAfter, pageSize],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page once; later pages on demand
  useEffect(() => {
    void load();
  }, []);
  return { rows, more, error, reload: () => void load(), next: () => void load(rows[rows.length - 1]) };
}
