import { HttpException, HttpStatus } from '@nestjs/common';
import { type InputProblem, type InputProblemReason } from './json-input';

const STATUS_OF: Record<InputProblemReason, HttpStatus> = {
  malformed_json: HttpStatus.BAD_REQUEST,
  too_deep: HttpStatus.BAD_REQUEST,
  nul_character: HttpStatus.BAD_REQUEST,
  lone_surrogate: HttpStatus.BAD_REQUEST,
  number_out_of_range: HttpStatus.BAD_REQUEST,
  forbidden_key: HttpStatus.BAD_REQUEST,
  malformed_url: HttpStatus.BAD_REQUEST,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
};

const ERROR_OF: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported Media Type',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Payload Too Large',
};

/**
 * A request refused at the edge, before any controller: answered as
 * `{ statusCode, error, message, reason }` (Nest's error body plus a machine-readable reason).
 */
export class HttpInputError extends HttpException {
  constructor(readonly problem: InputProblem) {
    const status = STATUS_OF[problem.reason];
    super({ statusCode: status, error: ERROR_OF[status] ?? 'Bad Request', message: problem.message, reason: problem.reason }, status);
  }
}
