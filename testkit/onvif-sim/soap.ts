/**
 * Pure SOAP pieces of the ONVIF device simulator: request parsing (operation, fields, WS-Security
 * UsernameToken digest per WSS UsernameToken Profile 1.0 section 3.1) and response bodies for
 * the operations the `onvif` client calls (ONVIF Core, Media, PTZ and Event service specs).
 */
import { createHash } from 'node:crypto';

const NS = [
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope"',
  'xmlns:tt="http://www.onvif.org/ver10/schema"',
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"',
  'xmlns:trt="http://www.onvif.org/ver10/media/wsdl"',
  'xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"',
  'xmlns:tev="http://www.onvif.org/ver10/events/wsdl"',
  'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"',
  'xmlns:wsa="http://www.w3.org/2005/08/addressing"',
  'xmlns:tns1="http://www.onvif.org/ver10/topics"',
  'xmlns:ter="http://www.onvif.org/ver10/error"',
].join(' ');

export const envelope = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Body>${body}</s:Body></s:Envelope>`;

export const fault = (code: 'Sender' | 'Receiver', subcode: string, reason: string): string =>
  envelope(
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value><s:Subcode><s:Value>ter:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en">${esc(reason)}</s:Text></s:Reason></s:Fault>`,
  );

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The operation: the first element inside the SOAP Body, without its prefix. */
export function operation(xml: string): string | undefined {
  return /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(xml)?.[1];
}

/** Text of the first element named `name` (any prefix). */
export function field(xml: string, name: string): string | undefined {
  return new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${name}>`).exec(xml)?.[1];
}

/** An attribute of the first element named `name`. */
export function attr(xml: string, name: string, attribute: string): string | undefined {
  const el = new RegExp(`<(?:\\w+:)?${name}\\s([^>]*)/?>`).exec(xml)?.[1];
  return el ? new RegExp(`${attribute}="([^"]*)"`).exec(el)?.[1] : undefined;
}

/** WS-Security UsernameToken check: Digest = Base64(SHA-1(nonce + created + password)). */
export function authorized(xml: string, username: string, password: string): boolean {
  const user = field(xml, 'Username');
  const digest = field(xml, 'Password');
  const nonce = field(xml, 'Nonce');
  const created = field(xml, 'Created');
  if (user !== username || !digest || !nonce || !created) return false;
  const expect = createHash('sha1')
    .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
  return expect === digest;
}

export interface DeviceModel {
  base: string;
  name: string;
  rtspUrl: string;
  ptz: boolean;
  /** Lists an event service (PullPoint); false: a device without one (issue 20). */
  events: boolean;
  width: number;
  height: number;
  presets: Array<{ token: string; name: string }>;
}

const services = (d: DeviceModel): Array<[string, string]> => [
  ['http://www.onvif.org/ver10/device/wsdl', `${d.base}/onvif/device_service`],
  ['http://www.onvif.org/ver10/media/wsdl', `${d.base}/onvif/media_service`],
  ...(d.events
    ? [['http://www.onvif.org/ver10/events/wsdl', `${d.base}/onvif/events_service`] as [string, string]]
    : []),
  ...(d.ptz ? [['http://www.onvif.org/ver20/ptz/wsdl', `${d.base}/onvif/ptz_service`] as [string, string]] : []),
];

export function systemDateAndTime(now: Date): string {
  return (
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>' +
    '<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>KST-9</tt:TZ></tt:TimeZone><tt:UTCDateTime>' +
    `<tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date>` +
    '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
  );
}

export function getServices(d: DeviceModel): string {
  const items = services(d)
    .map(
      ([ns, x]) =>
        `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${x}</tds:XAddr>` +
        '<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>',
    )
    .join('');
  return `<tds:GetServicesResponse>${items}</tds:GetServicesResponse>`;
}

export function getCapabilities(d: DeviceModel): string {
  const ptz = d.ptz ? `<tt:PTZ><tt:XAddr>${d.base}/onvif/ptz_service</tt:XAddr></tt:PTZ>` : '';
  return (
    '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
    `<tt:Device><tt:XAddr>${d.base}/onvif/device_service</tt:XAddr></tt:Device>` +
    (d.events
      ? `<tt:Events><tt:XAddr>${d.base}/onvif/events_service</tt:XAddr><tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events>`
      : '') +
    `<tt:Media><tt:XAddr>${d.base}/onvif/media_service</tt:XAddr></tt:Media>${ptz}` +
    '</tds:Capabilities></tds:GetCapabilitiesResponse>'
  );
}

export const deviceInformation = (d: DeviceModel): string =>
  '<tds:GetDeviceInformationResponse><tds:Manufacturer>Gwanje</tds:Manufacturer>' +
  `<tds:Model>${esc(d.name)}</tds:Model><tds:FirmwareVersion>1.0.0</tds:FirmwareVersion>` +
  '<tds:SerialNumber>GWJ-SIM-0001</tds:SerialNumber><tds:HardwareId>sim</tds:HardwareId></tds:GetDeviceInformationResponse>';

export function profiles(d: DeviceModel): string {
  const ptz = d.ptz
    ? '<tt:PTZConfiguration token="ptzcfg_1"><tt:Name>ptz</tt:Name><tt:UseCount>1</tt:UseCount><tt:NodeToken>ptznode_1</tt:NodeToken></tt:PTZConfiguration>'
    : '';
  return (
    '<trt:GetProfilesResponse><trt:Profiles token="profile_main" fixed="true"><tt:Name>main</tt:Name>' +
    '<tt:VideoSourceConfiguration token="vsc_1"><tt:Name>vsc</tt:Name><tt:UseCount>1</tt:UseCount>' +
    `<tt:SourceToken>vsrc_1</tt:SourceToken><tt:Bounds x="0" y="0" width="${d.width}" height="${d.height}"/></tt:VideoSourceConfiguration>` +
    '<tt:VideoEncoderConfiguration token="venc_1"><tt:Name>h264</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>' +
    `<tt:Resolution><tt:Width>${d.width}</tt:Width><tt:Height>${d.height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
    '<tt:RateControl><tt:FrameRateLimit>15</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>500</tt:BitrateLimit></tt:RateControl>' +
    '<tt:H264><tt:GovLength>15</tt:GovLength><tt:H264Profile>Baseline</tt:H264Profile></tt:H264></tt:VideoEncoderConfiguration>' +
    `${ptz}</trt:Profiles></trt:GetProfilesResponse>`
  );
}

export const videoSources = (d: DeviceModel): string =>
  '<trt:GetVideoSourcesResponse><trt:VideoSources token="vsrc_1"><tt:Framerate>15</tt:Framerate>' +
  `<tt:Resolution><tt:Width>${d.width}</tt:Width><tt:Height>${d.height}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`;

const mediaUri = (uri: string): string =>
  `<trt:MediaUri><tt:Uri>${esc(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
  '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>';

export const streamUri = (d: DeviceModel): string =>
  `<trt:GetStreamUriResponse>${mediaUri(d.rtspUrl)}</trt:GetStreamUriResponse>`;
export const snapshotUri = (d: DeviceModel): string =>
  `<trt:GetSnapshotUriResponse>${mediaUri(`${d.base}/snapshot.jpg`)}</trt:GetSnapshotUriResponse>`;

export const presets = (d: DeviceModel): string =>
  `<tptz:GetPresetsResponse>${d.presets
    .map((p) => `<tptz:Preset token="${p.token}"><tt:Name>${esc(p.name)}</tt:Name></tptz:Preset>`)
    .join('')}</tptz:GetPresetsResponse>`;

export const subscription = (address: string, now: Date, until: Date): string =>
  '<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>' +
  `<wsa:Address>${address}</wsa:Address></tev:SubscriptionReference>` +
  `<wsnt:CurrentTime>${now.toISOString()}</wsnt:CurrentTime><wsnt:TerminationTime>${until.toISOString()}</wsnt:TerminationTime>` +
  '</tev:CreatePullPointSubscriptionResponse>';

export interface SimEvent {
  topic: string;
  source: Record<string, string>;
  data: Record<string, string>;
  at: Date;
}

const items = (o: Record<string, string>): string =>
  Object.entries(o)
    .map(([k, v]) => `<tt:SimpleItem Name="${esc(k)}" Value="${esc(v)}"/>`)
    .join('');

export const pullMessages = (events: SimEvent[], now: Date, until: Date): string =>
  `<tev:PullMessagesResponse><tev:CurrentTime>${now.toISOString()}</tev:CurrentTime><tev:TerminationTime>${until.toISOString()}</tev:TerminationTime>${events
    .map(
      (e) =>
        '<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">' +
        `${esc(e.topic)}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="${e.at.toISOString()}" PropertyOperation="Changed">` +
        `<tt:Source>${items(e.source)}</tt:Source><tt:Data>${items(e.data)}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`,
    )
    .join('')}</tev:PullMessagesResponse>`;

export function probeMatches(relatesTo: string, urn: string, xaddr: string, name: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>' +
    `<a:MessageID>urn:uuid:${urn}-${Date.now()}</a:MessageID><a:RelatesTo>${esc(relatesTo)}</a:RelatesTo>` +
    '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body>' +
    `<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:${urn}</a:Address></a:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter</d:Types>' +
    `<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/${encodeURIComponent(name)}</d:Scopes>` +
    `<d:XAddrs>${xaddr}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`
  );
}
