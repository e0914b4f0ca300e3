/** Sites and cameras the user may see, loaded once per session and shared by every view. */
import type { CameraView, SiteView } from '@gwanje/protocol/schemas/http.js';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { useApi } from './useApi.js';

/** GET /api/v1/cameras item, as protocol declares it. */
export type { CameraView };

export interface Catalog {
  sites: SiteView[];
  cameras: CameraView[];
  siteById: Map<string, SiteView>;
  cameraById: Map<string, CameraView>;
  reload: () => void;
}

const CatalogContext = createContext<Catalog | null>(null);

export function CatalogProvider({ children }: { children: ReactNode }) {
  const sites = useApi('/sites');
  const cameras = useApi('/cameras');
  const value = useMemo<Catalog>(() => {
    const s = sites.data ?? [];
    const c = cameras.data ?? [];
    return {
      sites: s,
      cameras: c,
      siteById: new Map(s.map((x) => [x.siteId, x])),
      cameraById: new Map(c.map((x) => [x.cameraId, x])),
      reload: () => {
        sites.reload();
        cameras.reload();
      },
    };
  }, [sites.data, cameras.data, sites.reload, cameras.reload]);
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): Catalog {
  const c = useContext(CatalogContext);
  if (!c) throw new Error('catalog: useCatalog outside CatalogProvider');
  return c;
}

/** Display name of a site in the current language (nameKo when Korean and present). */
export const siteName = (site: SiteView | undefined, id: string, lang: string): string =>
  site ? (lang.startsWith('ko') && site.nameKo ? site.nameKo : site.name) : id;
