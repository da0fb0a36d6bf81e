/**
 * Compliance pages: the request log (record metadata, filtered and paged as the admin API
 * allows, and the audited break-glass view of one record's payloads with a written
 * justification, shown once) and compliance exports (signed exports of the audit trail or
 * request-log metadata streamed through the console, their manifests, the public signing
 * keyset, the list of earlier exports and how to verify one offline). Everything comes
 * from platform-api's admin API through {@code adminapi}; platform-api decides who may do
 * what (ADMIN and COMPLIANCE both may use these pages).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Compliance")
package dev.warden.console.compliance;
