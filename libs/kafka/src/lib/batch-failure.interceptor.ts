import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { catchError, type Observable, throwError } from 'rxjs';
import { RecordBatch } from './record-batch';

/**
 * Keeps a batch handler's error on its RecordBatch, for KafkaBatchServer to tell a database outage
 * (retry) from a record the database refuses (dead-letter it): Nest's default exception filter
 * would replace it with `{ status: 'error', message: 'Internal server error' }`, after logging it
 * whole (a pg error may quote a row's values). The error goes on as an RpcException, which the
 * filter neither logs nor rewrites; the server logs it, classified and scrubbed.
 *
 * Global in every service through KafkaModule.forRoot (APP_INTERCEPTOR); a test that builds a
 * microservice without KafkaModule adds it with `app.useGlobalInterceptors(new BatchFailureInterceptor())`.
 * HTTP requests and other transports pass through untouched.
 */
@Injectable()
export class BatchFailureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const batch: unknown = context.getType() === 'rpc' ? context.switchToRpc().getData() : undefined;
    if (!(batch instanceof RecordBatch)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        batch.failure = { error };
        return throwError(() => new RpcException('batch handler failed (see the consumer log)'));
      }),
    );
  }
}
