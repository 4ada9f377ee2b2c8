#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600), seeded from ../shared/realdata when it
# is there. Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#   fuzz/run.sh            # every target, 10 minutes each, two at a time
#   fuzz/run.sh 60 pdf     # one target for a minute
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(rfc5322 mbox printed pdf exemptions)
shared=../../shared/realdata

seed() { # seed TARGET FIND-ARGS...: copies up to 400 matching files into corpus/TARGET
  local target=$1; shift
  mkdir -p "corpus/$target"
  [ -d "$shared" ] || return 0
  local files
  files=$(find "$shared" -type f "$@" -size -512k | sort | sed -n '1,400p')
  while read -r f; do
    [ -n "$f" ] && cp "$f" "corpus/$target/$(echo "$f" | md5sum | cut -c1-16)"
  done <<< "$files"
}
seed rfc5322 \( -name '*.eml' -o -path '*maildir*' \)
seed mbox \( -name '*mbox*' \)
seed printed -name '*.txt'
seed pdf -name '*.pdf'
seed exemptions -path '*state-dept*' -name '*.txt'

mkdir -p logs
cargo +nightly fuzz build -O
run() {
  local t=$1
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=4096 \
    -timeout=20 -max_len=1048576 > "logs/$t.log" 2>&1 && echo "$t: no crash in $seconds s" \
    || echo "$t: FAILED, see fuzz/logs/$t.log and fuzz/artifacts/$t/"
}
# Two at a time: the machines this runs on have two cores.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" &
  [ $((i + 1)) -lt ${#targets[@]} ] && run "${targets[i + 1]}" &
  wait
done
grep -h "stat::number_of_executed_units\|Done " logs/*.log || true
