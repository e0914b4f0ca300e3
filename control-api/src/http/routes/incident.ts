/**
 * Issue 21: what an incident leaves for others. The evidence bundle (one signed ZIP), the alarm
 * as a CAP 1.2 alert, and the public half of the center's evidence key for offline checks.
 * Alarms outside the caller's sites are 404 like every alarm route; every bundle and CAP
 * document that leaves is audited (who, which alarm, masked or not).
 */
import type { Request, Response } from 'express';
import { maySee } from '../../auth/permissions.js';
import { alarmToCap } from '../../incident/cap.js';
import { buildEvidence, type EvidenceMedia, exists, MaskingUnavailableError } from '../../incident/evidence.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, HttpError, notFound, refused } from '../errors.js';
import { pathId, qString } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { attachment } from '../stream.js';
import { ALARM_ID_REGEX } from './alarms.js';

function evidenceTools(deps: HttpDeps) {
  if (!deps.evidence) throw new HttpError(503, 'unavailable', 'evidence: no evidence key in this center');
  return deps.evidence;
}

function lang(req: Request): 'ko' | 'en' {
  const v = qString(req, 'lang') ?? 'ko';
  if (v !== 'ko' && v !== 'en')
    throw badRequest('lang', 'must be ko or en', { reason: 'language-unknown', params: { field: 'lang' } });
  return v;
}

async function visibleAlarm(deps: HttpDeps, req: Request, principal: Parameters<typeof maySee>[0]) {
  const id = pathId(req, 'id', ALARM_ID_REGEX);
  const found = await deps.alarms.get(id);
  if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${id}`);
  return found;
}

async function mediaOf(deps: HttpDeps, alarmId: string): Promise<EvidenceMedia[]> {
  const out: EvidenceMedia[] = [];
  for (const c of deps.clips ? await deps.clips.list(alarmId) : []) {
    const file = await deps.clips?.file(alarmId, c.clipId);
    if (!file || !(await exists(file))) continue;
    out.push({ ...c, file, contentType: file.endsWith('.jpg') ? 'image/jpeg' : 'video/mp4' });
  }
  return out;
}

/** Sends the ZIP; a failure after the first byte can only cut the connection (no valid archive). */
async function sendZip(res: Response, stream: NodeJS.ReadableStream, fileName: string): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'application/zip');
  res.setHeader('Content-Disposition', attachment(fileName));
  res.setHeader('Cache-Control', 'no-store');
  await new Promise<void>((resolve) => {
    stream.on('error', (err: Error) => {
      res.destroy(err);
      resolve();
    });
    res.on('close', () => resolve());
    stream.pipe(res);
  });
}

export const incidentRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/alarms/:id/evidence',
    query: ['lang', 'mask'],
    access: 'watch',
    async handle({ deps, principal, req, res, ip }) {
      const tools = evidenceTools(deps);
      const { alarm, journal } = await visibleAlarm(deps, req, principal);
      const mask = qString(req, 'mask');
      if (mask !== undefined && mask !== 'faces' && mask !== 'none') throw badRequest('mask', 'must be faces or none');
      const maskFaces = mask === 'faces';
      if (maskFaces && !tools.masker)
        throw refused(503, 'masking-unavailable', 'evidence: face masking is not available in this center', {
          reason: 'masking-unavailable',
        });
      const reportLang = lang(req);
      const site = await deps.sites.get(alarm.siteId);
      const sensor = alarm.sourceKind === 'sensor' ? await deps.sensors.get(alarm.sourceId) : undefined;
      const raw = deps.timeseries.raw?.bind(deps.timeseries);
      const notifications = deps.escalation ? await deps.escalation.service.notifications(alarm.id) : [];
      const now = deps.auth.now();
      let built: Awaited<ReturnType<typeof buildEvidence>>;
      try {
        built = await buildEvidence(
          {
            alarm,
            journal,
            siteName: site ? `${site.nameKo} / ${site.name}` : alarm.siteId,
            sensor,
            notifications,
            media: await mediaOf(deps, alarm.id),
            readings: sensor && raw ? (from, to) => raw(sensor.sensorId, from, to) : undefined,
            lang: reportLang,
            maskFaces,
            createdBy: principal.username,
            now,
            timeZone: tools.timeZone,
          },
          tools,
        );
      } catch (err) {
        if (err instanceof MaskingUnavailableError)
          throw refused(503, err.code, err.message, { reason: 'masking-unavailable' });
        throw err;
      }
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'alarm.evidence',
        target: alarm.id,
        detail: {
          siteId: alarm.siteId,
          masked: maskFaces,
          facesMasked: built.facesMasked,
          lang: reportLang,
          files: built.files.length,
          keyId: tools.key.keyId,
        },
      });
      try {
        await sendZip(res, built.stream, `gwanje-evidence-${alarm.id}${maskFaces ? '-masked' : ''}.zip`);
      } finally {
        await built.cleanup();
      }
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/alarms/:id/cap',
    access: 'watch',
    async handle({ deps, principal, req, res, ip }) {
      const { alarm } = await visibleAlarm(deps, req, principal);
      const site = await deps.sites.get(alarm.siteId);
      if (!site) throw notFound(`site ${alarm.siteId}`);
      const sensor = alarm.sourceKind === 'sensor' ? await deps.sensors.get(alarm.sourceId) : undefined;
      const doc = alarmToCap({
        alarm,
        site,
        sender: deps.capSender ?? 'gwanje',
        gas: sensor?.gas ?? undefined,
        unit: sensor?.unit,
      });
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'alarm.cap',
        target: alarm.id,
        detail: { siteId: alarm.siteId, state: alarm.state },
      });
      res.status(200);
      res.setHeader('Content-Type', 'application/cap+xml; charset=utf-8');
      res.setHeader('Content-Disposition', `inline; filename="gwanje-${alarm.id}.cap.xml"`);
      res.setHeader('Cache-Control', 'no-store');
      res.end(doc);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/evidence/public-key.pem',
    access: 'any',
    async handle({ deps, res }) {
      const tools = evidenceTools(deps);
      res.status(200);
      res.setHeader('Content-Type', 'application/x-pem-file');
      res.setHeader('X-Gwanje-Key-Id', tools.key.keyId);
      res.end(tools.key.publicKeyPem);
      return undefined;
    },
  }),
];
