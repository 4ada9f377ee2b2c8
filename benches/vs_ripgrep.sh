#!/usr/bin/env bash
# backchannel against ripgrep, on the same files in one run.
#
# Times `backchannel analyze DIR --out OUT --quiet` (release build, every report written,
# findings.xlsx included) and `rg -c -f PATTERNS DIR` (PATTERNS from `backchannel rules
# --patterns`: the request phrases, agencies and exemption codes backchannel looks for;
# ripgrep with its default threads, output to /dev/null), each under /usr/bin/time -v,
# ROUNDS rounds interleaved (backchannel, rg, backchannel, rg, ...), the input read into the
# page cache before each, and prints a markdown table of the best wall time of each: input size, files,
# messages (backchannel's messages.ndjson rows), wall s, MB/s, messages/s, CPU %, peak RSS,
# and backchannel's wall time over ripgrep's; with the machine, date and commit.
#
# ripgrep is given --no-ignore --hidden --follow so that it reads the files backchannel
# reads (backchannel walks hidden files and follows symbolic links, and ignores no
# .gitignore). It still stops reading a file at its first NUL byte (binary detection), as
# it does by default: a PDF's compressed text is not searchable by a line search anyway.
#
# Usage:
#   benches/vs_ripgrep.sh DIR [--rounds N] [--record FILE]
#   benches/vs_ripgrep.sh --generate SIZE [--seed N] [--rounds N] [--record FILE]
#
#   DIR             a production folder (or file)
#   --generate SIZE make one with the corpus generator (examples/gen_corpus), e.g. 200MB
#                   or 1GB, in $BENCH_DIR/SIZE-seedN (default /tmp/backchannel-bench),
#                   reused when present
#   --seed N        the generator's seed (default 1)
#   --rounds N      rounds of each tool (default 3)
#   --record FILE   also append the table to FILE
#
# Examples:
#   benches/vs_ripgrep.sh corpus
#   benches/vs_ripgrep.sh --generate 1GB --record benches/vs_ripgrep.md
#
# Exit status: 0 when both tools ran; 2 when something needed is missing (ripgrep, GNU
# time, the input) or a tool failed.
set -euo pipefail

usage() {
  sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d' >&2
  exit 2
}
die() {
  echo "vs_ripgrep: $*" >&2
  exit 2
}

input="" size="" seed=1 rounds=3 record=""
while [ $# -gt 0 ]; do
  case "$1" in
    --generate) [ $# -ge 2 ] || usage; size=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --record) [ $# -ge 2 ] || usage; record=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "vs_ripgrep: unknown option $1" >&2; usage ;;
    *) [ -z "$input" ] || usage; input=$1; shift ;;
  esac
done
if [ -n "$size" ] && [ -n "$input" ]; then
  die "give a folder or --generate SIZE, not both"
fi
if [ -z "$size" ] && [ -z "$input" ]; then
  usage
fi
case "$rounds" in '' | *[!0-9]* | 0) die "--rounds takes a number of at least 1" ;; esac

RG=${RG:-$(command -v rg || true)}
if [ -z "$RG" ] || [ ! -x "$RG" ]; then
  cat >&2 <<'EOF'
vs_ripgrep: ripgrep (rg) is not installed. Install it with
  apt-get install ripgrep        (Debian, Ubuntu)
  brew install ripgrep           (macOS)
  cargo install ripgrep          (anywhere with Rust)
or point RG=/path/to/rg at one.
EOF
  exit 2
fi
TIME=/usr/bin/time
if ! "$TIME" -v true >/dev/null 2>&1; then
  die "GNU time is needed at /usr/bin/time (apt-get install time)"
fi

# Relative paths are taken from where the script was started.
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
[ -z "$input" ] || input=$(abs "$input")
[ -z "$record" ] || record=$(abs "$record")
if [ -n "$input" ] && [ ! -e "$input" ]; then die "$input does not exist"; fi
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

echo "vs_ripgrep: building the release binary" >&2
cargo build --release --quiet
bin="$repo/target/release/backchannel"

if [ -n "$size" ]; then
  base=${BENCH_DIR:-/tmp/backchannel-bench}
  input="$base/$size-seed$seed"
  if [ ! -d "$input" ]; then
    echo "vs_ripgrep: generating a $size production in $input" >&2
    cargo build --release --quiet --example gen_corpus
    mkdir -p "$base"
    rm -rf "$input.partial"
    "$repo/target/release/examples/gen_corpus" --size "$size" --seed "$seed" \
      --out "$input.partial" --manifest "$input.manifest.json" >&2
    mv "$input.partial" "$input"
  else
    echo "vs_ripgrep: reusing $input" >&2
  fi
fi
[ -e "$input" ] || die "$input does not exist"

work=$(mktemp -d "${TMPDIR:-/tmp}/vs_ripgrep.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin" rules --patterns >"$work/patterns.txt"
patterns=$(wc -l <"$work/patterns.txt")

# The files both tools read, and their size.
read -r files bytes < <(find -L "$input" -type f -printf '%s\n' 2>/dev/null |
  awk '{ n++; s += $1 } END { printf "%d %d\n", n, s }')
[ "$files" -gt 0 ] || die "no files under $input"

# Read before each run, not once: backchannel's record store and reports can push a
# large input out of the page cache, and the runs should time the tools, not the disk.
warm() {
  find -L "$input" -type f -print0 2>/dev/null | xargs -0 cat >/dev/null 2>&1 || true
}
echo "vs_ripgrep: warming the page cache ($files files)" >&2
warm

now() {
  if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

# run NAME ROUND COMMAND...: times one run; its wall time goes to $work/NAME.ROUND.wall,
# time -v's report to $work/NAME.ROUND.time. A status in OK_STATUS (space-separated) is a
# success.
run() {
  local name=$1 round=$2 ok=$3
  shift 3
  local start end status=0
  start=$(now)
  "$TIME" -v -o "$work/$name.$round.time" "$@" >/dev/null 2>"$work/$name.$round.err" || status=$?
  end=$(now)
  case " $ok " in
    *" $status "*) ;;
    *)
      cat "$work/$name.$round.err" >&2
      die "$name exited with status $status: $*"
      ;;
  esac
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f\n", e - s }' >"$work/$name.$round.wall"
}

out="$work/reports"
bc_cmd=("$bin" analyze "$input" --out "$out" --quiet)
rg_cmd=("$RG" --no-messages --no-ignore --hidden --follow -c -f "$work/patterns.txt" "$input")
for round in $(seq 1 "$rounds"); do
  echo "vs_ripgrep: round $round of $rounds" >&2
  rm -rf "$out"
  warm
  run bc "$round" "0" "${bc_cmd[@]}"
  warm
  # rg: 0 when something matched, 1 when nothing did.
  run rg "$round" "0 1" "${rg_cmd[@]}"
done
messages=$(grep -c '^{' "$out/messages.ndjson" || true)

# best NAME: the round with the shortest wall time.
best() {
  for f in "$work/$1".*.wall; do
    r=${f%.wall}
    echo "$(cat "$f") ${r##*.}"
  done | sort -g | sed -n 1p | cut -d' ' -f2
}
field() { # field FILE LABEL: the value of one line of time -v's report
  awk -F': ' -v label="$2" 'index($0, label) { v = $NF } END { print v }' "$1"
}

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')
row() { # row NAME LABEL OTHER_WALL
  local r wall cpu rss
  r=$(best "$1")
  wall=$(cat "$work/$1.$r.wall")
  cpu=$(field "$work/$1.$r.time" "Percent of CPU this job got" | tr -d '%')
  rss=$(field "$work/$1.$r.time" "Maximum resident set size (kbytes)")
  awk -v input="$(basename "$input")" -v mb="$mb" -v bytes="$bytes" -v files="$files" \
    -v msgs="$messages" -v tool="$2" -v wall="$wall" -v cpu="$cpu" -v rss="$rss" \
    -v rg="$3" 'BEGIN {
      printf "| %s | %s | %d | %d | %s | %.3f | %.1f | %.0f | %s | %.0f | %.2f |\n",
        input, mb, files, msgs, tool, wall, bytes / 1048576 / wall, msgs / wall, cpu,
        rss / 1024, wall / rg
    }'
}
rg_wall=$(cat "$work/rg.$(best rg).wall")

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
rg_version=$("$RG" --version 2>/dev/null | sed -n 1p)

table=$(
  cat <<EOF
### backchannel vs ripgrep: $(basename "$input")

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit; $(nproc) CPUs (${cpu_model:-unknown CPU}), ${memory:-unknown} memory; $rg_version.
Input: \`$input\`. Best wall time of $rounds interleaved rounds each, page cache warm.
backchannel: \`backchannel analyze DIR --out OUT --quiet\` (every report, findings.xlsx included).
ripgrep: \`rg --no-messages --no-ignore --hidden --follow -c -f PATTERNS DIR > /dev/null\`, PATTERNS the $patterns lines of \`backchannel rules --patterns\`.

| input | MB | files | messages | tool | wall s | MB/s | messages/s | CPU % | peak RSS MB | wall / rg |
|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|
$(row bc "backchannel analyze" "$rg_wall")
$(row rg "rg -c -f patterns" "$rg_wall")
EOF
)
echo "$table"
if [ -n "$record" ]; then
  mkdir -p "$(dirname "$record")"
  printf '%s\n\n' "$table" >>"$record"
  echo "vs_ripgrep: appended to $record" >&2
fi
