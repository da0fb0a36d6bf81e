#!/usr/bin/env bash
# Sets up a Keycloak realm for Warden through Keycloak's admin REST API: the realm, the roles ADMIN and COMPLIANCE,
# a client scope that puts the admin API's audience into access tokens, the console's client and the users.
# docs/console.md shows this script as the Keycloak set-up; system-tests/keycloak.sh runs it against a real Keycloak.
set -euo pipefail
KC_URL=${KC_URL:-http://localhost:8180}          # Keycloak, as the browsers and both Warden applications reach it
KC_ADMIN=${KC_ADMIN:-admin}                      # an administrator of Keycloak's master realm
KC_ADMIN_PASSWORD=${KC_ADMIN_PASSWORD:?set KC_ADMIN_PASSWORD}
REALM=${REALM:-warden}
CONSOLE_URL=${CONSOLE_URL:-http://localhost:8090}  # the console's WARDEN_CONSOLE_PUBLIC_URL
CONSOLE_SECRET=${CONSOLE_SECRET:?set CONSOLE_SECRET}  # the console's WARDEN_CONSOLE_CLIENT_SECRET
AUDIENCE=${AUDIENCE:-warden-admin-api}           # platform-api's WARDEN_OIDC_AUDIENCE
# users to create, "name:password:ROLE" separated by spaces (ROLE is ADMIN or COMPLIANCE)
USERS=${USERS:-}

TOKEN=$(curl -sf "$KC_URL/realms/master/protocol/openid-connect/token" -d grant_type=password \
  -d client_id=admin-cli --data-urlencode "username=$KC_ADMIN" --data-urlencode "password=$KC_ADMIN_PASSWORD" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
# kc METHOD PATH [JSON]: calls the admin API; prints the id a 201 answer names in its Location header
kc() {
  curl -sf -X "$1" "$KC_URL/admin/realms$2" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' ${3:+--data "$3"} -o /dev/null -w '%header{location}' | sed 's#.*/##'
}

kc POST "" "{\"realm\":\"$REALM\",\"enabled\":true}" >/dev/null
kc POST "/$REALM/roles" '{"name":"ADMIN","description":"Warden: may change everything"}' >/dev/null
kc POST "/$REALM/roles" '{"name":"COMPLIANCE","description":"Warden: may read and export"}' >/dev/null
# the admin API's audience, in access tokens only (never in ID tokens)
SCOPE=$(kc POST "/$REALM/client-scopes" "{\"name\":\"$AUDIENCE\",\"protocol\":\"openid-connect\",
  \"attributes\":{\"include.in.token.scope\":\"false\",\"display.on.consent.screen\":\"false\"},
  \"protocolMappers\":[{\"name\":\"audience $AUDIENCE\",\"protocol\":\"openid-connect\",
    \"protocolMapper\":\"oidc-audience-mapper\",\"config\":{\"included.custom.audience\":\"$AUDIENCE\",
    \"access.token.claim\":\"true\",\"id.token.claim\":\"false\",\"introspection.token.claim\":\"true\"}}]}")
# the console: confidential, authorization code with PKCE (S256), its redirect and post-logout redirect URIs
CLIENT=$(kc POST "/$REALM/clients" "{\"clientId\":\"warden-console\",\"name\":\"Warden console\",
  \"protocol\":\"openid-connect\",\"publicClient\":false,\"secret\":\"$CONSOLE_SECRET\",
  \"standardFlowEnabled\":true,\"directAccessGrantsEnabled\":false,
  \"redirectUris\":[\"$CONSOLE_URL/login/oauth2/code/warden\"],\"webOrigins\":[\"$CONSOLE_URL\"],
  \"attributes\":{\"pkce.code.challenge.method\":\"S256\",\"post.logout.redirect.uris\":\"$CONSOLE_URL/signed-out\"}}")
kc PUT "/$REALM/clients/$CLIENT/default-client-scopes/$SCOPE" >/dev/null
NAMES=""
for entry in $USERS; do
  IFS=: read -r name password role <<<"$entry"
  NAMES="$NAMES $name ($role)"
  ID=$(kc POST "/$REALM/users" "{\"username\":\"$name\",\"enabled\":true,\"email\":\"$name@example.com\",
    \"emailVerified\":true,\"firstName\":\"$name\",\"lastName\":\"Warden\",
    \"credentials\":[{\"type\":\"password\",\"value\":\"$password\",\"temporary\":false}]}")
  ROLE=$(curl -sf "$KC_URL/admin/realms/$REALM/roles/$role" -H "Authorization: Bearer $TOKEN")
  kc POST "/$REALM/users/$ID/role-mappings/realm" "[$ROLE]" >/dev/null
done
echo "realm $REALM: issuer $KC_URL/realms/$REALM, client warden-console, client scope $AUDIENCE, users:${NAMES:- none}"
