#!/bin/bash
#
# check_deps: no two modules of src/ depend on each other, directly or
# through others. A module uses another when its object file needs a symbol
# the other defines (nm); tsort then fails on any cycle, and this prints
# the pairs that form it.
#
# Usage: tests/check_deps.sh [OBJDIR]   (default: $PGPULSE_OBJDIR, else src)

set -euo pipefail

objdir=${1:-${PGPULSE_OBJDIR:-src}}
shopt -s nullglob
objs=()
for o in "$objdir"/*.o; do
	# The program's objects; a unit test's copies carry its prefix (test-name-module.o).
	case $(basename "$o") in *-*) continue ;; esac
	objs+=("$o")
done
if [ "${#objs[@]}" -lt 2 ]; then
	echo "check_deps: no object files in $objdir (build first)" >&2
	exit 1
fi

defs=$(mktemp)
pairs=$(mktemp)
trap 'rm -f "$defs" "$pairs"' EXIT

for o in "${objs[@]}"; do
	m=$(basename "$o" .o)
	nm --defined-only -g "$o" | awk -v m="$m" 'NF == 3 { print $3, m }'
done | sort -u >"$defs"

# "user definer" for each symbol a module needs from another.
for o in "${objs[@]}"; do
	m=$(basename "$o" .o)
	nm --undefined-only -g "$o" | awk '{ print $NF }' | sort -u |
		join - "$defs" | awk -v m="$m" '$2 != m { print m, $2 }'
done | sort -u >"$pairs"

if ! tsort "$pairs" >/dev/null 2>&1; then
	echo "check_deps: modules depend on each other in a cycle:" >&2
	tsort "$pairs" 2>&1 >/dev/null | sed 's/^/  /' >&2 || true
	# Direct pairs both ways, the usual culprit.
	awk '{ dep[$1 " " $2] = 1 } END { for (p in dep) { split(p, m, " "); back = m[2] " " m[1];
		if (m[1] < m[2] && (back in dep)) print "  " m[1] " <-> " m[2] } }' \
		"$pairs" >&2
	exit 1
fi
echo "check_deps: $(wc -l <"$pairs") module dependencies, no cycle"
