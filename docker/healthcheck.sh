#!/bin/bash
# warden-healthcheck PORT PATH: exits 0 when GET http://127.0.0.1:PORT/PATH answers 200. The images' HEALTHCHECK;
# bash's /dev/tcp only, as neither the public JRE base nor the Debian one is sure to have curl or wget.
exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3
IFS= read -r -t 5 status <&3 || exit 1
case "$status" in
  "HTTP/1."?" 200"*) exit 0 ;;
  *) echo "$status"; exit 1 ;;
esac
