#!/usr/bin/env bash
# The whole test run (called by `make test`, which CI runs through .ci/run).
# Starts what the tests need when it is not running, then lints and runs pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# PostgreSQL: the store tests run on SQLite and PostgreSQL.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL を起動します…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

# Debian's chromium for the browser tests (never a Playwright download), with a Japanese font so the
# screenshots kept as test artefacts are legible.
if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/opentype/ipafont-gothic ]; } \
  && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "chromium と日本語フォントをインストールします…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null) \
    || echo "chromium を入れられませんでした。ブラウザのテストは理由を表示してスキップされます。"
fi

$BIN/ruff check src tests benchmarks scripts || exit 1
$BIN/ruff format --check src tests benchmarks scripts || exit 1

$BIN/pytest -n 2 -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest はテストを1件も実行しませんでした（終了コード 5）。失敗として扱います。" >&2
  exit 1
fi
exit "$rc"
