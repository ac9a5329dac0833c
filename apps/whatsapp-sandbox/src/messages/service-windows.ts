import { Injectable } from '@nestjs/common';
import { isServiceWindowOpen } from '@wt/contracts';

/** Customer-service windows: when each person last wrote to each business phone number. */
@Injectable()
export class ServiceWindows {
  private readonly lastInbound = new Map<string, number>();

  recordInbound(phoneNumberId: string, waId: string, at: number): void {
    this.lastInbound.set(`${phoneNumberId}:${waId}`, at);
  }

  isOpen(phoneNumberId: string, waId: string, now: number): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}:${waId}`);
    return last !== undefined && isServiceWindowOpen(last, now);
  }

  clear(): void {
    this.lastInbound.clear();
  }
}
