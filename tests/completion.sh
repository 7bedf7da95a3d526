#!/bin/bash
#
# completion.sh: the bash completion offers real candidates: commands, each
# command's own options, option values, and service names from the service
# files libpq reads. Simulates what bash passes (COMP_LINE, COMP_POINT). The
# zsh completion is checked for syntax (when zsh is here) and for naming
# every long option src/main.c knows, as the bash one is.
#
# Exit: 0 all passed, 1 a check failed (automake TEST).

set -u
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BASH_COMPLETION=$TOP_SRCDIR/completions/pgpulse
ZSH_COMPLETION=$TOP_SRCDIR/completions/_pgpulse
failed=0

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/sysconf"
printf '# services\n[prod]\nhost=db1\n\n  [staging] \nhost=db2\n' >"$tmp/home/.pg_service.conf"
printf '[analytics]\nhost=db3\n[prod]\nhost=db1\n' >"$tmp/sysconf/pg_service.conf"
printf '[other]\nhost=db4\n' >"$tmp/custom.conf"
export HOME=$tmp/home PGSYSCONFDIR=$tmp/sysconf
unset PGSERVICEFILE

# shellcheck source=../completions/pgpulse
. "$BASH_COMPLETION" || { echo "FAIL cannot source $BASH_COMPLETION"; exit 1; }

# candidates LINE: what completing at the end of LINE offers, one a line, sorted.
candidates() {
	COMP_LINE=$1 COMP_POINT=${#1}
	COMPREPLY=()
	_pgpulse pgpulse
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect LINE WORD...: every WORD is offered. expect_not LINE WORD...: none is.
expect() {
	local line=$1 got w
	shift
	got=$(candidates "$line")
	for w in "$@"; do
		if ! grep -qxF -- "$w" <<<"$got"; then
			echo "FAIL '$line<TAB>' does not offer '$w'; offers: $(tr '\n' ' ' <<<"$got")"
			failed=1
		fi
	done
}
expect_not() {
	local line=$1 got w
	shift
	got=$(candidates "$line")
	for w in "$@"; do
		if grep -qxF -- "$w" <<<"$got"; then
			echo "FAIL '$line<TAB>' offers '$w'"
			failed=1
		fi
	done
}
expect_only() {
	local line=$1 got want
	shift
	got=$(candidates "$line")
	want=$(printf '%s\n' "$@" | sort)
	if [ "$got" != "$want" ]; then
		echo "FAIL '$line<TAB>' offers '$(tr '\n' ' ' <<<"$got")', want '$(tr '\n' ' ' <<<"$want")'"
		failed=1
	fi
}

registered=$(complete -p pgpulse 2>&1)
[ "$registered" = "complete -F _pgpulse pgpulse" ] || { echo "FAIL registration: $registered"; failed=1; }

expect "pgpulse " check watch shell burst help service= postgresql://
expect_only "pgpulse ch" check
# "pgpulse help COMMAND": the commands, and nothing after one
expect_only "pgpulse help " dashboard check watch shell burst serve
expect_only "pgpulse help sh" shell
expect_only "pgpulse help check " 
expect_only "pgpulse check --j" --json
expect_not "pgpulse watch --j" --json
expect "pgpulse check -" -w --warning -c --critical --json --timeout --query -h -U -W --password
expect_not "pgpulse check -" --format --count --hold --yes -n
expect "pgpulse watch --" --format --count --interval --no-backoff
expect "pgpulse burst --" --connections --yes --hold --json
expect_not "pgpulse burst --" --format --warning
expect "pgpulse -" --interval --no-color --inspect-every
expect_only "pgpulse watch --format " text jsonl csv
expect_only "pgpulse watch --format j" jsonl
expect_only "pgpulse check -w " total= slots= cert=
# bash splits words at '=': the candidate is what follows the last one
expect_only "pgpulse check -w total=200,sl" "200,slots="
# the service files libpq reads: ~/.pg_service.conf and PGSYSCONFDIR's
expect_only "pgpulse check service=" prod staging analytics
expect_only "pgpulse check service=st" staging
expect_only "pgpulse -i 2 service=a" analytics
expect_only "pgpulse check host=db sslmode=verify-" verify-ca verify-full
PGSERVICEFILE=$tmp/custom.conf expect_only "pgpulse watch service=" other analytics prod
expect_not "pgpulse check -p " check service=

# Every long option of src/main.c is offered by both completions.
opts=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*_argument.*/\1/p' "$TOP_SRCDIR/src/main.c")
[ -n "$opts" ] || { echo "FAIL no long options found in src/main.c"; failed=1; }
all=$(for c in dashboard check watch shell burst serve; do _pgpulse_options "$c"; done | tr ' ' '\n')
for o in $opts; do
	grep -qxF -- "--$o" <<<"$all" || { echo "FAIL bash completion lacks --$o"; failed=1; }
	grep -qF -- "--$o" "$ZSH_COMPLETION" || { echo "FAIL zsh completion lacks --$o"; failed=1; }
done
if command -v zsh >/dev/null; then
	zsh -n "$ZSH_COMPLETION" || { echo "FAIL zsh completion does not parse"; failed=1; }
	# the zsh service lister reads the same files
	got=$(HOME=$tmp/home zsh -c "source '$ZSH_COMPLETION' 2>/dev/null; _pgpulse_services" 2>/dev/null | sort | tr '\n' ' ')
	[ "$got" = "analytics prod staging " ] || { echo "FAIL zsh services: '$got'"; failed=1; }
fi

[ "$failed" = 0 ] && echo "PASS completion"
exit "$failed"
