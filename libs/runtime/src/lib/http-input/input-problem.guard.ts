import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { HttpInputError } from './http-input.error';
import { type InputProblem } from './json-input';

const INPUT_PROBLEM = Symbol('wt.inputProblem');
const READS_OWN_INPUT = 'wt:readsOwnInput';

/** What the edge found wrong with a request's body (set by the body middleware, read by the guard). */
export function inputProblemOf(request: object): InputProblem | undefined {
  return (request as { [INPUT_PROBLEM]?: InputProblem })[INPUT_PROBLEM];
}

export function recordInputProblem(request: object, problem: InputProblem): void {
  (request as { [INPUT_PROBLEM]?: InputProblem })[INPUT_PROBLEM] = problem;
}

/**
 * The route answers a refused body itself (read it with `inputProblemOf(request)`), instead of the
 * edge's 4xx: Meta's webhook must first check the signature, then answer 200 and dead-letter.
 */
export const ReadsOwnInput = (): MethodDecorator => SetMetadata(READS_OWN_INPUT, true);

/**
 * Refuses a request whose body the edge found wrong (malformed, too deep, NUL, ...) before any other
 * guard, pipe or controller sees it. A global guard rather than a middleware so that a route can
 * opt out (`@ReadsOwnInput()`) and so that an unknown route still answers 404.
 */
@Injectable()
export class InputProblemGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const problem = inputProblemOf(context.switchToHttp().getRequest<object>());
    if (!problem || Reflect.getMetadata(READS_OWN_INPUT, context.getHandler()) === true) return true;
    throw new HttpInputError(problem);
  }
}
