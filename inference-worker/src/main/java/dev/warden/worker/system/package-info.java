/**
 * Cross-cutting web pieces every API of the worker goes through: request ids, the request
 * size limit, and the one JSON error shape
 * {@code {"error":{"code","message","request_id"}}}
 * ({@link dev.warden.worker.system.ApiException} thrown by controllers, mapped once by
 * the exception handler; {@link dev.warden.worker.system.ErrorResponses} writes the same
 * body for filters and the servlet error page).
 */
@org.springframework.modulith.ApplicationModule(displayName = "System")
package dev.warden.worker.system;
