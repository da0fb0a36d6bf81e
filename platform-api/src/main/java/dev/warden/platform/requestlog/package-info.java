/**
 * One request-log row per data-plane request, redacted and encrypted, committed by a
 * group-commit writer before the answer is released; partitions, retention and the
 * audited break-glass view.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Request log")
package dev.warden.platform.requestlog;
