/** Minimal data hook: GET a path when it changes, expose data/error (in the operator's language)/reload. */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from './errors.js';
import { api } from './http.js';

export interface ApiResult<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null): ApiResult<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [n, setN] = useState(0);
  const { t } = useTranslation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: n is the reload trigger
  useEffect(() => {
    if (!path) return;
    let live = true;
    setLoading(true);
    api<T>('GET', path)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      })
      .catch((err: unknown) => {
        if (live) setError(apiErrorText(err, t));
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload };
}
