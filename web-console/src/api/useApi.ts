/**
 * The console's data hook, typed from protocol's route map (issue 18): `useApi('/alarms/:alarmId',
 * { params: { alarmId } })` GETs `/api/v1/alarms/<id>` and its data is that route's response type
 * (ApiGetRoutes), never a shape guessed here. `null` as the route fetches nothing (not ready yet). Errors come
 * in the operator's language (api/errors.ts, issue 21).
 */
import {
  type ApiGetRoute,
  type ApiGetRoutes,
  type PathParams,
  type QueryValue,
  routePath,
} from '@gwanje/protocol/schemas/routes.js';
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

export interface ApiArgs<R extends string> {
  params?: PathParams<R>;
  query?: Record<string, QueryValue>;
}

export function useApi<R extends ApiGetRoute>(route: R | null, args: ApiArgs<R> = {}): ApiResult<ApiGetRoutes[R]> {
  type T = ApiGetRoutes[R];
  const path = route ? routePath(route, args.params ?? ({} as PathParams<R>), args.query) : null;
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
