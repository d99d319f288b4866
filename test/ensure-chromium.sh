#!/usr/bin/env sh
# The browser checks (previews, XSS) run in headless Chromium from Debian's package. Installs it when
# it is missing and this user may; otherwise says what to do.
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing Debian's chromium for the browser checks"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "npm test: the browser checks need Chromium: install Debian's package 'chromium' (sudo apt-get install chromium)" >&2
exit 1
