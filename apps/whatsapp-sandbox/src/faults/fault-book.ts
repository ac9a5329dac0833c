import { Injectable } from '@nestjs/common';
import type { FaultDto, FaultMode } from './fault.dto';

export interface Fault {
  id: number;
  waId?: string;
  phoneNumberId?: string;
  code: number;
  httpStatus?: number;
  mode: FaultMode;
  remaining: number;
}

/** Injected faults, matched in the order they were added. */
@Injectable()
export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  add(dto: FaultDto): Fault {
    const fault: Fault = {
      id: this.nextId++,
      ...(dto.to === undefined ? {} : { waId: dto.to.replace(/\D/g, '') }),
      ...(dto.phoneNumberId === undefined ? {} : { phoneNumberId: dto.phoneNumberId }),
      code: dto.code,
      ...(dto.httpStatus === undefined ? {} : { httpStatus: dto.httpStatus }),
      mode: dto.mode ?? 'reject',
      remaining: dto.times,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** The first fault matching a send, not consumed. */
  match(phoneNumberId: string, waId: string): Fault | undefined {
    return this.faults.find(
      (fault) =>
        (fault.waId === undefined || fault.waId === waId) && (fault.phoneNumberId === undefined || fault.phoneNumberId === phoneNumberId),
    );
  }

  /** Uses one of the fault's `times`. */
  consume(fault: Fault): void {
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((other) => other !== fault);
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): number {
    const count = this.faults.length;
    this.faults = [];
    return count;
  }
}
