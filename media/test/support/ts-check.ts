import { nalUnitTypes, packetPid, parsePacketHeader, parsePesStart, TS_PACKET_SIZE } from '../../src/ts/index.js';

/** What a viewer's demuxer would see: packet sync, PIDs in order, NAL unit types of the video. */
export function inspectTs(data: Buffer, videoPid = 0x100) {
  const pids: number[] = [];
  const nalTypes: number[] = [];
  let synced = data.length % TS_PACKET_SIZE === 0;
  for (let off = 0; off + TS_PACKET_SIZE <= data.length; off += TS_PACKET_SIZE) {
    if (data[off] !== 0x47) synced = false;
    pids.push(packetPid(data, off));
    const h = parsePacketHeader(data, off);
    if (!h || h.pid !== videoPid || h.payloadOffset < 0) continue;
    const start = off + h.payloadOffset;
    const pes = h.pusi ? parsePesStart(data, start, off + TS_PACKET_SIZE) : undefined;
    nalTypes.push(...nalUnitTypes(data, pes ? pes.dataOffset : start, off + TS_PACKET_SIZE));
  }
  return { synced, pids, nalTypes };
}
