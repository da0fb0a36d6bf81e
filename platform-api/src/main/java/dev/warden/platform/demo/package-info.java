/**
 * The demo tenant and key of a quickstart install (warden.demo.enabled), created once and
 * kept in an owner-only file.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Demo bootstrap")
package dev.warden.platform.demo;
