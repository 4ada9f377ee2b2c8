#!/usr/bin/env bash
# Two builds of backchannel on the same input, in one run: before and after a change.
#
# Runs BEFORE and AFTER (two backchannel binaries) over DIR, ROUNDS rounds interleaved
# (before, after, before, after, ...), each under /usr/bin/time -v with every report
# written, after reading DIR into the page cache before each run; prints a markdown table
# of each run's wall time, processor use and peak memory, the best of each side and their
# ratios, and whether the two wrote the same CSV and NDJSON files (byte for byte).
# Machines like these are noisy: compare figures from one run of this script, not across
# runs.
#
# Usage:
#   benches/ab.sh BEFORE AFTER DIR [--rounds N] [-- EXTRA ANALYZE FLAGS]
#
# Example (the committed build against the working tree's):
#   git stash && cargo build --release && cp target/release/backchannel /tmp/bc-before
#   git stash pop && cargo build --release
#   benches/ab.sh /tmp/bc-before target/release/backchannel /tmp/backchannel-bench/1GB-seed1
#
# Exit status: 0 when both ran and wrote the same files; 1 when their files differ; 2 when
# something needed is missing or a run failed.
set -euo pipefail

die() {
  echo "ab: $*" >&2
  exit 2
}

[ $# -ge 3 ] || { sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
before=$1 after=$2 input=$3
shift 3
rounds=2
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || die "--rounds needs a number"; rounds=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown argument: $1" ;;
  esac
done
for bin in "$before" "$after"; do [ -x "$bin" ] || die "not an executable: $bin"; done
[ -e "$input" ] || die "no such input: $input"
TIME=/usr/bin/time
"$TIME" -v true >/dev/null 2>&1 || die "GNU time is needed at $TIME (apt install time)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
warm() {
  find -L "$input" -type f -print0 2>/dev/null | xargs -0 cat >/dev/null 2>&1 || true
}

# field NAME FILE: a value from time -v's report.
field() { awk -F': ' -v k="$1" 'index($0, k) { print $2 }' "$2"; }
# seconds H:MM:SS.ss or M:SS.ss as seconds.
seconds() { awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'; }

echo "| run | build | wall s | CPU % | peak MB |"
echo "|---|---|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    bin=$before
    [ "$side" = after ] && bin=$after
    rm -rf "$work/$side"
    warm
    "$TIME" -v -o "$work/$side.$round.time" "$bin" analyze "$input" --out "$work/$side" \
      --quiet "${extra[@]}" >/dev/null 2>"$work/$side.err" || { cat "$work/$side.err" >&2; die "$side failed"; }
    wall=$(field "Elapsed (wall clock)" "$work/$side.$round.time" | seconds)
    cpu=$(field "Percent of CPU" "$work/$side.$round.time" | tr -d '%')
    peak=$(($(field "Maximum resident set size" "$work/$side.$round.time") / 1024))
    echo "$wall $peak" >>"$work/$side.runs"
    echo "| $round | $side | $wall | $cpu | $peak |"
  done
done

best() { sort -n "$work/$1.runs" | head -1; }
read -r bw bp < <(best before)
read -r aw ap < <(best after)
echo
awk -v bw="$bw" -v aw="$aw" -v bp="$bp" -v ap="$ap" 'BEGIN {
  printf "best wall: before %.2f s, after %.2f s (before/after %.2fx)\n", bw, aw, bw / aw
  printf "peak memory of those runs: before %d MB, after %d MB (before/after %.2fx)\n", bp, ap, bp / ap
}'

same=0
for f in "$work"/before/*.csv "$work"/before/*.ndjson; do
  name=$(basename "$f")
  if ! cmp -s "$f" "$work/after/$name"; then
    echo "differs: $name"
    same=1
  fi
done
[ "$same" = 0 ] && echo "CSV and NDJSON files: identical"
exit "$same"
