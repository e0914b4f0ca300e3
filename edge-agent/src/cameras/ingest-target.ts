/**
 * Where the agent may push a camera's video (review F18). `stream.start` carries the ingest URL,
 * and the push carries the agent's broker credentials (HTTP Basic): only the center the agent
 * was configured for (`central.videoUrl`) and only that camera's ingest path
 * (`/video/ingest/{cameraId}`, CONTRACT "Video: gateway") are accepted; in a cluster (issue 19) also
 * the same path on any instance listed in `central.videoUrls`. Pure.
 */

/** The one URL a push of `cameraId` may go to, or an error saying why none may. */
export function expectedIngestUrl(videoUrl: string | undefined, cameraId: string): URL {
  if (!videoUrl) throw new Error('cameras: central.videoUrl is not configured; video pushes are refused');
  let base: URL;
  try {
    base = new URL(videoUrl);
  } catch {
    throw new Error('cameras: central.videoUrl is not a valid URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error('cameras: central.videoUrl must be http:// or https://');
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}/video/ingest/${encodeURIComponent(cameraId)}`);
}

/**
 * Checks a `stream.start` URL: the configured center's origin, exactly the camera's ingest path,
 * no credentials, query or fragment of its own. Returns the URL to push to; throws otherwise.
 */
export function checkIngestUrl(
  videoUrl: string | undefined,
  cameraId: string,
  url: string,
  /** Issue 19: the other center instances (`central.videoUrls`); the owner of the site names itself. */
  otherCenters: readonly string[] = [],
): URL {
  const want = expectedIngestUrl(videoUrl, cameraId);
  for (const other of otherCenters) {
    try {
      return checkIngestUrl(other, cameraId, url);
    } catch {
      // not this one: the configured center's check below names what was expected
    }
  }
  let got: URL;
  try {
    got = new URL(url);
  } catch {
    throw new Error('cameras: stream.start url is not a valid URL');
  }
  const same =
    got.origin === want.origin &&
    got.pathname === want.pathname &&
    got.username === '' &&
    got.password === '' &&
    got.search === '' &&
    got.hash === '';
  if (!same) throw new Error(`cameras: stream.start url must be ${want.href} (the configured center)`);
  return want;
}
