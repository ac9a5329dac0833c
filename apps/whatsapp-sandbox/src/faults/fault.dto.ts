import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const FAULT_MODES = ['reject', 'status', 'hang', 'drop', 'bare'] as const;
/**
 * - `reject`: answer the send with the Graph error;
 * - `status`: accept the send, then report a `failed` status with the code;
 * - `hang`: never answer (the message is not accepted); the client times out;
 * - `drop`: accept the send (webhooks follow) but cut the connection without answering;
 * - `bare`: answer `httpStatus` (503 unless given) without a Graph error body, as a proxy or load
 *   balancer in front of Meta does; the message is not accepted.
 */
export type FaultMode = (typeof FAULT_MODES)[number];

/** Body of `POST /sandbox/faults`: the next `times` sends matching `to` and `phoneNumberId` fail. */
export class FaultDto {
  /** Only sends to this recipient (digits compared); any recipient if absent. */
  @IsOptional()
  @Matches(/^\+?\d{1,15}$/)
  to?: string;

  @IsOptional()
  @Matches(/^\d{1,32}$/)
  phoneNumberId?: string;

  /** Meta's error code. */
  @IsInt()
  @Min(0)
  code: number;

  /** For `reject`, the status Meta answers the code with unless given; for `bare`, 503 unless given. */
  @IsOptional()
  @IsInt()
  @Min(400)
  @Max(599)
  httpStatus?: number;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  times: number;

  @IsOptional()
  @IsIn(FAULT_MODES)
  mode?: FaultMode;
}
