/**
 * A Modbus TCP gas transmitter for tests: modbus-serial's real ServerTCP on a free port, serving
 * holding and input registers the test sets (e.g. a 4-20 mA loop as 800..4000 counts).
 */
import * as modbus from 'modbus-serial';
import { freePort } from './ports.js';

export interface ModbusTransmitter {
  host: string;
  port: number;
  /** Sets a holding register (zero-based address, as FC3 reads it). */
  setHolding(address: number, value: number): void;
  /** Sets an input register (zero-based address, as FC4 reads it). */
  setInput(address: number, value: number): void;
  stop(): Promise<void>;
}

export async function startModbusTransmitter(unitId = 1): Promise<ModbusTransmitter> {
  const holding = new Map<number, number>();
  const input = new Map<number, number>();
  const port = await freePort();
  const server = new modbus.ServerTCP(
    {
      getHoldingRegister: (addr: number) => holding.get(addr) ?? 0,
      getInputRegister: (addr: number) => input.get(addr) ?? 0,
    },
    { host: '127.0.0.1', port, unitID: unitId },
  );
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', reject);
  });
  return {
    host: '127.0.0.1',
    port,
    setHolding: (a, v) => holding.set(a, v),
    setInput: (a, v) => input.set(a, v),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
