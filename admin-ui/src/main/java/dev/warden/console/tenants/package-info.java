/**
 * The tenant and API key pages: the tenants (search, paging, create, plan, suspend,
 * reactivate, delete with crypto-shredding confirmed by typing the name), a tenant's
 * details, usage against its plan and API keys (issue with scopes, expiry and quota
 * override, the raw secret shown once, quota changes, revoke). Everything comes from
 * platform-api's admin API through {@code adminapi}; platform-api decides who may do
 * what, the pages only hide the forms a role cannot use.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tenants")
package dev.warden.console.tenants;
