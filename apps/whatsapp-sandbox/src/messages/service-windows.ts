import { Injectable } from '@nestjs/common';

/** 24 hours after a person last wrote to a business number, free-form messages may reach them. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Customer-service windows: when each person last wrote to each business phone number. */
@Injectable()
export class ServiceWindows {
  private readonly lastInbound = new Map<string, number>();

  recordInbound(phoneNumberId: string, waId: string, at: number): void {
    this.lastInbound.set(`${phoneNumberId}:${waId}`, at);
  }

  isOpen(phoneNumberId: string, waId: string, now: number): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}:${waId}`);
    return last !== undefined && now - last < SERVICE_WINDOW_MS;
  }

  clear(): void {
    this.lastInbound.clear();
  }
}
